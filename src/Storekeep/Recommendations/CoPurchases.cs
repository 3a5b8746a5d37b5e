using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Messaging;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Recommendations;

/// <summary>One "customers also bought" entry: another SKU and how many counted orders held both.</summary>
public sealed record AlsoBoughtView(string Sku, string Name, decimal Price, int Count);

/// <summary>A pair of SKUs and its count, for the back office (each pair once, the smaller SKU first).</summary>
public sealed record CoPurchasePairView(string Sku, string OtherSku, int Count);

/// <summary>
/// "Customers also bought", from order history (docs/marketing.md, Personalisation). The figure for
/// a pair of SKUs is the number of distinct counted orders holding both: an order counts once its
/// payment was captured (payment status paid, partially refunded or refunded); a later cancellation
/// or refund does not take it back out, the figure being what customers chose to buy together.
/// Kept current by the <see cref="CoPurchaseSubscriber"/> on order.paid; <see cref="RebuildAsync"/>
/// recomputes it from the orders (the demo store, imported history, the back office's Rebuild).
/// </summary>
public sealed class CoPurchases(StorekeepDbContext db, TimeProvider clock) : IOrderEmailSuggestions
{
    public const int DefaultLimit = 4;
    public const int MaxLimit = 20;

    /// <summary>The transaction that holds the shared lock already (this class is scoped).</summary>
    private Guid? _sharedLockTransaction;

    /// <summary>
    /// Adds orders to the counts, each once: an order's row in <c>co_purchase_orders</c> is the guard,
    /// so a second delivery of its event changes nothing. Returns how many were added. Call inside a
    /// transaction (the subscriber's, with a batch of orders). On PostgreSQL the whole batch is two
    /// statements (the guard rows for every order, then the pairs of those newly counted); SQLite,
    /// in-process, takes the orders one by one.
    /// </summary>
    public async Task<int> CountOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken ct)
    {
        if (orderIds.Count == 0)
        {
            return 0;
        }

        await LockAsync(exclusive: false, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = orderIds.Distinct().ToArray();
        if (!db.IsPostgres)
        {
            var counted = 0;
            foreach (var orderId in ids)
            {
                counted += await CountOneAsync(orderId, now, ct) ? 1 : 0;
            }

            return counted;
        }

        var added = (await db.Database.SqlQuery<Guid>(
            $"INSERT INTO co_purchase_orders (order_id, counted_at) SELECT id, {now} FROM unnest({ids}) AS t(id) ON CONFLICT (order_id) DO NOTHING RETURNING order_id AS \"Value\"")
            .ToListAsync(ct)).ToArray();
        if (added.Length == 0)
        {
            return 0;
        }

        // Each ordered pair of distinct SKUs counts an order once, as the rebuild counts them.
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO co_purchases (sku, other_sku, order_count)
            SELECT a.sku, b.sku, COUNT(DISTINCT a.order_id) FROM order_lines a JOIN order_lines b ON b.order_id = a.order_id AND b.sku <> a.sku
            WHERE a.order_id = ANY({added})
            GROUP BY a.sku, b.sku
            ON CONFLICT (sku, other_sku) DO UPDATE SET order_count = co_purchases.order_count + excluded.order_count
            """, ct);
        return added.Length;
    }

    private async Task<bool> CountOneAsync(Guid orderId, DateTime now, CancellationToken ct)
    {
        var added = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO co_purchase_orders (order_id, counted_at) VALUES ({orderId}, {now}) ON CONFLICT (order_id) DO NOTHING", ct);
        if (added == 0)
        {
            return false;
        }

        // Each ordered pair of the order's distinct SKUs once (SQLite needs the WHERE before ON CONFLICT).
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO co_purchases (sku, other_sku, order_count)
            SELECT DISTINCT a.sku, b.sku, 1 FROM order_lines a JOIN order_lines b ON b.order_id = a.order_id AND b.sku <> a.sku
            WHERE a.order_id = {orderId}
            ON CONFLICT (sku, other_sku) DO UPDATE SET order_count = co_purchases.order_count + 1
            """, ct);
        return true;
    }

    /// <summary>Recomputes every count from the counted orders; returns the number of pairs (each direction once).</summary>
    public async Task<int> RebuildAsync(CancellationToken ct)
    {
        // In the caller's transaction when it has one (the demo seeder), so readers never see it empty.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await LockAsync(exclusive: true, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Set<CoPurchase>().ExecuteDeleteAsync(ct);
        await db.Set<CoPurchaseOrder>().ExecuteDeleteAsync(ct);
        // Counted orders: payment captured (paid, partially_refunded, refunded), as stored in orders.payment_status.
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO co_purchase_orders (order_id, counted_at) SELECT id, {now} FROM orders WHERE payment_status IN ('paid', 'partially_refunded', 'refunded')", ct);
        var pairs = await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO co_purchases (sku, other_sku, order_count)
            SELECT a.sku, b.sku, COUNT(DISTINCT a.order_id)
            FROM order_lines a
            JOIN order_lines b ON b.order_id = a.order_id AND b.sku <> a.sku
            JOIN co_purchase_orders c ON c.order_id = a.order_id
            GROUP BY a.sku, b.sku
            """, ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return pairs;
    }

    /// <summary>
    /// On PostgreSQL a rebuild takes this transaction lock exclusively and each counted order shares
    /// it, so an order the subscriber counts during a rebuild is either in the rebuilt rows or counted
    /// after them, never both, while counting orders never waits on another count. SQLite's single
    /// writer already queues them.
    /// </summary>
    private async Task LockAsync(bool exclusive, CancellationToken ct)
    {
        if (!db.IsPostgres)
        {
            return;
        }

        // The subscriber counts a whole batch of orders in one transaction: the shared lock is
        // taken once in it, not once per order.
        var transaction = db.Database.CurrentTransaction?.TransactionId;
        if (!exclusive && transaction is not null && transaction == _sharedLockTransaction)
        {
            return;
        }

        await db.Database.ExecuteSqlRawAsync(exclusive ? "SELECT pg_advisory_xact_lock(1544227345)" : "SELECT pg_advisory_xact_lock_shared(1544227345)", ct);
        _sharedLockTransaction = exclusive ? null : transaction;
    }


    /// <summary>The SKUs most often bought with <paramref name="sku"/>: active products only, by count then SKU; empty for an unknown SKU.</summary>
    public async Task<IReadOnlyList<AlsoBoughtView>> AlsoBoughtAsync(string sku, int? limit, CancellationToken ct)
    {
        var take = Cursor.Limit(limit, DefaultLimit, MaxLimit);

        var rows = await db.Set<CoPurchase>().AsNoTracking()
            .Where(c => c.Sku == sku)
            .Join(db.Variants.AsNoTracking(), c => c.OtherSku, v => v.Sku, (c, v) => new { c.OtherSku, c.OrderCount, v.Title, v.Price, v.Product!.Status, ProductTitle = v.Product.Title })
            .Where(x => x.Status == ProductStatus.Active)
            .OrderByDescending(x => x.OrderCount).ThenBy(x => x.OtherSku)
            .Take(take)
            .ToListAsync(ct);
        return rows.Select(r => new AlsoBoughtView(r.OtherSku, Name(r.ProductTitle, r.Title), r.Price, r.OrderCount)).ToList();
    }

    private static string Name(string product, string? variant) =>
        string.IsNullOrWhiteSpace(variant) || variant == "Default Title" ? product : $"{product} ({variant})";

    /// <summary>
    /// The storefront's "Customers also bought" for a product: other active products, each ranked by
    /// its highest count with any of this product's SKUs, then by its smallest SKU.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ForProductAsync(Guid productId, int take, CancellationToken ct)
    {
        var skus = db.Variants.AsNoTracking().Where(v => v.ProductId == productId).Select(v => v.Sku);
        var rows = await db.Set<CoPurchase>().AsNoTracking()
            .Where(c => skus.Contains(c.Sku))
            .Join(db.Variants.AsNoTracking(), c => c.OtherSku, v => v.Sku, (c, v) => new { c.OrderCount, v.Sku, v.ProductId, v.Product!.Status })
            .Where(x => x.ProductId != productId && x.Status == ProductStatus.Active)
            .GroupBy(x => x.ProductId)
            .Select(g => new { ProductId = g.Key, Count = g.Max(x => x.OrderCount), Sku = g.Min(x => x.Sku) })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Sku)
            .Take(take)
            .ToListAsync(ct);
        return rows.Select(r => r.ProductId).ToList();
    }

    /// <summary>The order confirmation's list: other active products by their summed counts with the ordered SKUs.</summary>
    public async Task<IReadOnlyList<EmailSuggestion>> ForOrderAsync(IReadOnlyCollection<string> orderedSkus, int take, CancellationToken ct)
    {
        var skus = orderedSkus.ToList();
        var rows = await db.Set<CoPurchase>().AsNoTracking()
            .Where(c => skus.Contains(c.Sku) && !skus.Contains(c.OtherSku))
            .Join(db.Variants.AsNoTracking(), c => c.OtherSku, v => v.Sku, (c, v) => new { c.OrderCount, v.Sku, v.ProductId, v.Product!.Status })
            .Where(x => x.Status == ProductStatus.Active)
            .GroupBy(x => x.ProductId)
            .Select(g => new { ProductId = g.Key, Count = g.Sum(x => x.OrderCount), Sku = g.Min(x => x.Sku) })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Sku)
            .Take(take)
            .ToListAsync(ct);
        var ids = rows.Select(r => r.ProductId).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var products = await db.Products.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && !db.Variants.Any(v => v.ProductId == p.Id && skus.Contains(v.Sku)))
            .Select(p => new { p.Id, p.Title, p.Slug, Price = p.Variants.OrderBy(v => v.Price).Select(v => v.Price).FirstOrDefault() })
            .ToListAsync(ct);
        return ids.SelectMany(id => products.Where(p => p.Id == id)).Select(p => new EmailSuggestion(p.Title, p.Price, p.Slug)).ToList();
    }

    public const int MaxPairs = 500;

    /// <summary>The most co-purchased pairs, each once (smaller SKU first), by count then SKUs; <paramref name="limit"/> 1 to <see cref="MaxPairs"/>.</summary>
    public async Task<IReadOnlyList<CoPurchasePairView>> TopPairsAsync(int limit, CancellationToken ct)
    {
        limit = Cursor.Limit(limit, MaxPairs, MaxPairs);
        return await db.Set<CoPurchase>().AsNoTracking()
            .Where(c => string.Compare(c.Sku, c.OtherSku) < 0)
            .OrderByDescending(c => c.OrderCount).ThenBy(c => c.Sku).ThenBy(c => c.OtherSku)
            .Take(limit)
            .Select(c => new CoPurchasePairView(c.Sku, c.OtherSku, c.OrderCount))
            .ToListAsync(ct);
    }

    /// <summary>How many orders the counts hold.</summary>
    public Task<int> CountedOrdersAsync(CancellationToken ct) => db.Set<CoPurchaseOrder>().CountAsync(ct);
}

/// <summary>
/// Counts each paid order into the co-purchase figures (subscriber <c>co-purchases</c>); idempotent
/// per order. The batch's orders are counted together when it completes.
/// </summary>
public sealed class CoPurchaseSubscriber(CoPurchases coPurchases) : IEventHandler<OrderPaid>, IEventBatchCompletion
{
    public const string SubscriberName = "co-purchases";

    private readonly List<Guid> _paid = [];

    public Task HandleAsync(OrderPaid evt, EventContext context, CancellationToken ct)
    {
        if (evt.OrderId != Guid.Empty)
        {
            _paid.Add(evt.OrderId);
        }

        return Task.CompletedTask;
    }

    public async Task CompleteBatchAsync(CancellationToken ct)
    {
        var paid = _paid.ToList();
        _paid.Clear();
        await coPurchases.CountOrdersAsync(paid, ct);
    }
}

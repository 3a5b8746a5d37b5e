using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Customers;

/// <summary>
/// The order figures of one email (the key a customer's orders group by), kept by
/// <see cref="CustomerOrderStats"/> as orders change, so lists and segments read them instead of
/// grouping every order (docs/crm.md, "Stats"). No row: no order with that email.
/// </summary>
public sealed class CustomerOrderStat
{
    public required string Email { get; init; }

    /// <summary>
    /// The customer with this email, looked up whenever the row is computed, and set when a customer is
    /// created for an email that already ordered (<see cref="CustomerOrderStats.LinkAsync"/>); null for
    /// an email no customer holds (guest orders of the demo history or a bulk load). The figures join
    /// customers on it because a uuid hashes and compares faster than email text.
    /// </summary>
    public Guid? CustomerId { get; init; }

    /// <summary>Every order, cancelled ones included.</summary>
    public long OrdersCount { get; init; }

    /// <summary>The orders that are not cancelled.</summary>
    public long LiveOrders { get; init; }

    /// <summary>Totals of the orders that are not cancelled minus their succeeded refunds, in minor units.</summary>
    public long SpentMinor { get; init; }

    public DateTime FirstOrderAt { get; init; }
    public DateTime LastOrderAt { get; init; }
}

internal sealed class CustomerOrderStatConfiguration : IEntityTypeConfiguration<CustomerOrderStat>
{
    public void Configure(EntityTypeBuilder<CustomerOrderStat> b)
    {
        b.ToTable("customer_order_stats");
        b.HasKey(s => s.Email);
        b.Property(s => s.Email).HasMaxLength(254);
        b.Property(s => s.SpentMinor).HasColumnName("spent");
        // The segment rules' range predicates (totalSpent, first/lastOrderDaysAgo).
        b.HasIndex(s => s.SpentMinor);
        b.HasIndex(s => s.CustomerId).IsUnique(); // one email per customer; unique, so a figures query that reads no column of it drops the join
        b.HasIndex(s => s.FirstOrderAt);
        b.HasIndex(s => s.LastOrderAt);
    }
}

/// <summary>
/// Keeps <c>customer_order_stats</c>: each email's row is computed again from its orders and
/// succeeded refunds and upserted (<see cref="RefreshAsync"/>), so handling an event twice changes
/// nothing; <see cref="RebuildAsync"/> recomputes every row in one set-based statement, after a
/// bulk load or an import that raised no events.
/// </summary>
public sealed class CustomerOrderStats(StorekeepDbContext db)
{
    /// <summary>Recomputes the rows of these emails from their orders (deleting a row whose email has none left).</summary>
    public async Task RefreshAsync(IEnumerable<string> emails, CancellationToken ct)
    {
        foreach (var chunk in emails.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            var only = InList(chunk.Length);
            var refunded = "(SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded')";
            await db.Database.ExecuteSqlRawAsync(
                Upsert.Replace("@refunded", refunded, StringComparison.Ordinal).Replace("@join", "", StringComparison.Ordinal)
                    .Replace("@where", $"AND o.email {only}", StringComparison.Ordinal),
                chunk.Cast<object>(), ct);
            var emptied = "DELETE FROM customer_order_stats WHERE email " + only + " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.email = customer_order_stats.email)";
            await db.Database.ExecuteSqlRawAsync(emptied, chunk.Cast<object>(), ct);
        }
    }

    /// <summary>
    /// Gives the rows of these emails the id of the customer now holding each (in the caller's
    /// transaction, so a customer it just created counts). For a customer created for an email that
    /// already ordered without one (guest orders in the demo history or a bulk load): their figures
    /// show at once instead of after their next order. Rows that have an id keep it.
    /// </summary>
    public async Task LinkAsync(IEnumerable<string> emails, CancellationToken ct)
    {
        foreach (var chunk in emails.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            var link = "UPDATE customer_order_stats SET customer_id = (SELECT c.id FROM customers c WHERE c.email = customer_order_stats.email) WHERE customer_id IS NULL AND email " + InList(chunk.Length);
            await db.Database.ExecuteSqlRawAsync(link, chunk.Cast<object>(), ct);
        }
    }

    /// <summary><c>IN ({0}, {1}, …)</c> for a chunk of emails: parameters, never text.</summary>
    private static string InList(int count) => "IN (" + string.Join(", ", Enumerable.Range(0, count).Select(i => $"{{{i}}}")) + ")";

    /// <summary>Replaces every row with figures computed from all orders, in one transaction (the caller's when it has one). Returns the rows written.</summary>
    public async Task<int> RebuildAsync(CancellationToken ct)
    {
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

        // The subscriber's upserts wait until the rebuild commits, then recompute their emails over
        // the rebuilt rows (no duplicate key between its insert and the rebuild's). Readers are not
        // blocked; SQLite's single writer already queues them.
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE customer_order_stats IN SHARE ROW EXCLUSIVE MODE", ct);
        }

        await db.Database.ExecuteSqlRawAsync("DELETE FROM customer_order_stats", ct);
        var written = await db.Database.ExecuteSqlRawAsync(
            Upsert.Replace("@refunded", "rf.amount", StringComparison.Ordinal)
                .Replace("@join", $"LEFT JOIN {CustomerFigures.Refunds} rf ON rf.order_id = o.id", StringComparison.Ordinal)
                .Replace("@where", "", StringComparison.Ordinal),
            ct);
        if (db.IsPostgres)
        {
            // Fresh statistics for the rewritten table, or the planner misjudges how many rows a rule keeps.
            await db.Database.ExecuteSqlRawAsync("ANALYZE customer_order_stats", ct);
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return written;
    }

    // One pass over the orders per email (docs/crm.md's definitions): all orders count and date the
    // first and last order; those not cancelled count as live and add their totals net of succeeded refunds.
    // Cast to BIGINT so both databases store the same integers (PostgreSQL's SUM of bigint is numeric).
    // The WHERE is always there: SQLite would read the upsert's ON as a join's without it. A customer
    // is never deleted and never changes email, so an upsert that cannot see it yet (created in a
    // transaction still open) keeps the id a concurrent one wrote.
    private const string Upsert = """
        INSERT INTO customer_order_stats (email, customer_id, orders_count, live_orders, spent, first_order_at, last_order_at)
        SELECT o.email, (SELECT c.id FROM customers c WHERE c.email = o.email), CAST(COUNT(*) AS BIGINT),
          CAST(SUM(CASE WHEN o.status <> 'cancelled' THEN 1 ELSE 0 END) AS BIGINT),
          CAST(COALESCE(SUM(CASE WHEN o.status <> 'cancelled' THEN o.total - COALESCE(@refunded, 0) ELSE 0 END), 0) AS BIGINT),
          MIN(o.created_at), MAX(o.created_at)
        FROM orders o @join
        WHERE 1 = 1 @where
        GROUP BY o.email
        ON CONFLICT (email) DO UPDATE SET customer_id = COALESCE(excluded.customer_id, customer_order_stats.customer_id), orders_count = excluded.orders_count, live_orders = excluded.live_orders,
          spent = excluded.spent, first_order_at = excluded.first_order_at, last_order_at = excluded.last_order_at
        """;
}

/// <summary>
/// The event subscriber (<see cref="SubscriberName"/>, from the beginning of the feed) that keeps
/// <see cref="CustomerOrderStats"/> current: an order placed or cancelled, or a refund that
/// succeeded, recomputes its email's row, once per batch. The figures lag the orders by the
/// subscriber's poll interval.
/// </summary>
public sealed class CustomerOrderStatsSubscriber(CustomerOrderStats stats) :
    IEventHandler<OrderPlaced>,
    IEventHandler<OrderCancelled>,
    IEventHandler<RefundCreated>,
    IEventBatchCompletion
{
    public const string SubscriberName = "customer-order-stats";

    private readonly HashSet<string> _emails = new(StringComparer.Ordinal);

    public Task HandleAsync(OrderPlaced evt, EventContext context, CancellationToken ct) => Touch(evt.Email);

    public Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct) => Touch(evt.Email);

    public Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct) => Touch(evt.Email);

    public async Task CompleteBatchAsync(CancellationToken ct)
    {
        var emails = _emails.ToList();
        _emails.Clear();
        await stats.RefreshAsync(emails, ct);
    }

    private Task Touch(string email)
    {
        _emails.Add(email);
        return Task.CompletedTask;
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Loyalty;

/// <summary>
/// The points ledger. Every change is an entry plus one guarded update of the customer's
/// <see cref="LoyaltyAccount.Balance"/> in the same transaction, so the balance is always the sum
/// of the entries and never goes below zero, however many changes race (the update that would
/// take it below zero changes no row, and the caller is refused with 422 insufficient_points).
/// Entries that follow from an event carry a unique <see cref="LoyaltyEntry.Key"/>, so a replayed
/// event changes nothing. docs/promotions.md ("Loyalty") has the rules.
/// </summary>
public sealed class LoyaltyLedger(StorekeepDbContext db, LoyaltyPrograms programs, TimeProvider clock)
{
    public const int SpendWindowDays = 365;

    // ---- reading ----

    public async Task<CustomerLoyaltyView> GetAsync(Guid customerId, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        if (!await db.Set<Customer>().AnyAsync(c => c.Id == customerId, ct))
        {
            throw Errors.NotFound("customer", customerId.ToString());
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var program = await programs.LoadAsync(ct);
        var spend = await SpendAsync(customerId, now, ct);
        var tier = LoyaltyPrograms.TierFor(program, spend);
        var balance = await BalanceAsync(customerId, ct);
        var query = db.Set<LoyaltyEntry>().AsNoTracking().Where(e => e.CustomerId == customerId);
        if (after is { } a)
        {
            query = query.Where(e => e.Id.CompareTo(a) < 0);
        }

        var entries = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        var next = entries.Count > take ? Cursor.Encode(entries[take - 1].Id.ToString()) : null;
        return new CustomerLoyaltyView(customerId, balance, tier?.Name, tier?.Multiplier ?? 1m, spend,
            [.. entries.Take(take).Select(ToView)], next);
    }

    /// <summary>Balance and tier of each of a page of customers (the customer list), in three queries whatever the page's size.</summary>
    public async Task<IReadOnlyDictionary<Guid, (long Balance, string? Tier)>> SummariesAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        var program = await programs.LoadAsync(ct);
        var balances = await db.Set<LoyaltyAccount>().AsNoTracking().Where(a => customerIds.Contains(a.CustomerId))
            .ToDictionaryAsync(a => a.CustomerId, a => a.Balance, ct);
        var spend = await SpendsAsync(customerIds, clock.GetUtcNow().UtcDateTime, ct);
        return customerIds.Distinct().ToDictionary(
            id => id,
            id => (balances.GetValueOrDefault(id), LoyaltyPrograms.TierFor(program, spend.GetValueOrDefault(id))?.Name));
    }

    /// <summary>The customer's paid spend over the last 12 months: order totals of paid (or partly refunded) orders, less their refunds.</summary>
    public async Task<decimal> SpendAsync(Guid customerId, DateTime now, CancellationToken ct) =>
        (await SpendsAsync([customerId], now, ct)).GetValueOrDefault(customerId);

    /// <summary><see cref="SpendAsync"/> for many customers at once, in two queries; a customer without such orders has no entry.</summary>
    private async Task<Dictionary<Guid, decimal>> SpendsAsync(IReadOnlyCollection<Guid> customerIds, DateTime now, CancellationToken ct) =>
        (await SpendingOrdersAsync(customerIds, now.AddDays(-SpendWindowDays), ct))
            .GroupBy(o => o.CustomerId).ToDictionary(g => g.Key, g => g.Sum(o => o.Net));

    /// <summary>The customers' orders that count as spend since <paramref name="since"/>, each with its total less its refunds, in two queries.</summary>
    private async Task<List<SpendingOrder>> SpendingOrdersAsync(IReadOnlyCollection<Guid> customerIds, DateTime since, CancellationToken ct)
    {
        var orders = await db.Orders.AsNoTracking()
            .Where(o => o.CustomerId != null && customerIds.Contains(o.CustomerId.Value) && o.CreatedAt >= since && o.Status != OrderStatus.Cancelled
                && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded))
            .Select(o => new { o.Id, CustomerId = o.CustomerId!.Value, o.CreatedAt, o.Total })
            .ToListAsync(ct);
        if (orders.Count == 0)
        {
            // A first order: no refunds to read.
            return [];
        }

        var orderIds = orders.Select(o => o.Id).ToList();
        var refunded = (await db.Payments.AsNoTracking().Where(p => orderIds.Contains(p.OrderId)).Select(p => new { p.OrderId, p.RefundedAmount }).ToListAsync(ct))
            .ToLookup(p => p.OrderId, p => p.RefundedAmount);
        return [.. orders.Select(o => new SpendingOrder(o.Id, o.CustomerId, o.CreatedAt, o.Total - refunded[o.Id].Sum()))];
    }

    private sealed record SpendingOrder(Guid Id, Guid CustomerId, DateTime CreatedAt, decimal Net);

    public static LoyaltyEntryView ToView(LoyaltyEntry e) =>
        new(e.Id, StorekeepDbContext.ToSnakeCase(e.Type.ToString()), e.Points, e.OrderId, e.Reason, e.CreatedAt, e.ExpiresAt);

    // ---- manual adjustments ----

    public async Task<CustomerLoyaltyView> AdjustAsync(Guid customerId, LoyaltyAdjustmentRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var points = v.Quantity("points", request.Points, allowNegative: true);
        var reason = v.Required("reason", request.Reason, LoyaltyEntry.ReasonMaxLength);
        v.ThrowIfInvalid();
        if (!await db.Set<Customer>().AnyAsync(c => c.Id == customerId, ct))
        {
            throw Errors.NotFound("customer", customerId.ToString());
        }

        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var program = await programs.LoadAsync(token);
            await PostAsync(customerId, LoyaltyEntryType.Adjust, points, null, null, $"{reason} ({actor.Name})", points > 0 ? ExpiryFor(program, now) : null, now, token);
            await db.SaveChangesAsync(token);
        }, ct);
        return await GetAsync(customerId, null, null, ct);
    }

    // ---- from order events ----

    /// <summary>
    /// order.paid, for each of a batch of paid orders with the time it was paid: points =
    /// floor(merchandise after discounts × pointsPerUnit × the tier multiplier), with the tier as
    /// the customer's 12-month spend stood before this order (its other counting orders, this one
    /// left out). Shipping and tax earn nothing (with tax-inclusive prices the merchandise amount
    /// holds its tax). The orders are read in one query and the spends in two, whatever the batch's
    /// size; each entry then takes its one balance statement. The caller saves.
    /// </summary>
    public async Task EarnAsync(IReadOnlyCollection<(Guid OrderId, DateTime PaidAt)> paid, CancellationToken ct)
    {
        var program = await programs.LoadAsync(ct);
        if (!program.Enabled || program.PointsPerUnit == 0 || paid.Count == 0)
        {
            return;
        }

        // An order paid twice in the batch (a retried batch hands its events over again) earns once:
        // its entry's key is checked against saved entries only.
        var once = paid.DistinctBy(p => p.OrderId).ToList();
        var ids = once.Select(p => p.OrderId).ToList();
        var orders = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id))
            .Select(o => new { o.Id, o.CustomerId, o.Subtotal, o.DiscountTotal, o.ShippingDiscount, o.Status })
            .ToDictionaryAsync(o => o.Id, ct);
        var earning = once.Where(p => orders.TryGetValue(p.OrderId, out var o) && o.CustomerId is not null && o.Status != OrderStatus.Cancelled).ToList();
        if (earning.Count == 0)
        {
            return;
        }

        // Without tiers the 12-month spend decides nothing: its two queries are skipped.
        var tiered = LoyaltyPrograms.TiersOf(program).Count > 0;
        var spending = tiered
            ? (await SpendingOrdersAsync([.. earning.Select(p => orders[p.OrderId].CustomerId!.Value).Distinct()], earning.Min(p => p.PaidAt).AddDays(-SpendWindowDays), ct))
                .ToLookup(o => o.CustomerId)
            : null;
        foreach (var (orderId, now) in earning)
        {
            var order = orders[orderId];
            var customerId = order.CustomerId!.Value;
            var since = now.AddDays(-SpendWindowDays);
            var multiplier = spending is null
                ? 1m
                : LoyaltyPrograms.TierFor(program, spending[customerId].Where(o => o.Id != orderId && o.CreatedAt >= since).Sum(o => o.Net))?.Multiplier ?? 1m;
            var merchandise = order.Subtotal - (order.DiscountTotal - order.ShippingDiscount);
            var points = (long)decimal.Floor(Math.Max(0m, merchandise) * program.PointsPerUnit * multiplier);
            await PostAsync(customerId, LoyaltyEntryType.Earn, points, orderId, $"earn:{orderId}", null, ExpiryFor(program, now), now, ct);
        }
    }

    /// <summary>
    /// refund.created: earned points come back in proportion to what was refunded, cumulatively
    /// (reversed so far = floor(earned × refunded ÷ captured)), so partial refunds never drift
    /// from the full reversal. A reversal takes at most the current balance: points already spent stay spent.
    /// </summary>
    public async Task ReverseForRefundAsync(Guid orderId, Guid refundId, DateTime now, CancellationToken ct)
    {
        var payments = await db.Payments.AsNoTracking().Where(p => p.OrderId == orderId)
            .Select(p => new { p.CapturedAmount, p.RefundedAmount }).ToListAsync(ct);
        var captured = payments.Sum(p => p.CapturedAmount);
        var refunded = Math.Min(payments.Sum(p => p.RefundedAmount), captured);
        if (captured <= 0)
        {
            return;
        }

        await ReverseEarnedAsync(orderId, MinorUnits.ToMinor(refunded), MinorUnits.ToMinor(captured), $"reverse:{orderId}:{refundId}", now, ct);
    }

    /// <summary>order.cancelled: the order's earned points go in full, and the points it redeemed come back.</summary>
    public async Task ReverseForCancellationAsync(Guid orderId, DateTime now, CancellationToken ct)
    {
        await ReverseEarnedAsync(orderId, 1, 1, $"reverse:{orderId}:cancel", now, ct);
        var redeemed = await db.Set<LoyaltyEntry>().AsNoTracking()
            .Where(e => e.OrderId == orderId && e.Type == LoyaltyEntryType.Redeem)
            .Select(e => new { e.CustomerId, e.Points }).ToListAsync(ct);
        foreach (var entry in redeemed)
        {
            var program = await programs.LoadAsync(ct);
            await PostAsync(entry.CustomerId, LoyaltyEntryType.Reverse, -entry.Points, orderId, $"return:{orderId}", "Order cancelled: redeemed points returned", ExpiryFor(program, now), now, ct);
        }
    }

    /// <summary>Reverses what is left of <paramref name="part"/>/<paramref name="whole"/> of the order's earned points (integer arithmetic: no rounding drift).</summary>
    private async Task ReverseEarnedAsync(Guid orderId, long part, long whole, string key, DateTime now, CancellationToken ct)
    {
        var entries = await db.Set<LoyaltyEntry>().AsNoTracking()
            .Where(e => e.OrderId == orderId && (e.Type == LoyaltyEntryType.Earn || (e.Type == LoyaltyEntryType.Reverse && e.Points < 0)))
            .Select(e => new { e.CustomerId, e.Type, e.Points }).ToListAsync(ct);
        var earned = entries.FirstOrDefault(e => e.Type == LoyaltyEntryType.Earn);
        if (earned is null)
        {
            return;
        }

        var reversedSoFar = -entries.Where(e => e.Type == LoyaltyEntryType.Reverse).Sum(e => e.Points);
        var target = (long)((Int128)earned.Points * part / whole);
        var balance = await BalanceAsync(earned.CustomerId, ct);
        var take = Math.Min(target - reversedSoFar, balance);
        if (take > 0)
        {
            await PostAsync(earned.CustomerId, LoyaltyEntryType.Reverse, -take, orderId, key, part == whole && key.EndsWith(":cancel", StringComparison.Ordinal) ? "Order cancelled" : "Order refunded", null, now, ct);
        }
    }

    // ---- expiry ----

    /// <summary>
    /// Expires, for every customer with credits past their date, what is left of them. Points leave
    /// the ledger oldest first (every debit uses up the oldest credits first), so what expires is
    /// max(0, credits past their date − debits − already expired). Each customer is done in a
    /// transaction that first locks the account row, so two nodes sweeping expire nothing twice.
    /// Returns the points expired.
    /// </summary>
    public async Task<long> ExpireAsync(DateTime now, CancellationToken ct)
    {
        var customers = await db.Set<LoyaltyEntry>().AsNoTracking()
            .Where(e => !e.ExpiryChecked && e.ExpiresAt != null && e.ExpiresAt <= now && e.Points > 0)
            .Select(e => e.CustomerId).Distinct().Take(500).ToListAsync(ct);
        long expired = 0;
        foreach (var customerId in customers)
        {
            expired += await db.InTransactionAsync(token => ExpireCustomerAsync(customerId, now, token), ct);
        }

        return expired;
    }

    private async Task<long> ExpireCustomerAsync(Guid customerId, DateTime now, CancellationToken ct)
    {
        // A no-op update takes the account's row lock (PostgreSQL; SQLite holds the write lock already).
        await db.Set<LoyaltyAccount>().Where(a => a.CustomerId == customerId)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.Balance, a => a.Balance), ct);
        var entries = db.Set<LoyaltyEntry>().AsNoTracking().Where(e => e.CustomerId == customerId);
        var creditsDue = await entries.Where(e => e.Points > 0 && e.ExpiresAt != null && e.ExpiresAt <= now).SumAsync(e => e.Points, ct);
        var debits = -await entries.Where(e => e.Points < 0 && e.Type != LoyaltyEntryType.Expire).SumAsync(e => e.Points, ct);
        var expiredSoFar = -await entries.Where(e => e.Type == LoyaltyEntryType.Expire).SumAsync(e => e.Points, ct);
        var balance = await BalanceAsync(customerId, ct);
        var expire = Math.Min(Math.Max(0, creditsDue - debits - expiredSoFar), balance);
        if (expire > 0)
        {
            await PostAsync(customerId, LoyaltyEntryType.Expire, -expire, null, null, "Points expired", null, now, ct);
        }

        await db.Set<LoyaltyEntry>().Where(e => e.CustomerId == customerId && !e.ExpiryChecked && e.ExpiresAt != null && e.ExpiresAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.ExpiryChecked, true), ct);
        await db.SaveChangesAsync(ct);
        return expire;
    }

    // ---- the one way an entry is written ----

    /// <summary>
    /// Writes one entry and moves the balance by <paramref name="points"/> with a guarded update,
    /// in the caller's transaction (the caller saves). A debit the balance cannot cover throws 422
    /// insufficient_points. An entry whose <paramref name="key"/> exists already is skipped (null).
    /// Raises loyalty.points_changed with the change.
    /// </summary>
    public async Task<LoyaltyEntry?> PostAsync(Guid customerId, LoyaltyEntryType type, long points, Guid? orderId, string? key, string? reason, DateTime? expiresAt, DateTime now, CancellationToken ct)
    {
        if (points == 0)
        {
            return null;
        }

        // One statement moves the balance and answers the new one, unless an entry with the key is
        // there already (then it changes nothing; a null key matches no entry): a credit creates the
        // account if need be; a debit is guarded (no account, or too small a balance, changes no row).
        var move = points > 0
            ? (FormattableString)$"INSERT INTO loyalty_accounts (customer_id, balance) SELECT {customerId}, {points} WHERE NOT EXISTS (SELECT 1 FROM loyalty_entries WHERE \"key\" = {key}) ON CONFLICT (customer_id) DO UPDATE SET balance = loyalty_accounts.balance + excluded.balance RETURNING balance AS \"Value\""
            : (FormattableString)$"UPDATE loyalty_accounts SET balance = balance + {points} WHERE customer_id = {customerId} AND balance >= {-points} AND NOT EXISTS (SELECT 1 FROM loyalty_entries WHERE \"key\" = {key}) RETURNING balance AS \"Value\"";
        var after = (await db.Database.SqlQuery<long>(move).ToListAsync(ct)).Cast<long?>().SingleOrDefault();
        if (after is null)
        {
            // No row moved: the key's entry exists (nothing to do), or a debit the balance cannot cover.
            if (key is not null && (points > 0 || await db.Set<LoyaltyEntry>().AnyAsync(e => e.Key == key, ct)))
            {
                return null;
            }

            var balance = await BalanceAsync(customerId, ct);
            throw InsufficientPoints(-points, balance);
        }

        var entry = new LoyaltyEntry
        {
            CustomerId = customerId, Type = type, Points = points, OrderId = orderId, Key = key, Reason = reason, CreatedAt = now, ExpiresAt = points > 0 ? expiresAt : null,
        };
        db.Set<LoyaltyEntry>().Add(entry);
        db.Raise(new LoyaltyPointsChanged(customerId, entry.Id, ToView(entry).Type, points, after.Value, orderId, reason), now);
        return entry;
    }

    /// <summary>The customer's balance now (0 without an account).</summary>
    private Task<long> BalanceAsync(Guid customerId, CancellationToken ct) =>
        db.Set<LoyaltyAccount>().AsNoTracking().Where(a => a.CustomerId == customerId).Select(a => a.Balance).SingleOrDefaultAsync(ct);

    public static StorekeepException InsufficientPoints(long wanted, long balance) =>
        Errors.Unprocessable("insufficient_points", $"{wanted} points were asked for, but the balance is {balance}.");

    public static DateTime? ExpiryFor(LoyaltyProgram program, DateTime now) => program.ExpiryDays is { } days ? now.AddDays(days) : null;
}

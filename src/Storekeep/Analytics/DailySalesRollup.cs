using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Analytics;

/// <summary>
/// Keeps <see cref="DailySales"/>, <see cref="DailyKpi"/> and <see cref="CustomerMonth"/> exact, as the event subscriber
/// <see cref="SubscriberName"/> (registered from the beginning of the feed, so the rollups cover
/// every order ever placed). Each order or refund event recomputes, from the orders and refunds
/// themselves, every day the order touches (the day it was placed and the days of its refunds), and
/// the days of its customer's first order before and after the change (an earlier order, or a
/// cancelled first one, moves who is new), once per batch of events, and the customer-month shares
/// of the orders' customers. Recomputing a whole day, or a customer's share, from the source rows
/// is idempotent, so replays and concurrent changes cannot drift.
/// </summary>
public sealed class DailySalesRollup(StorekeepDbContext db) :
    IEventHandler<OrderPlaced>,
    IEventHandler<OrderPaid>,
    IEventHandler<OrderCancelled>,
    IEventHandler<RefundCreated>,
    IEventBatchCompletion
{
    public const string SubscriberName = "daily-sales";

    /// <summary>
    /// Events per batch: a batch recomputes each day it touches once, whatever its size, so at
    /// tens of thousands of orders a day the default 200 made the rollup the slowest subscriber
    /// (~120 events/s, holding back the feed at 150 checkouts/s); 2,000 keeps it ahead.
    /// </summary>
    public const int BatchSize = 2_000;

    /// <summary>
    /// Rest after catching up (<see cref="EventSubscriber.Pause"/>): each batch recomputes the whole
    /// of today from today's orders, so run after every few orders it re-read a busy day's orders
    /// (and the bench's: thousands) twice a second. The reports lag the orders by up to this much.
    /// </summary>
    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    private readonly HashSet<Guid> _touched = [];

    public Task HandleAsync(OrderPlaced evt, EventContext context, CancellationToken ct) => TouchAsync(evt.OrderId);

    public Task HandleAsync(OrderPaid evt, EventContext context, CancellationToken ct) => TouchAsync(evt.OrderId);

    public Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct) => TouchAsync(evt.OrderId);

    public Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct) => TouchAsync(evt.OrderId);

    /// <summary>Recomputes every day the batch's orders touch, each once.</summary>
    public async Task CompleteBatchAsync(CancellationToken ct)
    {
        var orderIds = _touched.ToList();
        _touched.Clear();
        await RefreshOrdersAsync(orderIds, ct);
    }

    /// <summary>
    /// Recomputes every day <paramref name="orderIds"/> touch: the days they were placed, the days
    /// of their refunds, and for each of their customers the day of the first order now and the day
    /// of the earliest order among the others (the first before these orders changed).
    /// </summary>
    public async Task RefreshOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken ct)
    {
        if (orderIds.Count == 0)
        {
            return;
        }

        var days = new HashSet<DateOnly>();
        var touched = new List<(Guid? CustomerId, string Email)>();
        foreach (var chunk in orderIds.Chunk(200))
        {
            var placed = await db.Orders.AsNoTracking().Where(o => chunk.Contains(o.Id)).Select(o => new { o.CreatedAt, o.CustomerId, o.Email }).ToListAsync(ct);
            var refunded = await db.Refunds.AsNoTracking().Where(r => chunk.Contains(r.OrderId)).Select(r => r.CreatedAt).ToListAsync(ct);
            days.UnionWith(placed.Select(o => o.CreatedAt).Concat(refunded).Select(DayOf));
            touched.AddRange(placed.Select(o => (o.CustomerId, o.Email)));
        }

        var ids = orderIds.ToHashSet();
        foreach (var customer in (await DailyKpiFigures.OrdersOfCustomersAsync(db, touched, ct)).GroupBy(o => (o.Currency, o.Customer)))
        {
            days.Add(DayOf(customer.Min(o => o.CreatedAt)));
            if (customer.Where(o => !ids.Contains(o.Id)).Select(o => o.CreatedAt).DefaultIfEmpty().Min() is var before && before != default)
            {
                days.Add(DayOf(before));
            }
        }

        foreach (var day in days.Order())
        {
            await RecomputeDayAsync(day, ct);
        }

        await new CustomerMonthsRollup(db).RefreshAsync(touched, ct);
    }

    /// <summary>Replaces the rows of <paramref name="day"/> with figures computed from orders and refunds.</summary>
    public async Task RecomputeDayAsync(DateOnly day, CancellationToken ct)
    {
        var computed = await ComputeDayAsync(db, day, ct);
        await db.DailySales.Where(d => d.Day == day).ExecuteDeleteAsync(ct);
        foreach (var stale in db.ChangeTracker.Entries<DailySales>().Where(e => e.Entity.Day == day).ToList())
        {
            stale.State = EntityState.Detached;
        }

        db.DailySales.AddRange(computed.Select(c => c with { Day = day }).Select(ToRow));

        var kpis = await DailyKpiFigures.ComputeAsync(db, day, day.AddDays(1), null, ct);
        await db.DailyKpis.Where(d => d.Day == day).ExecuteDeleteAsync(ct);
        foreach (var stale in db.ChangeTracker.Entries<DailyKpi>().Where(e => e.Entity.Day == day).ToList())
        {
            stale.State = EntityState.Detached;
        }

        db.DailyKpis.AddRange(kpis);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Recomputes every day from scratch (after a bulk import, the demo seed, or by hand).
    /// Returns the days written.
    /// </summary>
    public async Task<int> RebuildAsync(CancellationToken ct)
    {
        // Replaced in one transaction (the caller's when it has one), so readers never see it empty.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

        // The subscriber may be recomputing a day meanwhile (an order paid or cancelled during the
        // rebuild). On PostgreSQL its writes wait here until the rebuild commits, then recompute
        // the day over the rebuilt rows; without the lock, its insert of a day the rebuild had
        // not yet written collided with the rebuild's (a duplicate key at a million orders).
        // Readers are not blocked. SQLite's single writer already queues them. The order matches
        // the subscriber's (daily sales, KPIs, customer months), so the two cannot deadlock.
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync(
                "LOCK TABLE daily_sales, daily_kpis, customer_months, customer_months_shares IN SHARE ROW EXCLUSIVE MODE", ct);
        }

        var rows = await SumByDayAsync(db, null, null, ct);
        await db.DailySales.ExecuteDeleteAsync(ct);
        foreach (var chunk in rows.OrderBy(f => f.Day).Chunk(500))
        {
            db.DailySales.AddRange(chunk.Select(ToRow));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        await RebuildKpisAsync(ct);
        await new CustomerMonthsRollup(db).RebuildAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        return rows.Count;
    }

    /// <summary>Replaces every <see cref="DailyKpi"/> row, a month of days at a time (customers' first orders in one query).</summary>
    private async Task RebuildKpisAsync(CancellationToken ct)
    {
        await db.DailyKpis.ExecuteDeleteAsync(ct);
        var counted = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled);
        var first = await counted.MinAsync(o => (DateTime?)o.CreatedAt, ct);
        var last = await counted.MaxAsync(o => (DateTime?)o.CreatedAt, ct);
        var lastRefund = await db.Refunds.AsNoTracking().MaxAsync(r => (DateTime?)r.CreatedAt, ct);
        if (first is not { } from)
        {
            return;
        }

        var to = DayOf(new[] { last!.Value, lastRefund ?? from }.Max()).AddDays(1);
        var firsts = await DailyKpiFigures.AllFirstOrdersAsync(db, ct);
        var month = new DateOnly(DayOf(from).Year, DayOf(from).Month, 1);
        for (; month < to; month = month.AddMonths(1))
        {
            var rows = await DailyKpiFigures.ComputeAsync(db, month, month.AddMonths(1), firsts, ct);
            foreach (var chunk in rows.Chunk(1000))
            {
                db.DailyKpis.AddRange(chunk);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Figures per currency for orders placed and refunds created on <paramref name="day"/>, straight from the source tables.</summary>
    internal static Task<IReadOnlyList<DayFigures>> ComputeDayAsync(StorekeepDbContext db, DateOnly day, CancellationToken ct) =>
        SumByDayAsync(db, Start(day), Start(day.AddDays(1)), ct);

    /// <summary>
    /// Figures per UTC day and currency for [from, to), or for all time when both are null. The
    /// database sums (three GROUP BY day and currency queries), so a busy day or a million orders
    /// cost three aggregate scans, not every order, line and refund shipped to the app.
    /// </summary>
    internal static async Task<IReadOnlyList<DayFigures>> SumByDayAsync(StorekeepDbContext db, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var orders = await OrdersQuery(db, from, to)
            .GroupBy(o => new { o.CreatedAt.Date, o.Currency })
            .Select(g => new { g.Key.Date, g.Key.Currency, Orders = g.Count(), Gross = g.Sum(o => o.Total) })
            .ToListAsync(ct);
        var units = await UnitsQuery(db, from, to)
            .GroupBy(u => new { u.CreatedAt.Date, u.Currency })
            .Select(g => new { g.Key.Date, g.Key.Currency, Units = g.Sum(u => (long)u.Quantity) })
            .ToListAsync(ct);
        var refunds = await RefundsQuery(db, from, to)
            .GroupBy(r => new { r.CreatedAt.Date, r.Currency })
            .Select(g => new { g.Key.Date, g.Key.Currency, Amount = g.Sum(r => r.Amount) })
            .ToListAsync(ct);

        // One entry per day and currency; the same day may come back from each query.
        var rows = new Dictionary<(DateOnly, string), DayFigures>();
        DayFigures Row(DateTime date, string currency)
        {
            var key = (DayOf(date), currency);
            return rows.GetValueOrDefault(key) ?? new DayFigures(key.Item1, currency, 0, 0, 0, 0);
        }

        foreach (var o in orders)
        {
            var f = Row(o.Date, o.Currency);
            rows[(f.Day, f.Currency)] = f with { Orders = f.Orders + o.Orders, Gross = f.Gross + o.Gross };
        }

        foreach (var u in units)
        {
            var f = Row(u.Date, u.Currency);
            rows[(f.Day, f.Currency)] = f with { Units = f.Units + u.Units };
        }

        foreach (var r in refunds)
        {
            var f = Row(r.Date, r.Currency);
            rows[(f.Day, f.Currency)] = f with { Refunds = f.Refunds + r.Amount };
        }

        return [.. rows.Values];
    }

    private static IQueryable<Order> OrdersQuery(StorekeepDbContext db, DateTime? from, DateTime? to)
    {
        var orders = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled);
        return from is { } f && to is { } t ? orders.Where(o => o.CreatedAt >= f && o.CreatedAt < t) : orders;
    }

    private static IQueryable<UnitRow> UnitsQuery(StorekeepDbContext db, DateTime? from, DateTime? to)
    {
        return OrdersQuery(db, from, to).Join(db.OrderLines.AsNoTracking(), o => o.Id, l => l.OrderId, (o, l) => new UnitRow { CreatedAt = o.CreatedAt, Currency = o.Currency, Quantity = l.Quantity });
    }

    private static IQueryable<RefundRow> RefundsQuery(StorekeepDbContext db, DateTime? from, DateTime? to)
    {
        var refunds = db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded);
        if (from is { } f && to is { } t)
        {
            refunds = refunds.Where(r => r.CreatedAt >= f && r.CreatedAt < t);
        }

        return refunds.Join(db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled), r => r.OrderId, o => o.Id, (r, o) => new RefundRow { CreatedAt = r.CreatedAt, Currency = o.Currency, Amount = r.Amount });
    }

    internal static DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(utc);

    internal static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static DailySales ToRow(DayFigures f) =>
        new() { Day = f.Day, Currency = f.Currency, Orders = f.Orders, Gross = f.Gross, Refunds = f.Refunds, Units = f.Units };

    private Task TouchAsync(Guid orderId)
    {
        // An event without an order id (written by hand or by an older version) touches no day.
        if (orderId != Guid.Empty)
        {
            _touched.Add(orderId);
        }

        return Task.CompletedTask;
    }

    // Member-initialised (not positional) so EF can group and sum over the projection in SQL.
    private sealed class UnitRow
    {
        public DateTime CreatedAt { get; init; }
        public required string Currency { get; init; }
        public int Quantity { get; init; }
    }

    private sealed class RefundRow
    {
        public DateTime CreatedAt { get; init; }
        public required string Currency { get; init; }
        public decimal Amount { get; init; }
    }
}

/// <summary>Sales figures of one day (or any span) in one currency.</summary>
public sealed record DayFigures(DateOnly Day, string Currency, int Orders, decimal Gross, decimal Refunds, long Units)
{
    public decimal Revenue => Gross - Refunds;
}

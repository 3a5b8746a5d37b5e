using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Store;

namespace Storekeep.Analytics;

/// <summary>
/// Figures of one period and of the period of the same length just before it. Today, which is not
/// over yet, is compared with yesterday up to the same time of day: <see cref="PreviousUntil"/> is
/// the instant the previous figures stop (exclusive), the start of <see cref="From"/> for the others.
/// </summary>
public sealed record PeriodComparison(string Period, int Days, DateOnly From, DateOnly To, PeriodFigures Current, PeriodFigures Previous, DateTime PreviousUntil);

public sealed record PeriodFigures(int Orders, decimal Gross, decimal Refunds, decimal Revenue, decimal AverageOrderValue, long Units)
{
    public static PeriodFigures Of(IEnumerable<DayFigures> days)
    {
        var list = days.ToList();
        var orders = list.Sum(d => d.Orders);
        var gross = list.Sum(d => d.Gross);
        var refunds = list.Sum(d => d.Refunds);
        return new PeriodFigures(orders, gross, refunds, gross - refunds, orders == 0 ? 0m : Math.Round(gross / orders, 2, MidpointRounding.AwayFromZero), list.Sum(d => d.Units));
    }

    /// <summary>Percent change from <paramref name="previous"/> to <paramref name="current"/>; null when there is nothing to compare with.</summary>
    public static decimal? Change(decimal current, decimal previous) =>
        previous == 0m ? null : Math.Round((current - previous) / Math.Abs(previous) * 100m, 1, MidpointRounding.AwayFromZero);
}

public sealed record DailyRevenue(DateOnly Day, decimal Revenue, int Orders);

public sealed record OrderToShip(long Number, string Email, decimal Total, string Currency, PaymentStatus PaymentStatus, FulfillmentStatus FulfillmentStatus, DateTime CreatedAt);

public sealed record DashboardView(
    string Currency,
    DateOnly Today,
    IReadOnlyList<PeriodComparison> Periods,
    IReadOnlyList<DailyRevenue> Revenue30Days,
    IReadOnlyList<StockLevelView> LowStock,
    int LowStockCount,
    IReadOnlyList<OrderToShip> ToShip,
    int ToShipCount);

/// <summary>
/// The back-office dashboard. Closed days come from the <see cref="DailySales"/> rollup (at most 60
/// rows), today is computed live over the orders placed since midnight (index on orders.created_at),
/// so the cost does not grow with the number of orders in the store. Definitions: docs/analytics.md.
/// </summary>
public sealed class SalesDashboard(StorekeepDbContext db, TimeProvider clock)
{
    public const int ListSize = 10;

    public static readonly IReadOnlyList<(string Name, int Days)> PeriodLengths = [("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)];

    /// <summary>Daily figures for [from, to] (UTC days, inclusive) in <paramref name="currency"/>; days without sales are zero.</summary>
    public async Task<IReadOnlyList<DayFigures>> DailyAsync(DateOnly from, DateOnly to, string currency, CancellationToken ct)
    {
        var today = DailySalesRollup.DayOf(clock.GetUtcNow().UtcDateTime);
        var rolled = await db.DailySales.AsNoTracking()
            .Where(d => d.Currency == currency && d.Day >= from && d.Day <= to && d.Day < today)
            .ToListAsync(ct);
        var byDay = rolled.ToDictionary(d => d.Day, d => new DayFigures(d.Day, d.Currency, d.Orders, d.Gross, d.Refunds, d.Units));
        if (from <= today && today <= to)
        {
            var live = await DailySalesRollup.ComputeDayAsync(db, today, ct);
            if (live.FirstOrDefault(f => f.Currency == currency) is { } mine)
            {
                byDay[today] = mine;
            }
        }

        var days = new List<DayFigures>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            days.Add(byDay.GetValueOrDefault(day) ?? new DayFigures(day, currency, 0, 0m, 0m, 0));
        }

        return days;
    }

    /// <summary>Today (against yesterday up to the same time), 7 and 30 days (each ending today) against the same number of days before.</summary>
    public async Task<IReadOnlyList<PeriodComparison>> PeriodsAsync(string currency, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DailySalesRollup.DayOf(now);
        return Periods(now, await DailyAsync(FirstDay(today), today, currency, ct), await YesterdayUntilAsync(now, currency, ct));
    }

    public async Task<DashboardView> GetAsync(CancellationToken ct)
    {
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DailySalesRollup.DayOf(now);

        // One read of the days serves the periods and the chart: today is computed live once.
        var days = await DailyAsync(FirstDay(today), today, currency, ct);
        var periods = Periods(now, days, await YesterdayUntilAsync(now, currency, ct));
        var chart = days.Where(d => d.Day >= today.AddDays(-29)).Select(d => new DailyRevenue(d.Day, d.Revenue, d.Orders)).ToList();

        var lowStockQuery = db.StockLevels.AsNoTracking().AtOrBelowThreshold();
        var lowStock = await lowStockQuery
            .OrderBy(s => s.Available).ThenBy(s => s.Sku).Take(ListSize)
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { s.Id, s.Sku, w.Code, s.OnHand, s.Reserved, s.Available, s.LowStockThreshold })
            .ToListAsync(ct);
        var lowStockCount = await lowStockQuery.CountAsync(ct);

        var toShipQuery = WaitingToShip(db);
        var toShip = await toShipQuery.OrderBy(o => o.Number).Take(ListSize)
            .Select(o => new OrderToShip(o.Number, o.Email, o.Total, o.Currency, o.PaymentStatus, o.FulfillmentStatus, o.CreatedAt))
            .ToListAsync(ct);

        return new DashboardView(
            currency,
            today,
            periods,
            chart,
            lowStock.Select(s => new StockLevelView(s.Id, s.Sku, s.Code, s.OnHand, s.Reserved, s.Available, s.LowStockThreshold)).ToList(),
            lowStockCount,
            toShip,
            await toShipQuery.CountAsync(ct));
    }

    /// <summary>The first day the periods and their previous periods cover (the chart's 30 days are inside).</summary>
    private static DateOnly FirstDay(DateOnly today) => today.AddDays(1 - (2 * PeriodLengths.Max(p => p.Days)));

    /// <summary>
    /// Yesterday from midnight up to the same time of day as <paramref name="now"/>, computed live
    /// (a day's orders and refunds by index): compared with all of yesterday, today so far showed
    /// a fall every morning.
    /// </summary>
    private async Task<PeriodFigures> YesterdayUntilAsync(DateTime now, string currency, CancellationToken ct)
    {
        var yesterday = DailySalesRollup.DayOf(now).AddDays(-1);
        var figures = await DailySalesRollup.SumByDayAsync(db, DailySalesRollup.Start(yesterday), now.AddDays(-1), ct);
        return PeriodFigures.Of(figures.Where(f => f.Currency == currency));
    }

    private static List<PeriodComparison> Periods(DateTime now, IReadOnlyList<DayFigures> days, PeriodFigures yesterdayUntilNow)
    {
        var today = DailySalesRollup.DayOf(now);
        return PeriodLengths.Select(p =>
        {
            var from = today.AddDays(1 - p.Days);
            var previousFrom = from.AddDays(-p.Days);
            var current = PeriodFigures.Of(days.Where(d => d.Day >= from && d.Day <= today));
            return p.Days == 1
                ? new PeriodComparison(p.Name, p.Days, from, today, current, yesterdayUntilNow, now.AddDays(-1))
                : new PeriodComparison(p.Name, p.Days, from, today, current, PeriodFigures.Of(days.Where(d => d.Day >= previousFrom && d.Day < from)), DailySalesRollup.Start(from));
        }).ToList();
    }

    /// <summary>Open orders that are paid (or partly refunded) and not fully shipped: the warehouse's queue.</summary>
    public static IQueryable<Order> WaitingToShip(StorekeepDbContext db) =>
        db.Orders.AsNoTracking().Where(o =>
            o.Status == OrderStatus.Open
            && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded)
            && (o.FulfillmentStatus == FulfillmentStatus.Unfulfilled || o.FulfillmentStatus == FulfillmentStatus.PartiallyShipped));
}

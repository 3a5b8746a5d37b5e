using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Pricing;

namespace Storekeep.Analytics;

public sealed record FulfillmentReportView(
    DateOnly From,
    DateOnly To,
    int Orders,
    int Shipped,
    double? OrderToShipHoursMedian,
    double? OrderToShipHoursP90,
    decimal? OnTimeShipmentRate,
    decimal? SplitShipmentRate,
    decimal? PickAccuracy,
    int OnTimeHours);

/// <summary>
/// How fast placed orders ship: the orders placed in [from, to) and not cancelled, each measured
/// from placement to its first shipment. On time: shipped within the hours its shipping method
/// promises (<see cref="ShippingMethod.ShipWithinHours"/>, as the method is now), or within
/// <see cref="OnTimeHours"/> when the order names no method that still exists. Pick accuracy: scans right ÷ all
/// scans made while picking these orders (null without scans). Definitions: docs/analytics.md, "Reports".
/// </summary>
public sealed class FulfillmentReport(StorekeepDbContext db, TimeProvider clock)
{
    public const int OnTimeHours = ShippingMethod.DefaultShipWithinHours;

    public async Task<FulfillmentReportView> GetAsync(string? from, string? to, CancellationToken ct)
    {
        var range = ReportRange.Parse(from, to, clock.GetUtcNow().UtcDateTime);
        var (start, end) = (range.Start, range.End);
        var orders = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled && o.CreatedAt >= start && o.CreatedAt < end);
        var count = await orders.CountAsync(ct);
        var shipped = await orders
            .Join(db.Shipments.AsNoTracking(), o => o.Id, s => s.OrderId, (o, s) => new { o.Id, o.CreatedAt, o.ShippingMethod, s.ShippedAt })
            .GroupBy(x => new { x.Id, x.CreatedAt, x.ShippingMethod })
            .Select(g => new { g.Key.CreatedAt, g.Key.ShippingMethod, First = g.Min(x => x.ShippedAt), Shipments = g.Count() })
            .ToListAsync(ct);
        var promises = await db.ShippingMethods.AsNoTracking().ToDictionaryAsync(m => m.Code, m => m.ShipWithinHours, StringComparer.Ordinal, ct);

        var scans = await orders
            .Join(db.PickScans.AsNoTracking(), o => o.Id, s => s.OrderId, (o, s) => s.Correct)
            .GroupBy(correct => correct)
            .Select(g => new { Correct = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var hours = shipped.Select(s => (s.First - s.CreatedAt).TotalHours).ToList();
        var onTime = shipped.Where((s, i) => hours[i] <= (s.ShippingMethod is { } m && promises.TryGetValue(m, out var promise) ? promise : OnTimeHours)).Count();
        return new FulfillmentReportView(
            range.From,
            range.To,
            count,
            shipped.Count,
            Round(ReportMath.Percentile(hours, 0.5)),
            Round(ReportMath.Percentile(hours, 0.9)),
            ReportMath.RateOrNull(onTime, shipped.Count),
            ReportMath.RateOrNull(shipped.Count(s => s.Shipments >= 2), shipped.Count),
            ReportMath.RateOrNull(scans.Where(s => s.Correct).Sum(s => s.Count), scans.Sum(s => s.Count)),
            OnTimeHours);
    }

    private static double? Round(double? hours) => hours is { } h ? Math.Round(h, 2, MidpointRounding.AwayFromZero) : null;
}

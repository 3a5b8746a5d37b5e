using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Analytics;

public sealed record CustomerAnalyticsView(
    string Currency,
    int Customers,
    decimal RepeatPurchaseRate,
    decimal ChurnRate,
    int ChurnThresholdDays,
    bool ChurnThresholdIsDefault,
    decimal AverageLifetimeValue,
    decimal? PredictedLifetimeValue12Months);

/// <summary>
/// Every customer who ever ordered (store currency, cancelled orders excluded; a customer is the
/// order's customer id, or else its email in lower case). Definitions: docs/analytics.md, "Reports".
/// </summary>
public sealed class CustomerAnalytics(StorekeepDbContext db, TimeProvider clock)
{
    /// <summary>The threshold when no customer has ordered twice yet (no gaps to learn from).</summary>
    public const int FallbackChurnDays = 90;

    public const int MaxChurnDays = 3650;

    public Task<CustomerAnalyticsView> GetAsync(int? churnThresholdDays, CancellationToken ct) =>
        GetAsync(churnThresholdDays, null, null, ct);

    /// <param name="from">With <paramref name="to"/> (ISO dates, to exclusive, as every report): only the orders placed
    /// in [from, to) count, and churn and the last 365 days are measured at <paramref name="to"/> (or now, if earlier).
    /// Without either, every order ever, measured now.</param>
    public async Task<CustomerAnalyticsView> GetAsync(int? churnThresholdDays, string? from, string? to, CancellationToken ct)
    {
        if (churnThresholdDays is < 1 or > MaxChurnDays)
        {
            throw Errors.BadRequest(AnalyticsErrors.InvalidChurnThresholdCode, $"'churnThresholdDays' must be between 1 and {MaxChurnDays}; not {churnThresholdDays}.");
        }

        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var counted = ReportMath.CountedOrders(db, currency);
        var now = clock.GetUtcNow().UtcDateTime;
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            var range = ReportRange.Parse(from, to, now);
            var (start, end) = (range.Start, range.End);
            counted = counted.Where(o => o.CreatedAt >= start && o.CreatedAt < end);
            now = end < now ? end : now;
        }

        var orders = await counted.Select(o => new { o.Id, o.CustomerId, o.Email, o.CreatedAt, o.Total }).ToListAsync(ct);
        var refunds = await ReportMath.RefundsByOrderAsync(db, counted, ct);

        var yearAgo = now.AddDays(-365);
        var customers = orders.GroupBy(o => ReportMath.CustomerKey(o.CustomerId, o.Email))
            .Select(g =>
            {
                var dates = g.Select(o => o.CreatedAt).Order().ToList();
                var recent = g.Where(o => o.CreatedAt >= yearAgo).ToList();
                return new
                {
                    Orders = dates.Count,
                    Last = dates[^1],
                    Gaps = dates.Zip(dates.Skip(1), (a, b) => (b - a).TotalDays).ToList(),
                    Value = g.Sum(o => o.Total - refunds.GetValueOrDefault(o.Id)),
                    RecentOrders = recent.Count,
                    RecentValue = recent.Sum(o => o.Total - refunds.GetValueOrDefault(o.Id)),
                };
            }).ToList();

        var isDefault = churnThresholdDays is null;
        var threshold = churnThresholdDays
            ?? (ReportMath.Percentile(customers.SelectMany(c => c.Gaps).ToList(), 0.8) is { } p ? Math.Max(1, (int)Math.Ceiling(p)) : FallbackChurnDays);
        var churned = customers.Count(c => (now - c.Last).TotalDays > threshold);
        var churnRate = ReportMath.Rate(churned, customers.Count);
        var active = customers.Where(c => c.RecentOrders > 0).ToList();
        decimal? predicted = active.Count == 0
            ? null
            : ReportMath.Money(active.Sum(c => c.RecentValue) / active.Count * (1m - churnRate));

        return new CustomerAnalyticsView(
            currency,
            customers.Count,
            ReportMath.Rate(customers.Count(c => c.Orders >= 2), customers.Count),
            churnRate,
            threshold,
            isDefault,
            customers.Count == 0 ? 0m : ReportMath.Money(customers.Sum(c => c.Value) / customers.Count),
            predicted);
    }
}

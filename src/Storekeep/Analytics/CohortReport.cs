using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Analytics;

/// <summary>One cohort: the customers whose first order was in <see cref="Cohort"/> (yyyy-MM).</summary>
/// <param name="Values">Index k: the metric in the k-th month after the first (0 = that month); null for months still to come.</param>
public sealed record CohortRow(string Cohort, int Customers, IReadOnlyList<decimal?> Values);

public sealed record CohortReportView(string Currency, string By, string Metric, int Periods, IReadOnlyList<CohortRow> Rows);

/// <summary>
/// Customers grouped by the month of their first order (rows: the last <c>periods</c> months,
/// this one included, or the months of [from, to) when given), followed month by month (columns: months since the first). Metrics:
/// customers who ordered, orders, or revenue (line amounts − discounts − the order's succeeded
/// refunds, in the month the order was placed). Store currency, cancelled orders excluded.
/// </summary>
public sealed class CohortReport(StorekeepDbContext db, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Metrics = ["customers", "revenue", "orders"];
    public const int MaxPeriods = 36;

    public Task<CohortReportView> GetAsync(string? by, string? metric, int? periods, CancellationToken ct) =>
        GetAsync(by, metric, periods, null, null, ct);

    /// <param name="from">With <paramref name="to"/> (ISO dates, to exclusive, as every report): the cohorts whose first
    /// order falls in the months of [from, to), instead of the last <paramref name="periods"/> months.</param>
    public async Task<CohortReportView> GetAsync(string? by, string? metric, int? periods, string? from, string? to, CancellationToken ct)
    {
        var grouping = string.IsNullOrWhiteSpace(by) ? "month" : by.Trim().ToLowerInvariant();
        if (grouping != "month")
        {
            throw Errors.BadRequest(AnalyticsErrors.InvalidCohortByCode, $"Cohorts are by 'month' only; not '{ReportRange.Shorten(by!)}'.");
        }

        var measure = string.IsNullOrWhiteSpace(metric) ? "customers" : metric.Trim().ToLowerInvariant();
        if (!Metrics.Contains(measure))
        {
            throw Errors.BadRequest(AnalyticsErrors.InvalidMetricCode, $"'metric' must be one of {string.Join(", ", Metrics)}; not '{ReportRange.Shorten(metric!)}'.");
        }

        var count = periods ?? 12;
        if (count is < 1 or > MaxPeriods)
        {
            throw Errors.BadRequest(AnalyticsErrors.InvalidPeriodsCode, $"'periods' must be between 1 and {MaxPeriods}; not {count}.");
        }

        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var counted = ReportMath.CountedOrders(db, currency);
        var orders = await counted.Select(o => new { o.Id, o.CustomerId, o.Email, o.CreatedAt, o.Subtotal, LineDiscounts = o.DiscountTotal - o.ShippingDiscount }).ToListAsync(ct);
        var refunds = await ReportMath.RefundsByOrderAsync(db, counted, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        var thisMonth = new DateOnly(now.Year, now.Month, 1);
        var firstCohort = thisMonth.AddMonths(1 - count);
        var lastCohort = thisMonth;
        if (!string.IsNullOrWhiteSpace(from) || !string.IsNullOrWhiteSpace(to))
        {
            var range = ReportRange.Parse(from, to, now);
            firstCohort = new DateOnly(range.From.Year, range.From.Month, 1);
            var lastDay = range.To.AddDays(-1);
            var lastMonth = new DateOnly(lastDay.Year, lastDay.Month, 1);
            lastCohort = lastMonth < thisMonth ? lastMonth : thisMonth;
        }

        var firstMonth = orders
            .GroupBy(o => ReportMath.CustomerKey(o.CustomerId, o.Email))
            .ToDictionary(g => g.Key, g => MonthOf(g.Min(o => o.CreatedAt)));

        var cells = new Dictionary<(DateOnly Cohort, int K), (HashSet<string> Customers, int Orders, decimal Revenue)>();
        foreach (var o in orders)
        {
            var key = ReportMath.CustomerKey(o.CustomerId, o.Email);
            var cohort = firstMonth[key];
            if (cohort < firstCohort || cohort > lastCohort)
            {
                continue;
            }

            var k = Months(cohort, MonthOf(o.CreatedAt));
            if (k >= count)
            {
                continue;
            }

            var cell = cells.TryGetValue((cohort, k), out var c) ? c : ([], 0, 0m);
            cell.Customers.Add(key);
            var revenue = o.Subtotal - KpiReport.DiscountOf(new KpiReport.OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, 0m, 0m, false, "", "", o.LineDiscounts))
                - refunds.GetValueOrDefault(o.Id);
            cells[(cohort, k)] = (cell.Customers, cell.Orders + 1, cell.Revenue + revenue);
        }

        var rows = new List<CohortRow>();
        for (var cohort = firstCohort; cohort <= lastCohort; cohort = cohort.AddMonths(1))
        {
            var values = new List<decimal?>();
            for (var k = 0; k < count; k++)
            {
                if (cohort.AddMonths(k) > thisMonth)
                {
                    values.Add(null);
                    continue;
                }

                var cell = cells.TryGetValue((cohort, k), out var c) ? c : ([], 0, 0m);
                values.Add(measure switch
                {
                    "customers" => cell.Customers.Count,
                    "orders" => cell.Orders,
                    _ => ReportMath.Money(cell.Revenue),
                });
            }

            var size = cells.TryGetValue((cohort, 0), out var first) ? first.Customers.Count : 0;
            rows.Add(new CohortRow(cohort.ToString("yyyy-MM", CultureInfo.InvariantCulture), size, values));
        }

        return new CohortReportView(currency, grouping, measure, count, rows);
    }

    private static DateOnly MonthOf(DateTime at) => new(at.Year, at.Month, 1);

    private static int Months(DateOnly from, DateOnly to) => ((to.Year - from.Year) * 12) + to.Month - from.Month;
}

using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Analytics;

/// <summary>The permission the reports need (the dashboard keeps orders.read).</summary>
public static class AnalyticsPermissions
{
    public const string Read = "analytics.read";
}

/// <summary>The problem codes the reports answer with (all 400), declared by the Analytics module.</summary>
public static class AnalyticsErrors
{
    public const string InvalidDateCode = "invalid_report_date";
    public const string InvalidRangeCode = "invalid_report_range";
    public const string RangeTooLongCode = "report_range_too_long";
    public const string InvalidGroupByCode = "invalid_report_group_by";
    public const string InvalidMetricCode = "invalid_cohort_metric";
    public const string InvalidCohortByCode = "invalid_cohort_by";
    public const string InvalidPeriodsCode = "invalid_cohort_periods";
    public const string InvalidChurnThresholdCode = "invalid_churn_threshold";

    public const int MaxYears = 5;
}

/// <summary>A report's span of UTC days: <see cref="From"/> inclusive, <see cref="To"/> exclusive.</summary>
public sealed record ReportRange(DateOnly From, DateOnly To)
{
    public DateTime Start => From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    public DateTime End => To.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>
    /// Parses ISO dates (yyyy-MM-dd). Without <paramref name="to"/> the range ends after today;
    /// without <paramref name="from"/> it starts <paramref name="defaultDays"/> days before its end.
    /// From must be before to, and the range at most <see cref="AnalyticsErrors.MaxYears"/> years.
    /// </summary>
    public static ReportRange Parse(string? from, string? to, DateTime now, int defaultDays = 30)
    {
        var end = string.IsNullOrWhiteSpace(to) ? DateOnly.FromDateTime(now).AddDays(1) : Date("to", to);
        var start = string.IsNullOrWhiteSpace(from) ? end.AddDays(-defaultDays) : Date("from", from);
        if (start >= end)
        {
            throw Errors.BadRequest(AnalyticsErrors.InvalidRangeCode, $"'from' ({start:yyyy-MM-dd}) must be before 'to' ({end:yyyy-MM-dd}); 'to' is exclusive.");
        }

        if (end > start.AddYears(AnalyticsErrors.MaxYears))
        {
            throw Errors.BadRequest(AnalyticsErrors.RangeTooLongCode, $"A report covers at most {AnalyticsErrors.MaxYears} years; {start:yyyy-MM-dd} to {end:yyyy-MM-dd} is longer.");
        }

        return new ReportRange(start, end);
    }

    private static DateOnly Date(string name, string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && date.Year is >= 1900 and <= 9000
            ? date
            : throw Errors.BadRequest(AnalyticsErrors.InvalidDateCode, $"'{name}' must be an ISO date (yyyy-MM-dd), not '{Shorten(text)}'.");

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>Small numeric helpers shared by the reports.</summary>
public static class ReportMath
{
    /// <summary>The orders every customer report counts: not cancelled, in the store currency.</summary>
    public static IQueryable<Order> CountedOrders(StorekeepDbContext db, string currency) =>
        db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled && o.Currency == currency);

    /// <summary>Succeeded refunds summed per order, for the given orders.</summary>
    public static Task<Dictionary<Guid, decimal>> RefundsByOrderAsync(StorekeepDbContext db, IQueryable<Order> orders, CancellationToken ct) =>
        db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded)
            .Join(orders, r => r.OrderId, o => o.Id, (r, o) => new { r.OrderId, r.Amount })
            .GroupBy(r => r.OrderId).Select(g => new { OrderId = g.Key, Amount = g.Sum(r => r.Amount) })
            .ToDictionaryAsync(r => r.OrderId, r => r.Amount, ct);

    /// <summary>
    /// The p-th percentile (0..1) by linear interpolation between closest ranks (PostgreSQL's
    /// percentile_cont); null for no values.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (rank - lower));
    }

    /// <summary>A share of 0..1 rounded to four decimals; 0 when there is nothing to divide by.</summary>
    public static decimal Rate(long part, long whole) => whole == 0 ? 0m : Math.Round((decimal)part / whole, 4, MidpointRounding.AwayFromZero);

    /// <summary>A share rounded to four decimals, or null when there is nothing to divide by.</summary>
    public static decimal? RateOrNull(long part, long whole) => whole == 0 ? null : Rate(part, whole);

    public static decimal Money(decimal amount) => MinorUnits.Round(amount);

    /// <summary>The customer an order belongs to: its customer id, or else its email in lower case.</summary>
    public static string CustomerKey(Guid? customerId, string email) =>
        customerId is { } id ? id.ToString("N") : email.Trim().ToLowerInvariant();
}

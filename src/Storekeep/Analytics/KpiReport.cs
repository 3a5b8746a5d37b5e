using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Analytics;

/// <summary>The figures of one group of a KPI report (definitions in docs/analytics.md, "Reports").</summary>
public record KpiRow(
    string Key,
    int Orders,
    long Units,
    decimal GrossSales,
    decimal Discounts,
    decimal Refunds,
    decimal NetSales,
    decimal Shipping,
    decimal Tax,
    decimal TotalSales,
    decimal CostOfGoods,
    decimal GrossProfit,
    decimal AverageOrderValue,
    int Customers,
    int NewCustomers,
    int ReturningCustomers);

/// <summary>The whole range: the row figures plus the storefront conversion and the repeat purchase rate.</summary>
public sealed record KpiTotals(
    string Key,
    int Orders,
    long Units,
    decimal GrossSales,
    decimal Discounts,
    decimal Refunds,
    decimal NetSales,
    decimal Shipping,
    decimal Tax,
    decimal TotalSales,
    decimal CostOfGoods,
    decimal GrossProfit,
    decimal AverageOrderValue,
    int Customers,
    int NewCustomers,
    int ReturningCustomers,
    decimal? ConversionRate,
    decimal RepeatPurchaseRate)
    : KpiRow(Key, Orders, Units, GrossSales, Discounts, Refunds, NetSales, Shipping, Tax, TotalSales, CostOfGoods, GrossProfit, AverageOrderValue, Customers, NewCustomers, ReturningCustomers);

public sealed record KpiReportView(string Currency, DateOnly From, DateOnly To, string GroupBy, IReadOnlyList<KpiRow> Rows, KpiTotals Totals);

/// <summary>How a KPI report groups: by a span of time, or by an attribute of the order or line.</summary>
public static class KpiGroupings
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";
    public const string Quarter = "quarter";
    public const string Year = "year";
    public const string Category = "category";
    public const string Channel = "channel";
    public const string Country = "country";
    public const string Segment = "segment";

    public static readonly IReadOnlyList<string> All = [Day, Week, Month, Quarter, Year, Category, Channel, Country, Segment];
    public static readonly IReadOnlyList<string> Time = [Day, Week, Month, Quarter, Year];

    /// <summary>A line without a category counts under this key.</summary>
    public const string Uncategorized = "(uncategorized)";

    /// <summary>Segments: a customer with a company on file buys as a business, everyone else as a consumer.</summary>
    public const string Business = "business";
    public const string Consumer = "consumer";

    public static string Parse(string? groupBy)
    {
        var value = string.IsNullOrWhiteSpace(groupBy) ? Day : groupBy.Trim().ToLowerInvariant();
        return All.Contains(value)
            ? value
            : throw Errors.BadRequest(AnalyticsErrors.InvalidGroupByCode, $"'groupBy' must be one of {string.Join(", ", All)}; not '{ReportRange.Shorten(groupBy!)}'.");
    }

    /// <summary>The first UTC day of the bucket holding <paramref name="day"/> (weeks start on Monday, ISO 8601).</summary>
    public static DateOnly BucketStart(string groupBy, DateOnly day) => groupBy switch
    {
        Day => day,
        Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        Month => new DateOnly(day.Year, day.Month, 1),
        Quarter => new DateOnly(day.Year, (((day.Month - 1) / 3) * 3) + 1, 1),
        Year => new DateOnly(day.Year, 1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(groupBy)),
    };

    public static DateOnly NextBucket(string groupBy, DateOnly start) => groupBy switch
    {
        Day => start.AddDays(1),
        Week => start.AddDays(7),
        Month => start.AddMonths(1),
        Quarter => start.AddMonths(3),
        Year => start.AddYears(1),
        _ => throw new ArgumentOutOfRangeException(nameof(groupBy)),
    };

    /// <summary>Keys: 2026-03-05, 2026-W05 (ISO week-numbering year), 2026-03, 2026-Q1, 2026.</summary>
    public static string Key(string groupBy, DateOnly start) => groupBy switch
    {
        Day => start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Week => $"{ISOWeek.GetYear(start.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(start.ToDateTime(TimeOnly.MinValue)):D2}",
        Month => start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        Quarter => $"{start.Year}-Q{((start.Month - 1) / 3) + 1}",
        Year => start.Year.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(groupBy)),
    };
}

/// <summary>
/// Sales KPIs over [from, to) in the store currency, grouped by time or by category, channel,
/// country or segment. The additive figures (orders, units, amounts, refunds, new customers) are
/// sums of the <see cref="DailyKpi"/> rollup's days, so a report reads a few rows per day whatever
/// the number of orders. Distinct customers come from rollups too: a day's from its row, whole
/// months' (and quarters', years', and keys' over whole months) from <see cref="CustomerMonth"/>,
/// with the repeat purchase rate; weeks and ranges that are not whole months count them in the
/// database over the range's orders, grouped by bucket or key.
/// Segment is computed from the orders (<see cref="KpiReportFromOrders"/>): a customer's company
/// can change, so it cannot be rolled up. Definitions: docs/analytics.md, "Reports".
/// </summary>
public sealed class KpiReport(StorekeepDbContext db, FunnelQueries funnel, TimeProvider clock)
{
    public async Task<KpiReportView> GetAsync(string? from, string? to, string? groupBy, CancellationToken ct)
    {
        var grouping = KpiGroupings.Parse(groupBy);
        var range = ReportRange.Parse(from, to, clock.GetUtcNow().UtcDateTime);
        return await GetAsync(range, grouping, ct);
    }

    public async Task<KpiReportView> GetAsync(ReportRange range, string grouping, CancellationToken ct)
    {
        if (KpiDimensions.Of(grouping) is not { } dimension)
        {
            return await new KpiReportFromOrders(db, funnel).GetAsync(range, grouping, ct);
        }

        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var (from, to) = (range.From, range.To);
        var days = await db.DailyKpis.AsNoTracking()
            .Where(d => d.Currency == currency && d.Dimension == KpiDimensions.Total && d.Day >= from && d.Day < to)
            .Select(d => new Figures("", d.Day, d.Orders, d.Units, d.Gross, d.Discounts, d.Shipping, d.Tax, d.AddedTax, d.CostOfGoods, d.Refunds, d.NewCustomers, d.Customers))
            .ToListAsync(ct);
        var time = KpiGroupings.Time.Contains(grouping);

        // Whole months count distinct customers from the customer-months rollup; other ranges (and
        // weeks, which cut across months) count them over the range's orders.
        var months = CustomerMonths.Covers(range) ? await CustomerMonthRowsAsync(range, currency, dimension, ct) : null;
        var customers = grouping == KpiGroupings.Day
            ? days.ToDictionary(d => KpiGroupings.Key(grouping, d.Day), d => d.Customers)
            : months is not null && grouping != KpiGroupings.Week
                ? RolledUpCustomers(range, grouping, dimension, months)
                : await CustomersAsync(range, currency, grouping, ct);

        List<KpiRow> rows;
        if (time)
        {
            var buckets = days.GroupBy(d => KpiGroupings.Key(grouping, KpiGroupings.BucketStart(grouping, d.Day))).ToDictionary(g => g.Key, g => Figures.Sum(g));
            rows = [];
            for (var bucket = KpiGroupings.BucketStart(grouping, from); bucket < to; bucket = KpiGroupings.NextBucket(grouping, bucket))
            {
                var key = KpiGroupings.Key(grouping, bucket);
                rows.Add(ToRow(key, buckets.GetValueOrDefault(key) ?? Figures.Zero, customers.GetValueOrDefault(key)));
            }
        }
        else
        {
            var keyed = await db.DailyKpis.AsNoTracking()
                .Where(d => d.Currency == currency && d.Dimension == dimension && d.Day >= from && d.Day < to)
                .GroupBy(d => d.Key)
                .Select(g => new
                {
                    g.Key,
                    Orders = g.Sum(d => d.Orders),
                    Units = g.Sum(d => d.Units),
                    Gross = g.Sum(d => d.Gross),
                    Discounts = g.Sum(d => d.Discounts),
                    Shipping = g.Sum(d => d.Shipping),
                    Tax = g.Sum(d => d.Tax),
                    AddedTax = g.Sum(d => d.AddedTax),
                    Cost = g.Sum(d => d.CostOfGoods),
                    Refunds = g.Sum(d => d.Refunds),
                    New = g.Sum(d => d.NewCustomers),
                })
                .ToListAsync(ct);
            rows = keyed
                .Select(k => ToRow(k.Key, new Figures(k.Key, from, k.Orders, k.Units, k.Gross, k.Discounts, k.Shipping, k.Tax, k.AddedTax, k.Cost, k.Refunds, k.New, 0), customers.GetValueOrDefault(k.Key)))
                .OrderByDescending(r => r.GrossSales).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        }

        var sum = Figures.Sum(days);
        var (all, repeat) = months is not null
            ? RolledUpRangeCustomers(range, months, sum.New)
            : await RangeCustomersAsync(range, currency, ct);
        var total = ToRow("total", sum, all);
        var sessions = await funnel.CountsAsync(range.Start, range.End, ct);
        var totals = new KpiTotals(
            total.Key, total.Orders, total.Units, total.GrossSales, total.Discounts, total.Refunds, total.NetSales, total.Shipping, total.Tax,
            total.TotalSales, total.CostOfGoods, total.GrossProfit, total.AverageOrderValue, total.Customers, total.NewCustomers, total.ReturningCustomers,
            ReportMath.RateOrNull(sessions.OrderPlaced, sessions.Sessions),
            ReportMath.Rate(repeat, total.Customers));
        return new KpiReportView(currency, from, to, grouping, rows, totals);
    }

    /// <summary>
    /// An order's discounts, the one place the reports read them: what discounts took off its lines
    /// (a free-shipping discount lowers <see cref="OrderFacts.Shipping"/>, the shipping charged, instead).
    /// </summary>
    public static decimal DiscountOf(OrderFacts order) => order.LineDiscounts;

    /// <summary>An order as the reports read it: <paramref name="Shipping"/> is the shipping charged (after a free-shipping discount).</summary>
    public sealed record OrderFacts(Guid Id, DateTime CreatedAt, Guid? CustomerId, string Email, decimal Subtotal, decimal Shipping, decimal Tax, bool PricesIncludeTax, string Country, string Channel, decimal LineDiscounts = 0m);

    /// <summary>A row from summed figures: amounts rounded to the cent once, after summing.</summary>
    private static KpiRow ToRow(string key, Figures f, int customers)
    {
        var gross = ReportMath.Money(KpiAmounts.FromScaled(f.Gross));
        var discounts = ReportMath.Money(KpiAmounts.FromScaled(f.Discounts));
        var refunds = ReportMath.Money(KpiAmounts.FromScaled(f.Refunds));
        var net = gross - discounts - refunds;
        var cost = ReportMath.Money(KpiAmounts.FromScaled(f.Cost));
        return new KpiRow(
            key,
            f.Orders,
            f.Units,
            gross,
            discounts,
            refunds,
            net,
            ReportMath.Money(KpiAmounts.FromScaled(f.Shipping)),
            ReportMath.Money(KpiAmounts.FromScaled(f.Tax)),
            net + ReportMath.Money(KpiAmounts.FromScaled(f.Shipping)) + ReportMath.Money(KpiAmounts.FromScaled(f.AddedTax)),
            cost,
            net - cost,
            f.Orders == 0 ? 0m : ReportMath.Money((gross - discounts) / f.Orders),
            customers,
            f.New,
            customers - f.New);
    }

    /// <summary>
    /// The <see cref="CustomerMonth"/> rows a whole-month range needs: its months under the total
    /// and the grouping's dimension, and the second orders of customers whose first was in it.
    /// </summary>
    private async Task<List<CustomerMonth>> CustomerMonthRowsAsync(ReportRange range, string currency, string dimension, CancellationToken ct)
    {
        var (from, to) = (range.From, range.To);
        return await db.CustomerMonths.AsNoTracking()
            .Where(m => m.Currency == currency && m.Month < to
                && (((m.Dimension == KpiDimensions.Total || m.Dimension == dimension) && m.Month >= from)
                    || (m.Dimension == CustomerMonths.SecondOrder && m.PreviousMonth >= from)))
            .ToListAsync(ct);
    }

    /// <summary>Customers per month, quarter or year (each clipped to the range), or per key, from the rollup.</summary>
    private static Dictionary<string, int> RolledUpCustomers(ReportRange range, string grouping, string dimension, List<CustomerMonth> months)
    {
        if (KpiGroupings.Time.Contains(grouping))
        {
            var total = months.Where(m => m.Dimension == KpiDimensions.Total).ToList();
            var counts = new Dictionary<string, int>();
            for (var bucket = KpiGroupings.BucketStart(grouping, range.From); bucket < range.To; bucket = KpiGroupings.NextBucket(grouping, bucket))
            {
                var (start, end) = (bucket < range.From ? range.From : bucket, KpiGroupings.NextBucket(grouping, bucket) is var next && next > range.To ? range.To : next);
                counts[KpiGroupings.Key(grouping, bucket)] = CustomerMonths.Count(total, start, end);
            }

            return counts;
        }

        return months.Where(m => m.Dimension == dimension).GroupBy(m => m.Key)
            .ToDictionary(g => g.Key, g => CustomerMonths.Count(g, range.From, range.To), StringComparer.Ordinal);
    }

    /// <summary>
    /// The range's customers, and the repeat customers among them: every customer of the range but
    /// those whose only order before its end is their first (first in the range, second after it).
    /// </summary>
    private static (int Customers, int Repeat) RolledUpRangeCustomers(ReportRange range, List<CustomerMonth> months, int newCustomers)
    {
        var customers = CustomerMonths.Count(months.Where(m => m.Dimension == KpiDimensions.Total), range.From, range.To);
        var secondInRange = months.Where(m => m.Dimension == CustomerMonths.SecondOrder && m.PreviousMonth >= range.From && m.Month < range.To).Sum(m => m.Customers);
        return (customers, customers - (newCustomers - secondInRange));
    }

    /// <summary>Distinct customers per row key among the range's orders, counted in the database.</summary>
    private async Task<Dictionary<string, int>> CustomersAsync(ReportRange range, string currency, string grouping, CancellationToken ct)
    {
        var (start, end) = (range.Start, range.End);
        var placed = ReportMath.CountedOrders(db, currency).Where(o => o.CreatedAt >= start && o.CreatedAt < end);
        var counts = new Dictionary<string, int>();
        void Add(string key, int count) => counts[key] = counts.GetValueOrDefault(key) + count;

        switch (grouping)
        {
            case KpiGroupings.Category:
                var lines =
                    from o in placed
                    join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                    join vc in VariantCategories.Query(db) on l.VariantId equals vc.VariantId into vcs
                    from vc in vcs.DefaultIfEmpty()
                    select new CustomerOf { Key = vc == null ? null : vc.Name, CustomerId = o.CustomerId, Email = o.Email };
                foreach (var r in await DistinctAsync(lines, ct))
                {
                    Add(r.Key ?? KpiGroupings.Uncategorized, r.Count);
                }

                break;
            case KpiGroupings.Channel:
                foreach (var r in await DistinctAsync(placed.Select(o => new CustomerOf { Key = o.Channel, CustomerId = o.CustomerId, Email = o.Email }), ct))
                {
                    Add(r.Key!, r.Count);
                }

                break;
            case KpiGroupings.Country:
                foreach (var r in await DistinctAsync(placed.Select(o => new CustomerOf { Key = o.ShippingAddress.Country.ToUpper(), CustomerId = o.CustomerId, Email = o.Email }), ct))
                {
                    Add(r.Key!.ToUpperInvariant(), r.Count);
                }

                break;
            default:
                // Weeks, months, quarters, years: the bucket's index by a balanced CASE over the
                // bucket starts, so one grouped scan counts every bucket.
                var starts = new List<DateOnly>();
                for (var bucket = KpiGroupings.BucketStart(grouping, range.From); bucket < range.To; bucket = KpiGroupings.NextBucket(grouping, bucket))
                {
                    starts.Add(bucket);
                }

                var byBucket = await placed.GroupBy(BucketIndex(starts))
                    .Select(g => new
                    {
                        g.Key,
                        Ids = g.Where(o => o.CustomerId != null).Select(o => o.CustomerId).Distinct().Count(),
                        Guests = g.Where(o => o.CustomerId == null).Select(o => o.Email.Trim().ToLower()).Distinct().Count(),
                    })
                    .ToListAsync(ct);
                foreach (var r in byBucket)
                {
                    Add(KpiGroupings.Key(grouping, starts[r.Key]), r.Ids + r.Guests);
                }

                break;
        }

        return counts;
    }

    /// <summary>Customers with an order in the range, and those of them with at least two orders placed before its end.</summary>
    private async Task<(int Customers, int Repeat)> RangeCustomersAsync(ReportRange range, string currency, CancellationToken ct)
    {
        var (start, end) = (range.Start, range.End);
        var placed = ReportMath.CountedOrders(db, currency).Where(o => o.CreatedAt >= start && o.CreatedAt < end);
        var ids = await placed.Where(o => o.CustomerId != null).Select(o => o.CustomerId).Distinct().CountAsync(ct);
        var guests = await placed.Where(o => o.CustomerId == null).Select(o => o.Email.Trim().ToLower()).Distinct().CountAsync(ct);
        var repeat = await ReportMath.CountedOrders(db, currency).Where(o => o.CreatedAt < end)
            .GroupBy(o => new { o.CustomerId, Email = o.CustomerId == null ? o.Email.Trim().ToLower() : null })
            .Where(g => g.Max(o => o.CreatedAt) >= start && g.Count() >= 2)
            .CountAsync(ct);
        return (ids + guests, repeat);
    }

    /// <summary>Distinct customers (by id, guests by email in lower case) per key.</summary>
    private static async Task<List<(string? Key, int Count)>> DistinctAsync(IQueryable<CustomerOf> rows, CancellationToken ct)
    {
        var counts = await rows.GroupBy(r => r.Key)
            .Select(g => new
            {
                g.Key,
                Ids = g.Where(r => r.CustomerId != null).Select(r => r.CustomerId).Distinct().Count(),
                Guests = g.Where(r => r.CustomerId == null).Select(r => r.Email.Trim().ToLower()).Distinct().Count(),
            })
            .ToListAsync(ct);
        return [.. counts.Select(c => (c.Key, c.Ids + c.Guests))];
    }

    /// <summary>o => the index of the last of <paramref name="starts"/> at or before the order's time (orders are all at or after the first).</summary>
    private static Expression<Func<Order, int>> BucketIndex(IReadOnlyList<DateOnly> starts)
    {
        var order = Expression.Parameter(typeof(Order), "o");
        var createdAt = Expression.Property(order, nameof(Order.CreatedAt));

        Expression Between(int low, int high)
        {
            // Indexes low..high; the answer is the last start <= createdAt.
            if (low == high)
            {
                return Expression.Constant(low);
            }

            var middle = (low + high + 1) / 2;
            var boundary = Expression.Constant(starts[middle].ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            return Expression.Condition(Expression.LessThan(createdAt, boundary), Between(low, middle - 1), Between(middle, high));
        }

        return Expression.Lambda<Func<Order, int>>(Between(0, starts.Count - 1), order);
    }

    // Member-initialised (not positional) so EF can group over the projection in SQL.
    private sealed class CustomerOf
    {
        public string? Key { get; init; }
        public Guid? CustomerId { get; init; }
        public required string Email { get; init; }
    }

    /// <summary>Summed <see cref="DailyKpi"/> figures (amounts in <see cref="KpiAmounts.Scale"/> units).</summary>
    /// <summary>Customers is a day's distinct customers; summed figures leave it 0 (distinct counts do not add up).</summary>
    private sealed record Figures(string Key, DateOnly Day, int Orders, long Units, long Gross, long Discounts, long Shipping, long Tax, long AddedTax, long Cost, long Refunds, int New, int Customers)
    {
        public static readonly Figures Zero = new("", default, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public static Figures Sum(IEnumerable<Figures> days) => days.Aggregate(Zero, (a, d) => new Figures(
            a.Key, a.Day, a.Orders + d.Orders, a.Units + d.Units, a.Gross + d.Gross, a.Discounts + d.Discounts, a.Shipping + d.Shipping, a.Tax + d.Tax,
            a.AddedTax + d.AddedTax, a.Cost + d.Cost, a.Refunds + d.Refunds, a.New + d.New, 0));
    }
}

using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
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
/// country or segment. Reads the range's orders, lines and refunds with plain queries and sums in
/// memory (a few hundred thousand small rows at 100k orders); customers' first orders are grouped
/// in the database. Definitions: docs/analytics.md, "Reports".
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
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var (start, end) = (range.Start, range.End);
        var counted = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled && o.Currency == currency);

        var orders = await counted.Where(o => o.CreatedAt >= start && o.CreatedAt < end)
            .Select(o => new OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, o.ShippingTotal, o.TaxTotal, o.PricesIncludeTax, o.ShippingAddress.Country, o.Channel))
            .ToListAsync(ct);
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == RefundStatus.Succeeded && r.CreatedAt >= start && r.CreatedAt < end)
            .Join(counted, r => r.OrderId, o => o.Id, (r, o) => new RefundFacts(r.OrderId, r.Amount, r.CreatedAt))
            .ToListAsync(ct);

        // Refunds in the range may belong to orders placed before it: their attributes come too.
        var byId = orders.ToDictionary(o => o.Id);
        var missing = refunds.Select(r => r.OrderId).Where(id => !byId.ContainsKey(id)).Distinct().ToList();
        var earlier = new List<OrderFacts>();
        foreach (var chunk in missing.Chunk(500))
        {
            earlier.AddRange(await counted.Where(o => chunk.Contains(o.Id))
                .Select(o => new OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, o.ShippingTotal, o.TaxTotal, o.PricesIncludeTax, o.ShippingAddress.Country, o.Channel))
                .ToListAsync(ct));
        }

        var allOrders = earlier.Concat(orders).ToDictionary(o => o.Id);
        var lines = await LinesAsync(counted.Where(o => o.CreatedAt >= start && o.CreatedAt < end), grouping == KpiGroupings.Category, ct);
        if (grouping == KpiGroupings.Category)
        {
            foreach (var chunk in earlier.Select(o => o.Id).Chunk(500))
            {
                lines.AddRange(await LinesAsync(counted.Where(o => chunk.Contains(o.Id)), true, ct));
            }
        }

        // Every customer's first order and how many orders they had placed by the end of the range.
        var history = await counted.Where(o => o.CreatedAt < end)
            .GroupBy(o => new { o.CustomerId, o.Email })
            .Select(g => new { g.Key.CustomerId, g.Key.Email, First = g.Min(o => o.CreatedAt), Count = g.Count() })
            .ToListAsync(ct);
        var customers = new Dictionary<string, (DateTime First, int Count)>();
        foreach (var h in history)
        {
            var key = ReportMath.CustomerKey(h.CustomerId, h.Email);
            customers[key] = customers.TryGetValue(key, out var c) ? (c.First < h.First ? c.First : h.First, c.Count + h.Count) : (h.First, h.Count);
        }

        var businesses = grouping == KpiGroupings.Segment ? await BusinessCustomersAsync(ct) : [];
        var linesByOrder = lines.ToLookup(l => l.OrderId);

        var sums = new Dictionary<string, Sums>();
        Sums Row(string key) => sums.TryGetValue(key, out var s) ? s : sums[key] = new Sums();

        foreach (var o in orders)
        {
            var customer = ReportMath.CustomerKey(o.CustomerId, o.Email);
            var isFirst = customers.TryGetValue(customer, out var c) && c.First == o.CreatedAt;
            if (grouping == KpiGroupings.Category)
            {
                foreach (var share in Shares(linesByOrder[o.Id]))
                {
                    var row = Row(share.Line.Category ?? KpiGroupings.Uncategorized);
                    row.AddLine(share.Line);
                    row.AddOrderAmounts(o, share.Share);
                    row.AddOrder(o.Id, customer, isFirst);
                }
            }
            else
            {
                var row = Row(KeyOf(grouping, o, businesses));
                foreach (var line in linesByOrder[o.Id])
                {
                    row.AddLine(line);
                }

                row.AddOrderAmounts(o, 1m);
                row.AddOrder(o.Id, customer, isFirst);
            }
        }

        foreach (var r in refunds)
        {
            var o = allOrders[r.OrderId];
            if (grouping == KpiGroupings.Category)
            {
                foreach (var share in Shares(linesByOrder[o.Id]))
                {
                    Row(share.Line.Category ?? KpiGroupings.Uncategorized).Refunds += r.Amount * share.Share;
                }
            }
            else
            {
                // By time a refund counts in the bucket of the day it was made (as on the dashboard).
                var key = KpiGroupings.Time.Contains(grouping)
                    ? KpiGroupings.Key(grouping, KpiGroupings.BucketStart(grouping, DateOnly.FromDateTime(r.CreatedAt)))
                    : KeyOf(grouping, o, businesses);
                Row(key).Refunds += r.Amount;
            }
        }

        List<KpiRow> rows;
        if (KpiGroupings.Time.Contains(grouping))
        {
            rows = [];
            for (var bucket = KpiGroupings.BucketStart(grouping, range.From); bucket < range.To; bucket = KpiGroupings.NextBucket(grouping, bucket))
            {
                var key = KpiGroupings.Key(grouping, bucket);
                rows.Add((sums.GetValueOrDefault(key) ?? new Sums()).ToRow(key));
            }
        }
        else
        {
            rows = sums.Select(s => s.Value.ToRow(s.Key)).OrderByDescending(r => r.GrossSales).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        }

        // The totals: every order once, every refund of the range once.
        var all = new Sums();
        foreach (var o in orders)
        {
            var customer = ReportMath.CustomerKey(o.CustomerId, o.Email);
            foreach (var line in linesByOrder[o.Id])
            {
                all.AddLine(line);
            }

            all.AddOrderAmounts(o, 1m);
            all.AddOrder(o.Id, customer, customers.TryGetValue(customer, out var c) && c.First == o.CreatedAt);
        }

        all.Refunds = refunds.Sum(r => r.Amount);
        var total = all.ToRow("total");
        var repeat = all.CustomerKeys.Count(k => customers.TryGetValue(k, out var c) && c.Count >= 2);
        var sessions = await funnel.CountsAsync(start, end, ct);
        var totals = new KpiTotals(
            total.Key, total.Orders, total.Units, total.GrossSales, total.Discounts, total.Refunds, total.NetSales, total.Shipping, total.Tax,
            total.TotalSales, total.CostOfGoods, total.GrossProfit, total.AverageOrderValue, total.Customers, total.NewCustomers, total.ReturningCustomers,
            ReportMath.RateOrNull(sessions.OrderPlaced, sessions.Sessions),
            ReportMath.Rate(repeat, total.Customers));
        return new KpiReportView(currency, range.From, range.To, grouping, rows, totals);
    }

    /// <summary>
    /// An order's discounts, the one place the reports read them: orders carry none until
    /// promotions exist, so it is 0; promotions will feed this (and nothing else changes).
    /// </summary>
    public static decimal DiscountOf(OrderFacts order) => 0m;

    private static string KeyOf(string grouping, OrderFacts o, HashSet<string> businesses) => grouping switch
    {
        KpiGroupings.Channel => o.Channel,
        KpiGroupings.Country => o.Country.ToUpperInvariant(),
        KpiGroupings.Segment => businesses.Contains(ReportMath.CustomerKey(o.CustomerId, o.Email)) || businesses.Contains(o.Email.Trim().ToLowerInvariant())
            ? KpiGroupings.Business
            : KpiGroupings.Consumer,
        _ => KpiGroupings.Key(grouping, KpiGroupings.BucketStart(grouping, DateOnly.FromDateTime(o.CreatedAt))),
    };

    /// <summary>Each line's share of the order's line amounts (equal shares when they are all 0), for order-level amounts.</summary>
    private static IEnumerable<(LineFacts Line, decimal Share)> Shares(IEnumerable<LineFacts> orderLines)
    {
        var list = orderLines.ToList();
        var sum = list.Sum(l => l.LineTotal);
        return list.Select(l => (l, sum == 0m ? 1m / list.Count : l.LineTotal / sum));
    }

    private async Task<List<LineFacts>> LinesAsync(IQueryable<Order> orders, bool withCategory, CancellationToken ct)
    {
        var lines = orders.Join(db.OrderLines.AsNoTracking(), o => o.Id, l => l.OrderId, (o, l) => l);
        if (!withCategory)
        {
            return await lines.Select(l => new LineFacts(l.OrderId, l.Quantity, l.LineTotal, l.UnitCost, null)).ToListAsync(ct);
        }

        return await (
            from l in lines
            join v in db.Variants.AsNoTracking() on l.VariantId equals v.Id into vs
            from v in vs.DefaultIfEmpty()
            join p in db.Products.AsNoTracking() on v.ProductId equals p.Id into ps
            from p in ps.DefaultIfEmpty()
            join c in db.Categories.AsNoTracking() on p.CategoryId equals c.Id into cs
            from c in cs.DefaultIfEmpty()
            select new LineFacts(l.OrderId, l.Quantity, l.LineTotal, l.UnitCost, c == null ? null : c.Name)).ToListAsync(ct);
    }

    /// <summary>Customers with a company on file, by id and by email.</summary>
    private async Task<HashSet<string>> BusinessCustomersAsync(CancellationToken ct)
    {
        var list = await db.Customers.AsNoTracking().Where(c => c.Company != null && c.Company != "").Select(c => new { c.Id, c.Email }).ToListAsync(ct);
        return list.SelectMany(c => new[] { ReportMath.CustomerKey(c.Id, c.Email), c.Email.Trim().ToLowerInvariant() }).ToHashSet();
    }

    public sealed record OrderFacts(Guid Id, DateTime CreatedAt, Guid? CustomerId, string Email, decimal Subtotal, decimal Shipping, decimal Tax, bool PricesIncludeTax, string Country, string Channel);

    private sealed record RefundFacts(Guid OrderId, decimal Amount, DateTime CreatedAt);

    private sealed record LineFacts(Guid OrderId, int Quantity, decimal LineTotal, decimal? UnitCost, string? Category);

    /// <summary>Running sums of one row, unrounded until <see cref="ToRow"/> (shares of order amounts are fractions of a cent).</summary>
    private sealed class Sums
    {
        private readonly HashSet<Guid> _orders = [];
        private readonly HashSet<string> _new = [];

        public HashSet<string> CustomerKeys { get; } = [];
        public long Units { get; private set; }
        public decimal Gross { get; private set; }
        public decimal Discounts { get; private set; }
        public decimal Refunds { get; set; }
        public decimal Shipping { get; private set; }
        public decimal Tax { get; private set; }

        /// <summary>Tax added on top of the prices (not already inside the line amounts).</summary>
        public decimal AddedTax { get; private set; }

        public decimal Cost { get; private set; }

        /// <summary>A line's units, amount and cost.</summary>
        public void AddLine(LineFacts line)
        {
            Units += line.Quantity;
            Gross += line.LineTotal;
            Cost += line.Quantity * (line.UnitCost ?? 0m);
        }

        /// <summary><paramref name="share"/> (0..1) of the order's order-level amounts: shipping, tax, discounts.</summary>
        public void AddOrderAmounts(OrderFacts order, decimal share)
        {
            Shipping += order.Shipping * share;
            Tax += order.Tax * share;
            AddedTax += (order.PricesIncludeTax ? 0m : order.Tax) * share;
            Discounts += DiscountOf(order) * share;
        }

        /// <summary>Counts the order (once) and its customer, new when this is their first order ever.</summary>
        public void AddOrder(Guid orderId, string customer, bool isFirst)
        {
            _orders.Add(orderId);
            CustomerKeys.Add(customer);
            if (isFirst)
            {
                _new.Add(customer);
            }
        }

        public KpiRow ToRow(string key)
        {
            var gross = ReportMath.Money(Gross);
            var discounts = ReportMath.Money(Discounts);
            var refunds = ReportMath.Money(Refunds);
            var net = gross - discounts - refunds;
            var shipping = ReportMath.Money(Shipping);
            var tax = ReportMath.Money(Tax);
            var cost = ReportMath.Money(Cost);
            var orders = _orders.Count;
            return new KpiRow(
                key,
                orders,
                Units,
                gross,
                discounts,
                refunds,
                net,
                shipping,
                tax,
                net + shipping + ReportMath.Money(AddedTax),
                cost,
                net - cost,
                orders == 0 ? 0m : ReportMath.Money((gross - discounts) / orders),
                CustomerKeys.Count,
                _new.Count,
                CustomerKeys.Count - _new.Count);
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Analytics;

/// <summary>
/// The KPI report computed straight from the range's orders, lines and refunds, summed in memory
/// (the way every grouping was computed before the <see cref="DailyKpi"/> rollup). It serves the
/// segment grouping, which cannot be rolled up (a customer's company can change), and is the
/// reference the rollup-backed <see cref="KpiReport"/> is tested against. Definitions:
/// docs/analytics.md, "Reports".
/// </summary>
public sealed class KpiReportFromOrders(StorekeepDbContext db, FunnelQueries funnel)
{
    public async Task<KpiReportView> GetAsync(ReportRange range, string grouping, CancellationToken ct)
    {
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var (start, end) = (range.Start, range.End);
        var counted = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled && o.Currency == currency);

        var orders = await counted.Where(o => o.CreatedAt >= start && o.CreatedAt < end)
            .Select(o => new KpiReport.OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, o.ShippingTotal - o.ShippingDiscount, o.TaxTotal, o.PricesIncludeTax, o.ShippingAddress.Country, o.Channel, o.DiscountTotal - o.ShippingDiscount))
            .ToListAsync(ct);
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == RefundStatus.Succeeded && r.CreatedAt >= start && r.CreatedAt < end)
            .Join(counted, r => r.OrderId, o => o.Id, (r, o) => new RefundFacts(r.OrderId, r.Amount, r.CreatedAt))
            .ToListAsync(ct);

        // Refunds in the range may belong to orders placed before it: their attributes come too.
        var byId = orders.ToDictionary(o => o.Id);
        var missing = refunds.Select(r => r.OrderId).Where(id => !byId.ContainsKey(id)).Distinct().ToList();
        var earlier = new List<KpiReport.OrderFacts>();
        foreach (var chunk in missing.Chunk(500))
        {
            earlier.AddRange(await counted.Where(o => chunk.Contains(o.Id))
                .Select(o => new KpiReport.OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, o.ShippingTotal - o.ShippingDiscount, o.TaxTotal, o.PricesIncludeTax, o.ShippingAddress.Country, o.Channel, o.DiscountTotal - o.ShippingDiscount))
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

    private static string KeyOf(string grouping, KpiReport.OrderFacts o, HashSet<string> businesses) => grouping switch
    {
        KpiGroupings.Channel => o.Channel,
        KpiGroupings.Country => o.Country.ToUpperInvariant(),
        KpiGroupings.Segment => businesses.Contains(ReportMath.CustomerKey(o.CustomerId, o.Email)) || businesses.Contains(o.Email.Trim().ToLowerInvariant())
            ? KpiGroupings.Business
            : KpiGroupings.Consumer,
        _ => KpiGroupings.Key(grouping, KpiGroupings.BucketStart(grouping, DateOnly.FromDateTime(o.CreatedAt))),
    };

    /// <summary>Each line's share of the order's line amounts (equal shares when they are all 0), for order-level amounts.</summary>
    internal static IEnumerable<(LineFacts Line, decimal Share)> Shares(IEnumerable<LineFacts> orderLines)
    {
        var list = orderLines.ToList();
        var sum = list.Sum(l => l.LineTotal);
        return list.Select(l => (l, sum == 0m ? 1m / list.Count : l.LineTotal / sum));
    }

    private Task<List<LineFacts>> LinesAsync(IQueryable<Order> orders, bool withCategory, CancellationToken ct) => LinesAsync(db, orders, withCategory, ct);

    /// <summary>The lines of <paramref name="orders"/>, with their product's category name when asked.</summary>
    internal static async Task<List<LineFacts>> LinesAsync(StorekeepDbContext db, IQueryable<Order> orders, bool withCategory, CancellationToken ct)
    {
        var lines = orders.Join(db.OrderLines.AsNoTracking(), o => o.Id, l => l.OrderId, (o, l) => l);
        if (!withCategory)
        {
            return await lines.Select(l => new LineFacts(l.OrderId, l.Quantity, l.LineTotal, l.UnitCost, null)).ToListAsync(ct);
        }

        return await (
            from l in lines
            join vc in VariantCategories.Query(db) on l.VariantId equals vc.VariantId into vcs
            from vc in vcs.DefaultIfEmpty()
            select new LineFacts(l.OrderId, l.Quantity, l.LineTotal, l.UnitCost, vc == null ? null : vc.Name)).ToListAsync(ct);
    }

    /// <summary>Customers with a company on file, by id and by email.</summary>
    private async Task<HashSet<string>> BusinessCustomersAsync(CancellationToken ct)
    {
        var list = await db.Customers.AsNoTracking().Where(c => c.Company != null && c.Company != "").Select(c => new { c.Id, c.Email }).ToListAsync(ct);
        return list.SelectMany(c => new[] { ReportMath.CustomerKey(c.Id, c.Email), c.Email.Trim().ToLowerInvariant() }).ToHashSet();
    }

    private sealed record RefundFacts(Guid OrderId, decimal Amount, DateTime CreatedAt);

    internal sealed record LineFacts(Guid OrderId, int Quantity, decimal LineTotal, decimal? UnitCost, string? Category);

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
        public void AddOrderAmounts(KpiReport.OrderFacts order, decimal share)
        {
            Shipping += order.Shipping * share;
            Tax += order.Tax * share;
            AddedTax += (order.PricesIncludeTax ? 0m : order.Tax) * share;
            Discounts += KpiReport.DiscountOf(order) * share;
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

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using LineFacts = Storekeep.Analytics.KpiReportFromOrders.LineFacts;
using OrderFacts = Storekeep.Analytics.KpiReport.OrderFacts;

namespace Storekeep.Analytics;

/// <summary>
/// Computes <see cref="DailyKpi"/> rows from the source tables: orders placed, lines and refunds
/// made on each UTC day, every currency, under every <see cref="KpiDimensions"/> key. Sums the way
/// <see cref="KpiReportFromOrders"/> does (same shares, unrounded), so a report summing these rows
/// equals one computed from the orders.
/// </summary>
internal static class DailyKpiFigures
{
    /// <summary>A customer's first order ever per currency and customer key (<see cref="ReportMath.CustomerKey"/>).</summary>
    public sealed class FirstOrders
    {
        private readonly Dictionary<(string Currency, string Customer), DateTime> _first = [];

        public void Add(string currency, Guid? customerId, string email, DateTime at)
        {
            var key = (currency, ReportMath.CustomerKey(customerId, email));
            if (!_first.TryGetValue(key, out var known) || at < known)
            {
                _first[key] = at;
            }
        }

        public bool IsFirst(string currency, string customer, DateTime at) => _first.TryGetValue((currency, customer), out var first) && first == at;
    }

    /// <summary>Every customer's first counted order, in one GROUP BY (for a rebuild).</summary>
    public static async Task<FirstOrders> AllFirstOrdersAsync(StorekeepDbContext db, CancellationToken ct)
    {
        var rows = await Counted(db)
            .GroupBy(o => new { o.Currency, o.CustomerId, o.Email })
            .Select(g => new { g.Key.Currency, g.Key.CustomerId, g.Key.Email, First = g.Min(o => o.CreatedAt) })
            .ToListAsync(ct);
        var firsts = new FirstOrders();
        foreach (var r in rows)
        {
            firsts.Add(r.Currency, r.CustomerId, r.Email, r.First);
        }

        return firsts;
    }

    /// <summary>
    /// The counted orders (any currency) of the customers of <paramref name="orders"/>: by customer
    /// id, and for guests by email compared trimmed and in lower case.
    /// </summary>
    public static async Task<List<CustomerOrder>> OrdersOfCustomersAsync(StorekeepDbContext db, IEnumerable<(Guid? CustomerId, string Email)> orders, CancellationToken ct)
    {
        var list = orders.ToList();
        var ids = list.Where(o => o.CustomerId is not null).Select(o => o.CustomerId).Distinct().ToList();
        var emails = list.Where(o => o.CustomerId is null).Select(o => o.Email.Trim().ToLowerInvariant()).Distinct().ToList();
        var found = new List<CustomerOrder>();
        foreach (var chunk in ids.Chunk(500))
        {
            found.AddRange(await Counted(db).Where(o => chunk.Contains(o.CustomerId))
                .Select(o => new CustomerOrder(o.Id, o.Currency, o.CustomerId, o.Email, o.CreatedAt, o.Channel, o.ShippingAddress.Country)).ToListAsync(ct));
        }

        foreach (var chunk in emails.Chunk(500))
        {
            found.AddRange(await Counted(db).Where(o => o.CustomerId == null && chunk.Contains(EF.Property<string>(o, StorekeepDbContext.GuestEmailKey)))
                .Select(o => new CustomerOrder(o.Id, o.Currency, o.CustomerId, o.Email, o.CreatedAt, o.Channel, o.ShippingAddress.Country)).ToListAsync(ct));
        }

        return found;
    }

    public sealed record CustomerOrder(Guid Id, string Currency, Guid? CustomerId, string Email, DateTime CreatedAt, string Channel, string Country)
    {
        public string Customer => ReportMath.CustomerKey(CustomerId, Email);
    }

    /// <summary>
    /// The rows of the days in [<paramref name="from"/>, <paramref name="to"/>). Customers' first
    /// orders come from <paramref name="firsts"/>, or, without them, from the query itself.
    /// </summary>
    public static async Task<List<DailyKpi>> ComputeAsync(StorekeepDbContext db, DateOnly from, DateOnly to, FirstOrders? firsts, CancellationToken ct, int ordersPerChunk = OrdersPerChunk)
    {
        var (start, end) = (DailySalesRollup.Start(from), DailySalesRollup.Start(to));
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == RefundStatus.Succeeded && r.CreatedAt >= start && r.CreatedAt < end)
            .Join(Counted(db), r => r.OrderId, o => o.Id, (r, o) => new { r.OrderId, r.Amount, r.CreatedAt })
            .ToListAsync(ct);
        var refundedIds = refunds.Select(r => r.OrderId).ToHashSet();
        var refunded = new Dictionary<Guid, Placed>();
        var refundedLines = new List<LineFacts>();

        var sums = new Dictionary<(DateOnly Day, string Currency, string Dimension, string Key), Sums>();
        Sums Row(DateOnly day, string currency, string dimension, string key) =>
            sums.TryGetValue((day, currency, dimension, key), out var s) ? s : sums[(day, currency, dimension, key)] = new Sums();

        // The range's orders a chunk at a time, so a busy day's orders and lines (the bench's day
        // holds tens of thousands) never sit in memory at once; only the refunded ones are kept.
        var ids = await Counted(db).Where(o => o.CreatedAt >= start && o.CreatedAt < end).Select(o => o.Id).ToListAsync(ct);
        foreach (var chunk in ids.Chunk(ordersPerChunk))
        {
            var these = Counted(db).Where(o => chunk.Contains(o.Id));

            // Without the rebuild's first orders, whether each order is its customer's first is asked in
            // the same query, not by fetching every order of the day's customers.
            var orders = await PlacedOf(db, these, askFirst: firsts is null).ToListAsync(ct);
            var linesByOrder = (await KpiReportFromOrders.LinesAsync(db, these, true, ct)).ToLookup(l => l.OrderId);
            foreach (var placedOrder in orders)
            {
                var (currency, o, first) = placedOrder;
                var day = DailySalesRollup.DayOf(o.CreatedAt);
                var customer = ReportMath.CustomerKey(o.CustomerId, o.Email);
                var isFirst = first ?? firsts!.IsFirst(currency, customer, o.CreatedAt);
                foreach (var (dimension, key) in new[] { (KpiDimensions.Total, ""), (KpiDimensions.Channel, o.Channel), (KpiDimensions.Country, o.Country.ToUpperInvariant()) })
                {
                    var row = Row(day, currency, dimension, key);
                    foreach (var line in linesByOrder[o.Id])
                    {
                        row.AddLine(line);
                    }

                    row.AddOrder(o, 1m, customer, isFirst);
                }

                foreach (var (line, share) in KpiReportFromOrders.Shares(linesByOrder[o.Id]))
                {
                    var row = Row(day, currency, KpiDimensions.Category, line.Category ?? KpiGroupings.Uncategorized);
                    row.AddLine(line);
                    row.AddOrder(o, share, customer, isFirst);
                }

                if (refundedIds.Contains(o.Id))
                {
                    refunded[o.Id] = placedOrder;
                    refundedLines.AddRange(linesByOrder[o.Id]);
                }
            }
        }

        // Refunds of orders placed on other days: those orders and their lines come too.
        var missing = refundedIds.Where(id => !refunded.ContainsKey(id)).ToList();
        foreach (var chunk in missing.Chunk(500))
        {
            var earlier = Counted(db).Where(o => chunk.Contains(o.Id));
            // Only their refunds are counted here, so whether they were first does not matter.
            foreach (var o in await PlacedOf(db, earlier, askFirst: false).ToListAsync(ct))
            {
                refunded[o.Facts.Id] = o;
            }

            refundedLines.AddRange(await KpiReportFromOrders.LinesAsync(db, earlier, true, ct));
        }

        var refundedLinesByOrder = refundedLines.ToLookup(l => l.OrderId);
        foreach (var r in refunds)
        {
            if (!refunded.TryGetValue(r.OrderId, out var refundedOrder))
            {
                continue; // cancelled since the refunds were read: its cancellation recomputes these days again
            }

            var (currency, o, _) = refundedOrder;
            var day = DailySalesRollup.DayOf(r.CreatedAt);
            Row(day, currency, KpiDimensions.Total, "").Refunds += r.Amount;
            Row(day, currency, KpiDimensions.Channel, o.Channel).Refunds += r.Amount;
            Row(day, currency, KpiDimensions.Country, o.Country.ToUpperInvariant()).Refunds += r.Amount;
            foreach (var (line, share) in KpiReportFromOrders.Shares(refundedLinesByOrder[o.Id]))
            {
                Row(day, currency, KpiDimensions.Category, line.Category ?? KpiGroupings.Uncategorized).Refunds += r.Amount * share;
            }
        }

        return [.. sums.Select(s => s.Value.ToRow(s.Key.Day, s.Key.Currency, s.Key.Dimension, s.Key.Key))];
    }

    /// <summary>Orders (with their lines) read per query by <see cref="ComputeAsync"/>.</summary>
    internal const int OrdersPerChunk = 2_000;

    private static IQueryable<Order> Counted(StorekeepDbContext db) => db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled);

    /// <summary>
    /// The orders' facts; with <paramref name="askFirst"/>, whether each is its customer's first
    /// (no counted order of the same customer id, or guest email key, in the currency, before it).
    /// </summary>
    private static IQueryable<Placed> PlacedOf(StorekeepDbContext db, IQueryable<Order> orders, bool askFirst)
    {
        var counted = Counted(db);
        return orders.Select(o => new Placed(
            o.Currency,
            new OrderFacts(o.Id, o.CreatedAt, o.CustomerId, o.Email, o.Subtotal, o.ShippingTotal - o.ShippingDiscount, o.TaxTotal, o.PricesIncludeTax, o.ShippingAddress.Country, o.Channel, o.DiscountTotal - o.ShippingDiscount),
            !askFirst ? null
                : o.CustomerId != null
                    ? !counted.Any(e => e.CustomerId == o.CustomerId && e.Currency == o.Currency && e.CreatedAt < o.CreatedAt)
                    : !counted.Any(e => e.CustomerId == null && EF.Property<string>(e, StorekeepDbContext.GuestEmailKey) == EF.Property<string>(o, StorekeepDbContext.GuestEmailKey) && e.Currency == o.Currency && e.CreatedAt < o.CreatedAt)));
    }

    /// <summary>An order of the range; <paramref name="IsFirst"/> when the query answered it (else the rebuild's first orders do).</summary>
    private sealed record Placed(string Currency, OrderFacts Facts, bool? IsFirst);

    /// <summary>One row's running sums, unrounded (shares of order amounts are fractions of a cent).</summary>
    private sealed class Sums
    {
        private readonly HashSet<Guid> _orders = [];
        private readonly HashSet<string> _new = [];
        private readonly HashSet<string> _customers = [];
        private long _units;
        private decimal _gross;
        private decimal _discounts;
        private decimal _shipping;
        private decimal _tax;
        private decimal _addedTax;
        private decimal _cost;

        public decimal Refunds { get; set; }

        public void AddLine(LineFacts line)
        {
            _units += line.Quantity;
            _gross += line.LineTotal;
            _cost += line.Quantity * (line.UnitCost ?? 0m);
        }

        /// <summary>Counts the order once, <paramref name="share"/> of its order-level amounts, and its customer when this is their first order.</summary>
        public void AddOrder(OrderFacts order, decimal share, string customer, bool isFirst)
        {
            _orders.Add(order.Id);
            _shipping += order.Shipping * share;
            _tax += order.Tax * share;
            _addedTax += (order.PricesIncludeTax ? 0m : order.Tax) * share;
            _discounts += KpiReport.DiscountOf(order) * share;
            _customers.Add(customer);
            if (isFirst)
            {
                _new.Add(customer);
            }
        }

        public DailyKpi ToRow(DateOnly day, string currency, string dimension, string key) => new()
        {
            Day = day,
            Currency = currency,
            Dimension = dimension,
            Key = key,
            Orders = _orders.Count,
            Units = _units,
            Gross = KpiAmounts.ToScaled(_gross),
            Discounts = KpiAmounts.ToScaled(_discounts),
            Shipping = KpiAmounts.ToScaled(_shipping),
            Tax = KpiAmounts.ToScaled(_tax),
            AddedTax = KpiAmounts.ToScaled(_addedTax),
            CostOfGoods = KpiAmounts.ToScaled(_cost),
            Refunds = KpiAmounts.ToScaled(Refunds),
            NewCustomers = _new.Count,
            Customers = _customers.Count,
        };
    }
}

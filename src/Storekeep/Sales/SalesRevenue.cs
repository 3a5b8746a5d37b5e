using Microsoft.EntityFrameworkCore;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>An order a rep is credited with: amounts in minor units (docs/sales.md, "Attribution").</summary>
internal sealed record RevenueOrder(Guid Id, long Number, Guid RepId, DateTime PlacedAt, DateTime? PaidAt, long Amount)
{
    /// <summary>When the order counts on <paramref name="basis"/>; null: not (yet) on it.</summary>
    public DateTime? At(CommissionBasis basis) => basis == CommissionBasis.Invoiced ? PlacedAt : PaidAt;
}

/// <summary>A succeeded refund of a credited order: its net amount (no tax, no shipping) in minor units.</summary>
internal sealed record RevenueRefund(Guid OrderId, DateTime At, long Net);

/// <summary>One credited amount: an order (positive) or a refund of one (negative), at the time it counts.</summary>
internal sealed record RevenueLine(RevenueOrder Order, DateTime At, long Amount, string Kind);

/// <summary>
/// Every order credited to a rep and every refund of one, read once from Orders, Payments,
/// Customers, Companies and the won deals, then summed per rep and period in memory. A store's B2B
/// orders are thousands, not millions; only orders of a company buyer or of a won deal are read.
/// </summary>
internal sealed class SalesRevenue
{
    public const string OrderLine = "order";
    public const string RefundLine = "refund";

    private readonly Dictionary<Guid, List<RevenueOrder>> _byRep;
    private readonly Dictionary<Guid, List<RevenueRefund>> _refunds;

    private SalesRevenue(List<RevenueOrder> orders, List<RevenueRefund> refunds)
    {
        _byRep = orders.GroupBy(o => o.RepId).ToDictionary(g => g.Key, g => g.ToList());
        _refunds = refunds.GroupBy(r => r.OrderId).ToDictionary(g => g.Key, g => g.ToList());
    }

    public static async Task<SalesRevenue> LoadAsync(StorekeepDbContext db, CancellationToken ct)
    {
        // Attribution 1: the owner of the won deal the order won (the earliest such win).
        var won = await db.Set<Deal>().AsNoTracking()
            .Where(d => d.Stage == DealStage.Won && d.OrderId != null && d.OwnerRepId != null)
            .Select(d => new { OrderId = d.OrderId!.Value, Rep = d.OwnerRepId!.Value, d.ClosedAt, d.Id })
            .ToListAsync(ct);
        var dealRep = won.OrderBy(d => d.ClosedAt).ThenBy(d => d.Id.ToString(), StringComparer.Ordinal)
            .GroupBy(d => d.OrderId).ToDictionary(g => g.Key, g => g.First().Rep);
        var dealOrders = dealRep.Keys.ToList();

        // Attribution 2: the owner rep of the buyer's company on the day the order was placed.
        var buyers = await db.Customers.AsNoTracking().Where(c => c.CompanyId != null)
            .Join(db.Set<Company>(), c => c.CompanyId, co => (Guid?)co.Id, (c, co) => new { c.Id, CompanyId = co.Id, co.OwnerRepId })
            .ToListAsync(ct);
        var owners = CompanyOwners.From(
            buyers.Select(b => (b.CompanyId, b.OwnerRepId)).Distinct(),
            await db.Set<CompanyOwnerChange>().AsNoTracking().Select(c => new CompanyOwners.Change(c.CompanyId, c.OwnerRepId, c.At, c.Id)).ToListAsync(ct));
        var buyerCompany = buyers.ToDictionary(b => b.Id, b => b.CompanyId);

        var orders = db.Orders.AsNoTracking().Where(o => o.Status != OrderStatus.Cancelled
            && (dealOrders.Contains(o.Id) || db.Customers.Any(c => c.Id == o.CustomerId && c.CompanyId != null)));
        var heads = await orders.Select(o => new { o.Id, o.Number, o.CustomerId, o.CreatedAt, o.Source, o.PricesIncludeTax, o.Total }).ToListAsync(ct);
        var lines = await db.OrderLines.AsNoTracking().Where(l => orders.Any(o => o.Id == l.OrderId))
            .Select(l => new { l.OrderId, l.LineTotal, l.DiscountAmount, l.TaxAmount }).ToListAsync(ct);
        var captured = await db.OrderTimeline.AsNoTracking().Where(t => t.Kind == "payment_captured" && orders.Any(o => o.Id == t.OrderId))
            .Select(t => new { t.OrderId, t.At }).ToListAsync(ct);
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded && orders.Any(o => o.Id == r.OrderId))
            .Select(r => new { r.Id, r.OrderId, r.Amount, r.CreatedAt }).ToListAsync(ct);
        var refundIds = refunds.Select(r => r.Id).ToList();
        var refundNets = (await db.RefundLines.AsNoTracking().Where(l => refundIds.Contains(l.RefundId)).Select(l => new { l.RefundId, l.NetAmount }).ToListAsync(ct))
            .GroupBy(l => l.RefundId).ToDictionary(g => g.Key, g => g.Sum(l => MinorUnits.ToMinor(l.NetAmount)));

        var linesByOrder = lines.ToLookup(l => l.OrderId);
        var paidAt = captured.GroupBy(c => c.OrderId).ToDictionary(g => g.Key, g => g.Min(c => c.At));
        var credited = new List<RevenueOrder>();
        var totals = new Dictionary<Guid, (long Amount, long Total)>();
        foreach (var o in heads)
        {
            Guid? rep = dealRep.TryGetValue(o.Id, out var r) ? r
                : o.CustomerId is { } c && buyerCompany.TryGetValue(c, out var company) ? owners.At(company, o.CreatedAt) : null;
            if (rep is null)
            {
                continue;
            }

            // Net of discounts, without tax (tax-inclusive prices hold it) and without shipping.
            var amount = linesByOrder[o.Id].Sum(l => MinorUnits.ToMinor(l.LineTotal) - MinorUnits.ToMinor(l.DiscountAmount) - (o.PricesIncludeTax ? MinorUnits.ToMinor(l.TaxAmount) : 0));
            var paid = o.Source == OrderSources.Import ? o.CreatedAt : paidAt.TryGetValue(o.Id, out var p) ? p : (DateTime?)null;
            credited.Add(new RevenueOrder(o.Id, o.Number, rep.Value, o.CreatedAt, paid, amount));
            totals[o.Id] = (amount, MinorUnits.ToMinor(o.Total));
        }

        var creditedRefunds = refunds.Where(r => totals.ContainsKey(r.OrderId)).Select(r =>
        {
            var net = refundNets.TryGetValue(r.Id, out var n) ? n : ProRata(MinorUnits.ToMinor(r.Amount), totals[r.OrderId].Amount, totals[r.OrderId].Total);
            return new RevenueRefund(r.OrderId, r.CreatedAt, net);
        }).ToList();
        return new SalesRevenue(credited, creditedRefunds);
    }

    /// <summary>
    /// Each company's owner over time: at an instant, the owner of the latest change at or before it;
    /// before the first change, the first owner; a company with no recorded change, its current owner.
    /// </summary>
    internal sealed class CompanyOwners
    {
        public sealed record Change(Guid CompanyId, Guid? OwnerRepId, DateTime At, Guid Id);

        private readonly Dictionary<Guid, Guid?> _current = [];
        private readonly Dictionary<Guid, List<Change>> _changes = [];

        public static CompanyOwners From(IEnumerable<(Guid CompanyId, Guid? OwnerRepId)> current, IEnumerable<Change> changes)
        {
            var owners = new CompanyOwners();
            foreach (var (company, owner) in current)
            {
                owners._current[company] = owner;
            }

            foreach (var group in changes.GroupBy(c => c.CompanyId))
            {
                owners._changes[group.Key] = [.. group.OrderBy(c => c.At).ThenBy(c => c.Id.ToString(), StringComparer.Ordinal)];
            }

            return owners;
        }

        public Guid? At(Guid companyId, DateTime at)
        {
            if (!_changes.TryGetValue(companyId, out var changes))
            {
                return _current.GetValueOrDefault(companyId);
            }

            return (changes.LastOrDefault(c => c.At <= at) ?? changes[0]).OwnerRepId;
        }
    }

    /// <summary>A refund of an amount: its share of the order's net amount (amount × net ÷ total), rounded half away from zero.</summary>
    internal static long ProRata(long refunded, long net, long total) =>
        total == 0 ? 0 : (long)Math.Round((decimal)refunded * net / total, 0, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The rep's credited amounts on <paramref name="basis"/> in [start, end), by time: each order
    /// when it counts, and each refund (when made) of an order that counts on the basis at all.
    /// </summary>
    public List<RevenueLine> Lines(Guid repId, CommissionBasis basis, DateTime start, DateTime end)
    {
        var result = new List<RevenueLine>();
        foreach (var order in _byRep.GetValueOrDefault(repId) ?? [])
        {
            if (order.At(basis) is not { } at)
            {
                continue;
            }

            if (at >= start && at < end)
            {
                result.Add(new RevenueLine(order, at, order.Amount, OrderLine));
            }

            foreach (var refund in _refunds.GetValueOrDefault(order.Id) ?? [])
            {
                if (refund.At >= start && refund.At < end)
                {
                    result.Add(new RevenueLine(order, refund.At, -refund.Net, RefundLine));
                }
            }
        }

        return [.. result.OrderBy(l => l.At).ThenBy(l => l.Order.Number).ThenBy(l => l.Kind, StringComparer.Ordinal)];
    }

    /// <summary>Quota attainment's numerator: the invoiced basis over the period.</summary>
    public long Attained(Guid repId, SalesPeriod period) =>
        Lines(repId, CommissionBasis.Invoiced, period.Start, period.End).Sum(l => l.Amount);
}

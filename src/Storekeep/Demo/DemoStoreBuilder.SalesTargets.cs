using Storekeep.Orders;
using Storekeep.Sales;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// Quotas and commissions with real figures: each won deal turns into the first untaken order
    /// placed within two days of the win (so it counts for the deal's owner), every rep has a quota
    /// for this and last quarter near what they sell, and all are on a tiered plan. Its own random
    /// source, so nothing else in the demo changes.
    /// </summary>
    private void BuildSalesTargets()
    {
        var rng = new Random(_salesSeed + 15);
        var orders = _data.Orders.Where(o => o.Status != OrderStatus.Cancelled).OrderBy(o => o.CreatedAt).ToList();
        var taken = new HashSet<Guid>();
        foreach (var deal in _data.Deals.Where(d => d.Stage == DealStage.Won).OrderBy(d => d.ClosedAt))
        {
            var won = deal.ClosedAt!.Value;
            var order = orders.FirstOrDefault(o => o.CreatedAt >= won && o.CreatedAt < won.AddDays(2) && !taken.Contains(o.Id));
            if (order is not null)
            {
                taken.Add(order.Id);
                deal.OrderId = order.Id;
            }
        }

        var created = _data.SalesTeams[0].CreatedAt;
        var plan = new CommissionPlan { Id = NewId(rng), Name = "Wholesale standard", Basis = CommissionBasis.Invoiced, Rate = 5m, CreatedAt = created };
        _data.CommissionPlans.Add(plan);
        _data.CommissionPlanTiers.AddRange([
            new CommissionPlanTier { PlanId = plan.Id, FromAttainment = 80m, Rate = 7m },
            new CommissionPlanTier { PlanId = plan.Id, FromAttainment = 100m, Rate = 10m },
        ]);

        var thisQuarter = SalesPeriod.OfQuarter(_end.AddDays(-1));
        var lastQuarter = thisQuarter.Previous;
        var byId = orders.ToDictionary(o => o.Id);
        foreach (var rep in _data.SalesReps)
        {
            rep.CommissionPlanId = plan.Id;
            var sold = _data.Deals.Where(d => d.OwnerRepId == rep.Id && d.OrderId is { } id && byId[id].CreatedAt >= lastQuarter.Start && byId[id].CreatedAt < lastQuarter.End)
                .Sum(d => byId[d.OrderId!.Value].Subtotal - byId[d.OrderId!.Value].DiscountTotal + byId[d.OrderId!.Value].ShippingDiscount);
            var last = Math.Max(500m, Math.Round(sold * (0.8m + (decimal)rng.NextDouble() * 0.5m) / 100m) * 100m);
            _data.SalesQuotas.Add(new SalesQuota { RepId = rep.Id, Period = lastQuarter.Key, Amount = last, UpdatedAt = lastQuarter.Start });
            _data.SalesQuotas.Add(new SalesQuota { RepId = rep.Id, Period = thisQuarter.Key, Amount = Math.Round(last * (1m + (decimal)rng.NextDouble() * 0.2m) / 100m) * 100m, UpdatedAt = thisQuarter.Start });
        }
    }
}

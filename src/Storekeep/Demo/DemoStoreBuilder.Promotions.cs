using Storekeep.Customers;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.Demo;

/// <summary>
/// The demo store's discounts: a welcome code, a fixed amount over a minimum, automatic free
/// shipping over a threshold, a buy-2-get-1 on a category, and one that has expired. They are
/// written as the back office would create them (rules as the service stores them). Orders of the
/// store's own history entered some of the codes and met the automatic one; those orders are priced
/// by checkout's own calculator and keep their uses and allocations as checkout stores them.
/// </summary>
internal sealed partial class DemoStoreBuilder
{
    /// <summary>The demo's automatic free shipping: from this subtotal, below the standard method's own 75.00.</summary>
    public const decimal DemoFreeShippingFrom = 60m;

    private void BuildPromotions()
    {
        var coffee = _data.Categories.FirstOrDefault(c => c.Name == "Coffee & Tea")?.Slug ?? "coffee-tea";
        var created = _end.AddDays(-45).AddHours(9);

        Add("Welcome: 10 % off your order", "WELCOME10", DiscountType.Percentage, 10m, Rules(),
            startsAt: _start, usageLimitPerCustomer: 1);
        Add("25.00 off orders over 150.00", "SUMMER25", DiscountType.FixedAmount, 25m, Rules(),
            minimumSubtotal: 150m, startsAt: _end.AddDays(-30), endsAt: _end.AddDays(60), usageLimit: 500);
        Add($"Free shipping over {DemoFreeShippingFrom:0}", null, DiscountType.FreeShipping, null,
            Rules(combines: new CombinesWithDto(true, true, false)), minimumSubtotal: DemoFreeShippingFrom, startsAt: _end.AddDays(-14));
        Add("Coffee & tea: buy 2, get 1 free", "BREW3FOR2", DiscountType.BuyXGetY, null,
            Rules(buy: new BuyRuleDto(2, null, [coffee]), get: new GetRuleDto(1, null, [coffee], 100m), target: new DiscountTargetDto(null, null, [coffee])),
            startsAt: _end.AddDays(-20));
        Add("Black Friday: 20 % off", "BLACKFRIDAY", DiscountType.Percentage, 20m, Rules(),
            startsAt: _end.AddDays(-40), endsAt: _end.AddDays(-36));

        DiscountRules Rules(BuyRuleDto? buy = null, GetRuleDto? get = null, CombinesWithDto? combines = null, DiscountTargetDto? target = null) =>
            new(target ?? new DiscountTargetDto(true, null, null), buy, get, combines ?? new CombinesWithDto(false, false, false), null, []);

        void Add(string title, string? code, DiscountType type, decimal? value, DiscountRules rules,
            decimal? minimumSubtotal = null, DateTime? startsAt = null, DateTime? endsAt = null, int? usageLimit = null, int? usageLimitPerCustomer = null)
        {
            _data.Discounts.Add(new DiscountDefinition
            {
                Title = title,
                Code = code,
                CodeKey = DiscountDefinition.KeyOf(code),
                Type = type,
                Status = DiscountStatus.Active,
                Value = value,
                Rules = rules.Write(),
                MinimumSubtotal = minimumSubtotal,
                StartsAt = startsAt,
                EndsAt = endsAt,
                UsageLimit = usageLimit,
                UsageLimitPerCustomer = usageLimitPerCustomer,
                CreatedAt = created,
                UpdatedAt = created,
            });
        }
    }

    private readonly HashSet<Guid> _customersWhoOrdered = [];

    /// <summary>An order as checkout would have priced it with the discounts that applied.</summary>
    private sealed record DiscountedOrder(List<OrderLine> Lines, decimal Shipping, decimal ShippingDiscount, decimal Tax, PromotionResult Promotion);

    /// <summary>
    /// The code the shopper entered, if any: a signed-up customer's first order now and then used
    /// the welcome code; big baskets the summer one while it ran; some of the Black Friday week the
    /// Black Friday code. Decided by the order number, so the random sequence (and everything else
    /// in the demo) is as it was.
    /// </summary>
    private string? CodeEnteredFor(long number, DateTime at, Customer? customer, decimal subtotal)
    {
        var firstOrder = customer is not null && _customersWhoOrdered.Add(customer.Id);
        return firstOrder && number % 3 == 0 ? "WELCOME10"
            : at >= _end.AddDays(-30) && subtotal >= 150m && number % 2 == 0 ? "SUMMER25"
            : at >= _end.AddDays(-40) && at < _end.AddDays(-36) && number % 2 == 1 ? "BLACKFRIDAY"
            : null;
    }

    /// <summary>The order priced with its code and the automatic discounts; null when none applied (the lines stay as they were).</summary>
    private DiscountedOrder? WithDiscounts(long number, DateTime at, Customer? customer, string email, Address address, string method, List<OrderLine> lines)
    {
        var code = CodeEnteredFor(number, at, customer, lines.Sum(l => l.LineTotal));
        var candidates = _data.Discounts.Where(d => d.Code is null || d.Code == code).Select(d => Discounts.ToEngine(d, 0)).ToList();
        var priceLines = lines.Select(l =>
        {
            var category = _data.Categories.Find(c => c.Id == _variantsBySku[l.Sku].Product.CategoryId);
            return new PriceLine(l.Sku, l.UnitPrice, l.Quantity, category is null ? [] : [category.Id.ToString(), category.Slug]);
        }).ToList();
        var totals = PriceCalculator.Calculate(priceLines, _data.ShippingMethods.Find(m => m.Code == method),
            PriceCalculator.TaxRateFor(_data.TaxRates, address.Country, address.Region), pricesIncludeTax: false,
            new DiscountContext(candidates, code is null ? [] : [code], new PromotionCustomer(customer?.Id.ToString(), email, []), at));
        if (totals.Promotion is not { Applied.Count: > 0 } promotion)
        {
            return null;
        }

        var priced = lines.Zip(totals.Lines, (line, p) => new OrderLine
        {
            Id = line.Id,
            VariantId = line.VariantId,
            Sku = line.Sku,
            Title = line.Title,
            Quantity = line.Quantity,
            UnitPrice = line.UnitPrice,
            LineTotal = p.LineTotal,
            TaxAmount = p.TaxAmount,
            UnitCost = line.UnitCost,
            DiscountAmount = p.Discount,
            DiscountAllocations = p.Allocations.Count == 0 ? null : [.. p.Allocations.Select(a => new OrderLineDiscount(a.DiscountId, MinorUnits.FromMinor(a.Amount)))],
        }).ToList();
        return new DiscountedOrder(priced, totals.ShippingTotal, totals.ShippingDiscount, totals.TaxTotal, promotion);
    }

    /// <summary>The order's uses and allocations, as checkout's DiscountUsage stores them.</summary>
    private void RecordDiscountUses(Order order, PromotionResult promotion, DateTime at)
    {
        foreach (var applied in promotion.Applied)
        {
            var discount = _data.Discounts.Single(d => d.Id == applied.DiscountId);
            if (discount.UsageLimit is not null)
            {
                discount.UsedCount++; // the engine reads the uses left from it for the next order
            }

            _data.DiscountUses.Add(new DiscountUse
            {
                Id = Guid.CreateVersion7(at),
                DiscountId = applied.DiscountId,
                OrderId = order.Id,
                Customer = order.Email.ToLowerInvariant(),
                Currency = order.Currency,
                Amount = MinorUnits.FromMinor(applied.Amount),
                OrderTotal = order.Total,
                CreatedAt = at,
            });
        }

        var lineIds = order.Lines.ToDictionary(l => l.Sku, l => l.Id, StringComparer.Ordinal);
        foreach (var line in promotion.Lines)
        {
            foreach (var allocation in line.Allocations.Where(a => a.Amount > 0))
            {
                _data.DiscountAllocations.Add(new OrderDiscountAllocation
                {
                    Id = Guid.CreateVersion7(at), OrderId = order.Id, OrderLineId = lineIds[line.Sku], DiscountId = allocation.DiscountId, Amount = MinorUnits.FromMinor(allocation.Amount),
                });
            }
        }

        foreach (var allocation in promotion.ShippingAllocations.Where(a => a.Amount > 0))
        {
            _data.DiscountAllocations.Add(new OrderDiscountAllocation
            {
                Id = Guid.CreateVersion7(at), OrderId = order.Id, DiscountId = allocation.DiscountId, Amount = MinorUnits.FromMinor(allocation.Amount),
            });
        }
    }

    /// <summary>
    /// Once every order's story is told: cancelled and fully refunded orders gave their uses back;
    /// the counters that limits are guarded on hold the uses left (limited discounts only, as checkout keeps them).
    /// </summary>
    private void FinishPromotions()
    {
        var orders = _data.Orders.ToDictionary(o => o.Id);
        foreach (var use in _data.DiscountUses)
        {
            var order = orders[use.OrderId];
            if (order.Status == OrderStatus.Cancelled || order.PaymentStatus == PaymentStatus.Refunded)
            {
                use.ReleasedAt = order.CancelledAt ?? order.UpdatedAt;
            }
        }

        var held = _data.DiscountUses.Where(u => u.ReleasedAt is null).ToList();
        foreach (var discount in _data.Discounts)
        {
            discount.UsedCount = discount.UsageLimit is null ? 0 : held.Count(u => u.DiscountId == discount.Id);
            if (discount.UsageLimitPerCustomer is not null)
            {
                _data.DiscountCustomerUses.AddRange(held.Where(u => u.DiscountId == discount.Id).GroupBy(u => u.Customer)
                    .Select(g => new DiscountCustomerUse { DiscountId = discount.Id, Customer = g.Key, Uses = g.Count() }));
            }
        }
    }
}

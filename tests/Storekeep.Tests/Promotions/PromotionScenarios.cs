using FsCheck;
using FsCheck.Fluent;
using Storekeep.Promotions;

namespace Storekeep.Tests.Promotions;

/// <summary>A random cart, a random set of discounts with the codes entered for them, a tax rule, and a seed for refund steps.</summary>
public sealed record PromotionScenario(PromotionCart Cart, IReadOnlyList<Discount> Discounts, IReadOnlyList<string> Codes, decimal TaxRate, bool PricesIncludeTax, int Seed)
{
    public static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    public PromotionRequest Request => new(Cart, Discounts, Codes, Now);

    // Lists print as type names in records; spell the scenario out so a failing case can be read.
    public override string ToString() =>
        $"lines: [{string.Join("; ", Cart.Lines.Select(l => $"{l.LineId} {l.Sku} [{string.Join(",", l.Categories)}] {l.UnitPrice}×{l.Quantity}"))}], shipping {Cart.Shipping}, " +
        $"discounts: [{string.Join("; ", Discounts.Select(Describe))}], codes: [{string.Join(",", Codes)}], tax {TaxRate}% {(PricesIncludeTax ? "incl" : "excl")}, seed {Seed}";

    private static string Describe(Discount d) =>
        $"{d.Id.ToString()[..8]} {d.Type} {d.Code ?? "auto"} {d.PercentOff}%/{d.AmountOff} on {Target(d.AppliesTo)} " +
        $"buy {d.Buy?.Quantity} {(d.Buy is null ? "" : Target(d.Buy.Items))} get {d.Get?.Quantity} {(d.Get is null ? "" : Target(d.Get.Items))} {d.Get?.PercentOff}% " +
        $"min {d.MinimumSubtotal}/{d.MinimumQuantity} left {d.RemainingUses} combines {d.CombinesWith.ProductDiscounts}/{d.CombinesWith.OrderDiscounts}/{d.CombinesWith.ShippingDiscounts} {d.Status}";

    private static string Target(DiscountTarget t) => t.All ? "all" : $"skus({string.Join(",", t.Skus)}) cats({string.Join(",", t.Categories)})";
}

/// <summary>FsCheck generators for the promotion property tests.</summary>
public static class PromotionScenarios
{
    private static readonly string[] Skus = ["A", "B", "C", "D", "E"];
    private static readonly string[] Categories = ["shoes", "hats", "sale"];

    public static Arbitrary<PromotionScenario> Arbitrary { get; } = Arb.From(Scenario());

    public static Guid IdFor(int index) => new(index + 1, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]);

    private static Gen<PromotionScenario> Scenario() =>
        from lineCount in Gen.Choose(1, 6)
        from lines in Gen.CollectToList(Enumerable.Range(0, lineCount).Select(Line))
        from shipping in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 3_000)))
        from vip in Gen.Elements(true, false)
        from discountCount in Gen.Choose(0, 5)
        from discounts in Gen.CollectToList(Enumerable.Range(0, discountCount).Select(Discount))
        from unknownCode in Gen.Elements(true, false)
        from taxRate in Gen.Choose(0, 300_000).Select(r => r / 10_000m)
        from inclusive in Gen.Elements(true, false)
        from seed in Gen.Choose(0, int.MaxValue)
        let customer = new PromotionCustomer("c1", "shopper@example.com", vip ? ["vip"] : [])
        let codes = discounts.Where(d => d.Code is not null).Select(d => d.Code!).Concat(unknownCode ? ["NOSUCHCODE"] : []).ToList()
        select new PromotionScenario(new PromotionCart(lines, shipping, customer), discounts, codes, taxRate, inclusive, seed);

    private static Gen<PromotionLine> Line(int index) =>
        from sku in Gen.Elements(Skus)
        from categories in Gen.SubListOf(Categories)
        from price in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 20_000)), (2, Gen.Choose(20_000, 2_000_000)))
        from quantity in Gen.Frequency((6, Gen.Choose(1, 3)), (2, Gen.Choose(4, 40)))
        select new PromotionLine($"L{index}", sku, [.. categories], price, quantity);

    private static Gen<DiscountTarget> Target() =>
        Gen.Frequency(
            (3, Gen.Constant(DiscountTarget.Everything)),
            (2, Gen.SubListOf(Skus).Where(s => s.Count > 0).Select(s => DiscountTarget.ForSkus([.. s]))),
            (2, Gen.Elements(Categories).Select(c => DiscountTarget.ForCategories(c))));

    private static Gen<CombinesWith> Combination() =>
        from product in Gen.Elements(true, false)
        from order in Gen.Elements(true, false)
        from shipping in Gen.Elements(true, false)
        select new CombinesWith(product, order, shipping);

    private static Gen<Discount> Discount(int index) =>
        from type in Gen.Elements(DiscountType.Percentage, DiscountType.FixedAmount, DiscountType.FreeShipping, DiscountType.BuyXGetY)
        from percent in Gen.Frequency((3, Gen.Choose(0, 100).Select(p => (decimal)p)), (1, Gen.Choose(0, 10_000).Select(p => p / 100m)))
        from amount in Gen.Frequency((3, Gen.Choose(0, 10_000)), (1, Gen.Choose(10_000, 5_000_000)))
        from appliesTo in Target()
        from buy in Gen.Choose(1, 3).Zip(Target())
        from get in Gen.Choose(1, 2).Zip(Target())
        from combines in Combination()
        from hasCode in Gen.Elements(true, false)
        from minimum in Gen.Frequency((5, Gen.Constant<long?>(null)), (1, Gen.Choose(0, 60_000).Select(m => (long?)m)))
        from minimumQuantity in Gen.Frequency((6, Gen.Constant<int?>(null)), (1, Gen.Choose(1, 8).Select(m => (int?)m)))
        from usesLeft in Gen.Frequency((8, Gen.Constant<int?>(null)), (1, Gen.Constant<int?>(0)), (1, Gen.Constant<int?>(3)))
        from vipOnly in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        from status in Gen.Frequency((8, Gen.Constant(DiscountStatus.Active)), (1, Gen.Constant(DiscountStatus.Inactive)))
        select new Discount
        {
            Id = IdFor(index),
            Title = $"Discount {index}",
            Code = hasCode ? $"CODE{index}" : null,
            Type = type,
            PercentOff = percent,
            AmountOff = amount,
            AppliesTo = appliesTo,
            Buy = new BuyRule(buy.Item1, buy.Item2),
            Get = new GetRule(get.Item1, get.Item2, percent),
            MinimumSubtotal = minimum,
            MinimumQuantity = minimumQuantity,
            RemainingUses = usesLeft,
            CombinesWith = combines,
            Customers = vipOnly ? new CustomerEligibility(["vip"], [], []) : CustomerEligibility.Everyone,
            Status = status,
        };
}

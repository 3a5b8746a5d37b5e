using Storekeep.Promotions;

namespace Storekeep.Tests.Promotions;

/// <summary>The contract's worked examples and each rule of docs/promotions.md, one case at a time.</summary>
public sealed class DiscountEngineTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private static PromotionLine Line(string id, string sku, long unitPrice, int quantity = 1, params string[] categories) =>
        new(id, sku, categories, unitPrice, quantity);

    private static PromotionCart Cart(long shipping, params PromotionLine[] lines) => new(lines, shipping, PromotionCustomer.Guest);

    private static Discount Percent(int n, decimal percent, string? code = null, DiscountTarget? appliesTo = null) => new()
    {
        Id = PromotionScenarios.IdFor(n),
        Title = $"{percent}% off",
        Code = code,
        Type = DiscountType.Percentage,
        PercentOff = percent,
        AppliesTo = appliesTo ?? DiscountTarget.Everything,
    };

    private static Discount Fixed(int n, long amount, string? code = null, DiscountTarget? appliesTo = null) => new()
    {
        Id = PromotionScenarios.IdFor(n),
        Title = $"{amount} off",
        Code = code,
        Type = DiscountType.FixedAmount,
        AmountOff = amount,
        AppliesTo = appliesTo ?? DiscountTarget.Everything,
    };

    private static Discount FreeShipping(int n, string? code = null) => new()
    {
        Id = PromotionScenarios.IdFor(n),
        Title = "Free shipping",
        Code = code,
        Type = DiscountType.FreeShipping,
    };

    private static PromotionResult Apply(PromotionCart cart, IReadOnlyList<Discount> discounts, params string[] codes) =>
        DiscountEngine.Apply(new PromotionRequest(cart, discounts, codes, Now));

    private static string ReasonFor(PromotionResult result, string code) => Assert.Single(result.Rejected, r => r.Code == code).ReasonCode;

    [Fact]
    public void Twenty_five_percent_off_19_99_takes_5_00_and_leaves_14_99()
    {
        var result = Apply(Cart(0, Line("l1", "TEE", 1999)), [Percent(1, 25, "QUARTER", DiscountTarget.ForSkus("TEE"))], "QUARTER");

        var line = Assert.Single(result.Lines);
        Assert.Equal(500, Assert.Single(line.Allocations).Amount);
        Assert.Equal(1499, line.LineTotal);
        Assert.Equal(500, result.DiscountTotal);
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void Twenty_percent_off_an_order_of_150_and_60_refunds_120_plus_tax_for_the_150_item()
    {
        var cart = Cart(500, Line("l1", "JACKET", 15000), Line("l2", "SCARF", 6000));
        var result = Apply(cart, [Percent(1, 20, "TWENTY")], "TWENTY");
        var taxed = PromotionTax.Apply(result, 10m, pricesIncludeTax: false);

        Assert.Equal([12000L, 4800L], result.Lines.Select(l => l.LineTotal));
        Assert.Equal([3000L, 1200L], result.Lines.Select(l => Assert.Single(l.Allocations).Amount));
        Assert.Equal(4200, result.DiscountTotal);
        Assert.Equal([1200L, 480L], taxed.Lines.Select(l => l.Tax));
        Assert.Equal(21000 - 4200 + 500 + 1680, taxed.Total);

        var refund = LineRefunds.Quote(LineRefunds.Capture(result, taxed), [new RefundLineRequest(null, "JACKET", 1)]);

        Assert.Equal(12000, refund.NetAmount);
        Assert.Equal(1200, refund.Tax);
        Assert.Equal(13200, refund.Total);
    }

    [Fact]
    public void A_line_refunded_unit_by_unit_returns_the_odd_cents_first_and_exactly_the_line_in_the_end()
    {
        var captured = new List<CapturedLine> { new("l1", "SOCKS", 3, 1000, 101) };
        var refunds = new List<RefundQuote>();
        for (var refunded = 0; refunded < 3; refunded++)
        {
            refunds.Add(LineRefunds.Quote([captured[0] with { RefundedQuantity = refunded }], [new RefundLineRequest("l1", null, 1)]));
        }

        Assert.Equal([334L, 333L, 333L], refunds.Select(r => r.NetAmount));
        Assert.Equal([34L, 34L, 33L], refunds.Select(r => r.Tax));
        Assert.Throws<ArgumentException>(() => LineRefunds.Quote([captured[0] with { RefundedQuantity = 3 }], [new RefundLineRequest("l1", null, 1)]));
    }

    [Fact]
    public void An_order_amount_is_spread_by_largest_remainder_so_the_parts_add_up()
    {
        var result = Apply(Cart(0, Line("l1", "A", 3333), Line("l2", "B", 3333), Line("l3", "C", 3334)), [Fixed(1, 1000)]);

        // 333.3, 333.3, 333.4: the extra cent goes to the largest remainder, the third line.
        Assert.Equal([333L, 333L, 334L], result.Lines.Select(l => l.DiscountTotal));
        Assert.Equal(1000, result.DiscountTotal);
    }

    [Fact]
    public void A_fixed_amount_larger_than_the_eligible_lines_is_capped_at_them()
    {
        var result = Apply(Cart(0, Line("l1", "A", 3000), Line("l2", "B", 2000)), [Fixed(1, 5000, "BIG", DiscountTarget.ForSkus("A"))], "BIG");

        Assert.Equal([0L, 2000L], result.Lines.Select(l => l.LineTotal));
        Assert.Equal(3000, result.DiscountTotal);
    }

    [Fact]
    public void An_automatic_discount_applies_without_a_code()
    {
        var result = Apply(Cart(0, Line("l1", "A", 10000)), [Percent(1, 10)]);

        Assert.Equal(1000, Assert.Single(result.Applied).Amount);
    }

    [Fact]
    public void A_code_discount_applies_only_when_its_code_is_entered_in_any_case()
    {
        var discount = Percent(1, 10, "Save10");

        Assert.Empty(Apply(Cart(0, Line("l1", "A", 10000)), [discount]).Applied);
        Assert.Equal(1000, Apply(Cart(0, Line("l1", "A", 10000)), [discount], " save10 ").DiscountTotal);
    }

    [Fact]
    public void An_unknown_code_is_discount_code_unknown()
    {
        var result = Apply(Cart(0, Line("l1", "A", 10000)), [Percent(1, 10, "SAVE10")], "NOPE");

        Assert.Equal("discount_code_unknown", ReasonFor(result, "NOPE"));
        Assert.Empty(result.Applied);
    }

    [Fact]
    public void A_code_for_other_customers_reads_as_unknown()
    {
        var vipOnly = Percent(1, 10, "VIP") with { Customers = new CustomerEligibility(["vip"], ["friend@example.com"], []) };
        var cart = Cart(0, Line("l1", "A", 10000));

        Assert.Equal("discount_code_unknown", ReasonFor(Apply(cart, [vipOnly], "VIP"), "VIP"));
        Assert.Equal(1000, Apply(cart with { Customer = new PromotionCustomer("c", null, ["VIP"]) }, [vipOnly], "VIP").DiscountTotal);
        Assert.Equal(1000, Apply(cart with { Customer = new PromotionCustomer("c", "Friend@Example.com", []) }, [vipOnly], "VIP").DiscountTotal);

        var segment = Guid.NewGuid();
        var members = Percent(2, 10, "MEMBERS") with { Customers = new CustomerEligibility([], [], [segment]) };
        Assert.Equal("discount_code_unknown", ReasonFor(Apply(cart with { Customer = new PromotionCustomer("c", "x@example.com", []) { Segments = [Guid.NewGuid()] } }, [members], "MEMBERS"), "MEMBERS"));
        Assert.Equal(1000, Apply(cart with { Customer = new PromotionCustomer("c", "x@example.com", []) { Segments = [segment] } }, [members], "MEMBERS").DiscountTotal);
    }

    [Fact]
    public void An_expired_not_yet_started_or_inactive_code_is_discount_not_active()
    {
        var cart = Cart(0, Line("l1", "A", 10000));
        var expired = Percent(1, 10, "OLD") with { EndsAt = Now };
        var future = Percent(2, 10, "SOON") with { StartsAt = Now.AddMinutes(1) };
        var inactive = Percent(3, 10, "OFF") with { Status = DiscountStatus.Inactive };
        var draft = Percent(4, 10, "DRAFT") with { Status = DiscountStatus.Draft };

        var result = Apply(cart, [expired, future, inactive, draft], "OLD", "SOON", "OFF", "DRAFT");

        Assert.All(["OLD", "SOON", "OFF", "DRAFT"], code => Assert.Equal("discount_not_active", ReasonFor(result, code)));
        Assert.Equal(["OLD", "SOON", "OFF", "DRAFT"], result.Rejected.Select(r => r.Code));
        Assert.Equal(1000, Apply(cart, [Percent(1, 10, "NOW") with { StartsAt = Now, EndsAt = Now.AddDays(1) }], "NOW").DiscountTotal);
    }

    [Fact]
    public void A_used_up_code_is_discount_usage_limit_reached()
    {
        var cart = Cart(0, Line("l1", "A", 10000));
        var usedUp = Percent(1, 10, "ONCE") with { RemainingUses = 0 };
        var usedByThisCustomer = Percent(2, 10, "ONCEEACH") with { RemainingUses = 50, RemainingUsesForCustomer = 0 };

        var result = Apply(cart, [usedUp, usedByThisCustomer], "ONCE", "ONCEEACH");

        Assert.Equal("discount_usage_limit_reached", ReasonFor(result, "ONCE"));
        Assert.Equal("discount_usage_limit_reached", ReasonFor(result, "ONCEEACH"));
        Assert.Equal(1000, Apply(cart, [usedUp with { RemainingUses = 1 }], "ONCE").DiscountTotal);
    }

    [Fact]
    public void A_code_whose_conditions_the_cart_does_not_meet_is_discount_minimum_not_met()
    {
        var cart = Cart(0, Line("l1", "A", 4000, 2, "shoes"), Line("l2", "B", 1000));
        var subtotal = Percent(1, 10, "MIN100") with { MinimumSubtotal = 10_000 };
        var shoesSubtotal = Percent(2, 10, "SHOES60", DiscountTarget.ForCategories("shoes")) with { MinimumSubtotal = 8_001 };
        var quantity = Percent(3, 10, "THREE") with { MinimumQuantity = 4 };
        var noLines = Percent(4, 10, "HATS", DiscountTarget.ForCategories("hats"));
        var buyThree = BuyXGetY(5, "B3G1", 3, DiscountTarget.ForCategories("shoes"), 1, DiscountTarget.ForCategories("shoes"), 100);

        var result = Apply(cart, [subtotal, shoesSubtotal, quantity, noLines, buyThree], "MIN100", "SHOES60", "THREE", "HATS", "B3G1");

        Assert.All(["MIN100", "SHOES60", "THREE", "HATS", "B3G1"], code => Assert.Equal("discount_minimum_not_met", ReasonFor(result, code)));
        Assert.Equal(900, Apply(cart, [subtotal with { MinimumSubtotal = 9_000 }], "MIN100").DiscountTotal);
    }

    [Fact]
    public void Without_combinesWith_the_best_single_discount_wins_and_the_other_code_is_discount_not_combinable()
    {
        var cart = Cart(0, Line("l1", "A", 10000));
        var automatic = Percent(1, 20);
        var code = Percent(2, 10, "TEN");

        var result = Apply(cart, [automatic, code], "TEN");

        Assert.Equal(automatic.Id, Assert.Single(result.Applied).DiscountId);
        Assert.Equal("discount_not_combinable", ReasonFor(result, "TEN"));

        // A better code beats the automatic discount, which then simply does not apply.
        var better = Apply(cart, [automatic, Percent(3, 30, "THIRTY")], "THIRTY");
        Assert.Equal(3000, better.DiscountTotal);
        Assert.Empty(better.Rejected);
    }

    [Fact]
    public void Discounts_stack_in_the_fixed_order_only_when_both_allow_the_others_class()
    {
        var cart = Cart(800, Line("l1", "A", 10000), Line("l2", "B", 5000));
        var product = Percent(1, 10, "TENA", DiscountTarget.ForSkus("A")) with { CombinesWith = new(false, true, true) };
        var order = Percent(2, 10, "TENALL") with { CombinesWith = new(true, false, true) };
        var shipping = FreeShipping(3, "SHIPFREE") with { CombinesWith = new(true, true, false) };

        var result = Apply(cart, [order, shipping, product], "TENALL", "SHIPFREE", "TENA");

        // Product first (1000 off A), then 10 % of the 14000 left (1400: 900 on A, 500 on B), then shipping.
        Assert.Equal([product.Id, order.Id, shipping.Id], result.Applied.Select(a => a.DiscountId));
        Assert.Equal([1000L, 1400L, 800L], result.Applied.Select(a => a.Amount));
        Assert.Equal([8100L, 4500L], result.Lines.Select(l => l.LineTotal));
        Assert.Equal(0, result.ShippingCharged);
        Assert.Equal(15000 - 3200 + 800, result.TotalBeforeTax);

        // The order discount allows product discounts, but the product discount does not allow order ones.
        var oneSided = Apply(cart, [order, product with { CombinesWith = CombinesWith.Nothing }], "TENALL", "TENA");
        Assert.Equal(order.Id, Assert.Single(oneSided.Applied).DiscountId);
        Assert.Equal("discount_not_combinable", ReasonFor(oneSided, "TENA"));
    }

    [Fact]
    public void A_free_shipping_code_stays_on_a_cart_without_shipping_yet()
    {
        var result = Apply(Cart(0, Line("l1", "A", 1000)), [FreeShipping(1, "SHIP")], "SHIP");

        Assert.Equal(0, Assert.Single(result.Applied).Amount);
        Assert.Empty(result.Rejected);
        Assert.Equal(495, Apply(Cart(495, Line("l1", "A", 1000)), [FreeShipping(1, "SHIP")], "SHIP").ShippingDiscount);
    }

    [Fact]
    public void Buy_x_get_y_discounts_the_cheapest_eligible_units_and_the_shopper_pays_for_the_dearest()
    {
        var shoes = DiscountTarget.ForCategories("shoes");
        var cart = Cart(0, Line("l1", "BOOT", 3000, 1, "shoes"), Line("l2", "SANDAL", 1000, 1, "shoes"), Line("l3", "SNEAKER", 2000, 1, "shoes"), Line("l4", "HAT", 500));
        var buyTwoGetOne = BuyXGetY(1, null, 2, shoes, 1, shoes, 100);

        var result = Apply(cart, [buyTwoGetOne]);

        Assert.Equal([3000L, 0L, 2000L, 500L], result.Lines.Select(l => l.LineTotal));

        // Six units: two uses, the two cheapest units free; half off a quantity of two rounds per line.
        var six = Cart(0, Line("l1", "BOOT", 3000, 2, "shoes"), Line("l2", "SANDAL", 999, 2, "shoes"), Line("l3", "SNEAKER", 2000, 2, "shoes"));
        Assert.Equal([0, 2, 0], DiscountEngine.BuyXGetYUnits(buyTwoGetOne, six.Lines));
        Assert.Equal(999, Apply(six, [buyTwoGetOne with { Get = new GetRule(1, shoes, 50) }]).DiscountTotal);
    }

    [Fact]
    public void Percentages_round_half_away_from_zero_per_line()
    {
        Assert.Equal(500, MinorUnitMath.Percent(1999, 25));
        Assert.Equal(1, MinorUnitMath.Percent(5, 10));   // 0.5 → 1
        Assert.Equal(0, MinorUnitMath.Percent(4, 10));   // 0.4 → 0
        Assert.Equal(1999, MinorUnitMath.ToMinor(19.99m));
        Assert.Equal(1999, MinorUnitMath.ToMinor(1999m, 0));
        Assert.Equal(19.99m, MinorUnitMath.FromMinor(1999));
    }

    private static Discount BuyXGetY(int n, string? code, int buyQuantity, DiscountTarget buy, int getQuantity, DiscountTarget get, decimal percentOff) => new()
    {
        Id = PromotionScenarios.IdFor(n),
        Title = $"Buy {buyQuantity} get {getQuantity}",
        Code = code,
        Type = DiscountType.BuyXGetY,
        Buy = new BuyRule(buyQuantity, buy),
        Get = new GetRule(getQuantity, get, percentOff),
    };
}

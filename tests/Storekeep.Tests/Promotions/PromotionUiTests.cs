using Storekeep.Checkout;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Web.Admin.Discounts;
using Storekeep.Web.Storefront.Cart;

namespace Storekeep.Tests.Promotions;

/// <summary>The logic behind the discount UI: the cart's free-shipping hint and savings, the editor's form and its live preview.</summary>
public sealed class PromotionUiTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private static Discount FreeShippingFrom(long minimum, DiscountStatus status = DiscountStatus.Active, DateTime? endsAt = null, string? code = null) => new()
    {
        Id = PromotionScenarios.IdFor(1),
        Title = "Free shipping",
        Code = code,
        Type = DiscountType.FreeShipping,
        MinimumSubtotal = minimum,
        Status = status,
        EndsAt = endsAt,
    };

    [Fact]
    public void Free_shipping_hint_counts_the_method_threshold_after_line_discounts()
    {
        // 75.00 free-over, a cart of 70.00 with 7.00 of line discounts: 12.00 to go.
        var missing = FreeShippingHint.AmountMissing(5.99m, 70m, 7m, 75m, [], PromotionCustomer.Guest, Now);

        Assert.Equal(12.00m, missing);
    }

    [Fact]
    public void Free_shipping_hint_takes_the_nearer_of_the_method_and_an_automatic_free_shipping_discount()
    {
        var missing = FreeShippingHint.AmountMissing(5.99m, 48m, 0m, 75m, [FreeShippingFrom(6000)], PromotionCustomer.Guest, Now);

        Assert.Equal(12.00m, missing);
    }

    [Fact]
    public void Free_shipping_hint_is_silent_when_shipping_is_free_or_no_threshold_applies()
    {
        Assert.Null(FreeShippingHint.AmountMissing(0m, 48m, 0m, 75m, [FreeShippingFrom(6000)], PromotionCustomer.Guest, Now));
        Assert.Null(FreeShippingHint.AmountMissing(5.99m, 48m, 0m, null, [], PromotionCustomer.Guest, Now));
        Assert.Null(FreeShippingHint.AmountMissing(5.99m, 80m, 0m, 75m, [], PromotionCustomer.Guest, Now));
        Assert.Null(FreeShippingHint.AmountMissing(5.99m, 48m, 0m, null, [FreeShippingFrom(6000, DiscountStatus.Draft)], PromotionCustomer.Guest, Now));
        Assert.Null(FreeShippingHint.AmountMissing(5.99m, 48m, 0m, null, [FreeShippingFrom(6000, endsAt: Now.AddDays(-1))], PromotionCustomer.Guest, Now));
        Assert.Null(FreeShippingHint.AmountMissing(5.99m, 48m, 0m, null, [FreeShippingFrom(6000, code: "SHIPFREE")], PromotionCustomer.Guest, Now));
    }

    [Fact]
    public void Cart_savings_are_the_discounts_plus_what_lines_cost_below_their_compare_at_price()
    {
        var cart = new CartView(Guid.NewGuid(), CartStatus.Active, "USD", null,
        [
            new CartLineView("A", "A", null, 2, 10m, 18m) { Subtotal = 20m, CompareAtPrice = 12.5m, DiscountTotal = 2m },
            new CartLineView("B", "B", null, 1, 30m, 30m) { Subtotal = 30m, CompareAtPrice = 25m },
        ], 3, 50m, null, Now, Now)
        { DiscountTotal = 2m };

        Assert.Equal(7.00m, CartSavings.Of(cart));
    }

    [Fact]
    public void The_editor_form_round_trips_a_buy_x_get_y_discount_and_makes_a_valid_request()
    {
        var form = new DiscountForm
        {
            Title = "Coffee 3 for 2",
            Code = " BREW3 ",
            Type = "buy_x_get_y",
            Value = 10m, // not sent for buy X get Y
            AppliesTo = TargetKind.Categories,
            AppliesToList = "coffee-tea",
            BuyQuantity = 2,
            BuyTarget = TargetKind.Categories,
            BuyList = "coffee-tea",
            GetQuantity = 1,
            GetTarget = TargetKind.Categories,
            GetList = "coffee-tea, tea",
            UsageLimit = 100,
            CombinesWithShipping = true,
            CustomerEmails = "a@example.com; b@example.com",
        };

        var request = form.ToRequest();
        Assert.Equal("BREW3", request.Code);
        Assert.Null(request.Value);
        Assert.Equal(["coffee-tea", "tea"], request.Get!.Categories);
        Assert.Equal(["a@example.com", "b@example.com"], request.Customers!.Emails);
        var draft = Discounts.Draft(request, Now);
        Assert.Equal(DiscountType.BuyXGetY, draft.Type);

        var view = new DiscountView(Guid.NewGuid(), "Coffee 3 for 2", "BREW3", "buy_x_get_y", null, request.AppliesTo!, null, null, request.Buy, request.Get,
            null, null, 100, null, request.CombinesWith!, null, request.Customers!, "active", 0, 0, 0, 0, Now, Now);
        var again = DiscountForm.From(view).ToRequest();
        Assert.Equal(request.Get.Categories, again.Get!.Categories);
        Assert.Equal(request.Buy!.Categories, again.Buy!.Categories);
        Assert.Equal(request.UsageLimit, again.UsageLimit);
        Assert.Equal(request.Customers.Emails, again.Customers!.Emails);
    }

    private static PreviewCart SampleCart(ShippingMethod? shipping = null) => new(
    [
        new PriceLine("MUG", 12.50m, 2, ["kitchen"]),
        new PriceLine("BEANS", 19.99m, 1, ["coffee-tea"]),
    ], new Dictionary<string, string> { ["MUG"] = "Mug", ["BEANS"] = "Beans" }, shipping ?? new ShippingMethod { Code = "standard", Name = "Standard", Rate = 5.99m, FreeOver = 75m, Countries = "*" });

    [Fact]
    public void The_preview_prices_a_percentage_per_line_through_the_engine()
    {
        var form = new DiscountForm { Title = "Quarter off coffee", Code = "Q25", Type = "percentage", Value = 25m, AppliesTo = TargetKind.Categories, AppliesToList = "coffee-tea", Status = "draft" };

        var preview = DiscountPreview.Preview(form.ToRequest(), SampleCart(), Now);

        Assert.Null(preview.Refusal);
        Assert.Equal(0m, preview.Lines.Single(l => l.Sku == "MUG").Discount);
        var beans = preview.Lines.Single(l => l.Sku == "BEANS");
        Assert.Equal(5.00m, beans.Discount);
        Assert.Equal(14.99m, beans.LineTotal);
        Assert.Equal(44.99m, preview.Subtotal);
        Assert.Equal(5.00m, preview.DiscountTotal);
        Assert.Equal(5.99m, preview.ShippingTotal);
        Assert.Equal(44.99m - 5.00m + 5.99m, preview.Total);
    }

    [Fact]
    public void The_preview_shows_free_shipping_and_the_reason_a_discount_gives_nothing()
    {
        var free = DiscountPreview.Preview(new DiscountForm { Title = "Ship free", Type = "free_shipping", MinimumSubtotal = 40m }.ToRequest(), SampleCart(), Now);
        Assert.Equal(5.99m, free.ShippingDiscount);
        Assert.Equal(44.99m, free.Total);

        var tooHigh = DiscountPreview.Preview(new DiscountForm { Title = "Big spender", Code = "BIG", Type = "fixed_amount", Value = 10m, MinimumSubtotal = 100m }.ToRequest(), SampleCart(), Now);
        Assert.Equal("discount_minimum_not_met", tooHigh.Refusal);
        Assert.Equal(0m, tooHigh.DiscountTotal);

        var ended = DiscountPreview.Preview(new DiscountForm { Title = "Gone", Type = "percentage", Value = 10m, StartsAt = Now.AddDays(-9), EndsAt = Now.AddDays(-2) }.ToRequest(), SampleCart(), Now);
        Assert.Equal("discount_not_active", ended.Refusal);
    }

    [Fact]
    public void The_preview_refuses_an_invalid_form_with_the_services_messages()
    {
        var e = Assert.Throws<RequestValidationException>(() =>
            DiscountPreview.Preview(new DiscountForm { Title = "", Type = "percentage", Value = 120m }.ToRequest(), SampleCart(), Now));

        Assert.Contains("title", e.Errors.Keys);
        Assert.Contains("value", e.Errors.Keys);
    }
}

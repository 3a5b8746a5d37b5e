using System.Net;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Promotions;

/// <summary>The storefront cart page's discount code form: apply, refuse with the problem's reason, remove; savings and the free-shipping hint.</summary>
public sealed class CartPageDiscountTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_code_entered_on_the_cart_page_shows_the_line_and_total_savings_and_can_be_removed(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("MUG-1", 20m, main: 10, title: "Blue mug");
        await store.Client.PostJson("/api/v1/discounts", new { title = "Ten off", code = "TEN", type = "percentage", value = 10m, appliesTo = new { all = true } }).Expect(HttpStatusCode.Created);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1", "2");
        var token = await ShopperBrowser.AntiforgeryTokenAsync(browser);

        var unknown = await browser.PostFormAsync("/cart/discount", new() { ["__RequestVerificationToken"] = token }, new() { ["code"] = "NOPE" });
        Assert.Equal(HttpStatusCode.SeeOther, unknown.StatusCode);
        Assert.StartsWith("/cart?error=discount_code_unknown", unknown.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var refused = await browser.GetPageAsync(unknown.Headers.Location!.OriginalString);
        Assert.Contains("data-reason=\"discount_code_unknown\"", refused, StringComparison.Ordinal);
        Assert.Contains("There is no discount code NOPE.", refused, StringComparison.Ordinal);
        Assert.Contains("aria-live=\"polite\"", refused, StringComparison.Ordinal);

        var applied = await browser.PostFormAsync("/cart/discount", new() { ["__RequestVerificationToken"] = token }, new() { ["code"] = "ten" });
        Assert.Equal("/cart?applied=TEN", applied.Headers.Location!.OriginalString);
        var page = await browser.GetPageAsync("/cart?applied=TEN");
        Assert.Contains("Code TEN applied.", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-line-subtotal\"><span class=\"visually-hidden\">was </span>40.00 USD</s>", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-line-total\">36.00 USD<", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-discounts\">−4.00 USD<", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-savings\">4.00 USD<", page, StringComparison.Ordinal);
        // Standard shipping is free over 100.00, measured after the line discounts: 64.00 to go.
        Assert.Contains("Add 64.00 USD more for free shipping.", page, StringComparison.Ordinal);

        var removed = await browser.PostFormAsync("/cart/discount/remove", new() { ["__RequestVerificationToken"] = token }, new() { ["code"] = "TEN" });
        Assert.Equal("/cart", removed.Headers.Location!.OriginalString);
        var after = await browser.GetPageAsync("/cart");
        Assert.DoesNotContain("data-testid=\"cart-discounts\"", after, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-line-total\">40.00 USD<", after, StringComparison.Ordinal);
        Assert.Contains("Add 60.00 USD more for free shipping.", after, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_automatic_free_shipping_discount_with_a_minimum_is_hinted_and_then_makes_shipping_free(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("MUG-1", 20m, main: 10);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Free shipping over 50", type = "free_shipping", minimumSubtotal = 50m }).Expect(HttpStatusCode.Created);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1", "2");

        var page = await browser.GetPageAsync("/cart");
        Assert.Contains("Add 10.00 USD more for free shipping.", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-shipping\">5.99 USD<", page, StringComparison.Ordinal);

        await browser.AddToCartAsync("MUG-1", "1");
        var free = await browser.GetPageAsync("/cart");
        Assert.DoesNotContain("free-shipping-hint", free, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-shipping\">Free<", free, StringComparison.Ordinal);
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

public sealed class CartAndCheckoutPageTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Adding_to_the_cart_shows_the_line_on_the_cart_page_and_keeps_the_cart_in_a_safe_cookie(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10, title: "Blue mug");
        var browser = store.Browser();

        var added = await browser.AddToCartAsync("MUG-1", "2");

        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
        Assert.Equal("/cart", added.Headers.Location!.OriginalString);
        var cookie = Assert.Single(ShopperBrowser.SetCookies(added, "storekeep.cart"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var page = await browser.GetPageAsync("/cart");
        Assert.Contains("data-testid=\"cart-line\" data-sku=\"MUG-1\"", page, StringComparison.Ordinal);
        Assert.Contains("Blue mug", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-subtotal\">25.00 USD<", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"checkout-button\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Cart_forms_refuse_a_forged_post_and_explain_bad_input(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 3);
        var browser = store.Browser();

        // Add to cart (from the shared cached product page) checks where the post comes from; the cart page's forms keep their token.
        using (var forged = new HttpRequestMessage(HttpMethod.Post, "/cart/add"))
        {
            forged.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["sku"] = "MUG-1", ["quantity"] = "1" });
            forged.Headers.Add("Sec-Fetch-Site", "cross-site");
            await (await browser.SendAsync(forged)).ExpectProblem(HttpStatusCode.Forbidden, "cross_site_request");
        }

        Assert.Equal(HttpStatusCode.SeeOther, (await browser.AddToCartAsync("MUG-1")).StatusCode);
        var noToken = await browser.PostAsync("/cart/update", new FormUrlEncodedContent(new Dictionary<string, string> { ["sku"] = "MUG-1", ["quantity"] = "2" }));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);

        var unknown = await browser.AddToCartAsync("NOPE-9");
        Assert.StartsWith("/cart?error=unknown_sku", unknown.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var tooMany = await browser.AddToCartAsync("MUG-1", "5");
        Assert.StartsWith("/cart?error=insufficient_stock", tooMany.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var junk = await browser.AddToCartAsync("MUG-1", "lots");
        Assert.StartsWith("/cart?error=invalid_quantity", junk.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var page = await browser.GetPageAsync(tooMany.Headers.Location!.OriginalString);
        Assert.Contains("3 available", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Cart_lines_can_be_changed_and_removed(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        await store.AddProductAsync("CUP-1", 4m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");
        await browser.AddToCartAsync("CUP-1");

        var updated = await browser.SubmitFormAsync("/cart", new() { ["sku"] = "MUG-1", ["quantity"] = "3" });
        Assert.Equal(HttpStatusCode.SeeOther, updated.StatusCode);
        var token = await ShopperBrowser.AntiforgeryTokenAsync(browser);
        var removed = await browser.PostAsync("/cart/remove", new FormUrlEncodedContent(new Dictionary<string, string> { ["sku"] = "CUP-1", ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.SeeOther, removed.StatusCode);

        var page = await browser.GetPageAsync("/cart");
        Assert.Contains("data-sku=\"MUG-1\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-sku=\"CUP-1\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-subtotal\">30.00 USD<", page, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkout_with_a_test_card_places_a_paid_order_shown_only_to_the_browser_that_placed_it(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1", "2");
        var checkoutPage = await browser.GetPageAsync("/checkout");
        Assert.Contains("Test mode: no real card is charged", checkoutPage, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"payment-token\"", checkoutPage, StringComparison.Ordinal);

        var response = await browser.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(), "checkout");

        var confirmation = await ShopperBrowser.ExpectRedirectAsync(response, "/checkout/confirmation/");
        await using var db = store.Db();
        var order = await db.Orders.AsNoTracking().SingleAsync();
        Assert.Equal($"/checkout/confirmation/{order.Number}", confirmation);
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);
        Assert.Equal(PaymentRecordStatus.Captured, (await db.Payments.AsNoTracking().SingleAsync()).Status);
        Assert.Equal(2, await db.StockLevels.Where(s => s.Sku == "MUG-1").SumAsync(s => s.Reserved));
        var page = await browser.GetPageAsync(confirmation);
        Assert.Contains($"data-testid=\"order-number\">#{order.Number}<", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-empty\"", await browser.GetPageAsync("/cart"), StringComparison.Ordinal);

        await store.Browser().GetPageAsync(confirmation, HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Submitting_the_checkout_form_twice_places_one_order_and_authorizes_the_card_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");
        var form = await browser.CheckoutFormAsync(ShopperBrowser.CheckoutFields());

        var first = await browser.PostAsync("/checkout", new FormUrlEncodedContent(form));
        var second = await browser.PostAsync("/checkout", new FormUrlEncodedContent(form));

        var firstUrl = await ShopperBrowser.ExpectRedirectAsync(first, "/checkout/confirmation/");
        Assert.Equal(firstUrl, await ShopperBrowser.ExpectRedirectAsync(second, "/checkout/confirmation/"));
        await using var db = store.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Single(store.Gateway.Journal, op => op.Kind == "authorize");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture");
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_declined_card_re_renders_checkout_with_a_message_and_the_shoppers_input(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");

        var response = await browser.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(token: "tok_chargeDeclined"), "checkout");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"checkout-error\"", page, StringComparison.Ordinal);
        Assert.Contains("declined", page, StringComparison.Ordinal);
        Assert.Contains("value=\"12 Analytical Row\"", page, StringComparison.Ordinal);
        await using var db = store.Db();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Contains("data-sku=\"MUG-1\"", await browser.GetPageAsync("/cart"), StringComparison.Ordinal);

        var missing = await browser.SubmitFormAsync("/checkout", new() { ["Input.Email"] = "not-an-email", ["Input.PaymentToken"] = "tok_visa" }, "checkout");
        var invalid = await missing.Content.ReadAsStringAsync();
        Assert.Contains("must be a valid email address", invalid, StringComparison.Ordinal);
        Assert.Contains("value=\"not-an-email\"", invalid, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Live_mode_checkout_says_card_entry_needs_stripe_elements_and_offers_no_submit(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?>
        {
            ["Payments:Gateway"] = "stripe",
            ["Payments:Stripe:SecretKey"] = "sk_test_unused",
        });
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");

        var page = await browser.GetPageAsync("/checkout");

        Assert.Contains("data-testid=\"live-mode-note\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"checkout-submit\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("tok_visa", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checkout_page_offers_only_the_manual_payment_methods_the_store_enabled()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");
        var cardOnly = await browser.GetPageAsync("/checkout");
        Assert.DoesNotContain("bank_transfer", cardOnly, StringComparison.Ordinal);
        Assert.DoesNotContain("cash_on_delivery", cardOnly, StringComparison.Ordinal);

        await store.EnableManualPaymentMethodsAsync("bank_transfer");
        var page = await browser.GetPageAsync("/checkout");
        Assert.Contains("data-testid=\"payment-method\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"bank_transfer\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("cash_on_delivery", page, StringComparison.Ordinal);

        // A method the store does not offer, posted by hand, places nothing.
        var refused = await browser.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields()) { ["Input.PaymentMethod"] = "cash_on_delivery" }, "checkout");
        Assert.Contains("Choose one of the payment methods offered.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Orders.CountAsync());
        }

        var response = await browser.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields()) { ["Input.PaymentMethod"] = "bank_transfer" }, "checkout");

        await ShopperBrowser.ExpectRedirectAsync(response, "/checkout/confirmation/");
        await using var check = store.Db();
        Assert.Equal(PaymentStatus.Pending, (await check.Orders.AsNoTracking().SingleAsync()).PaymentStatus);
        Assert.Equal(PaymentMethod.BankTransfer, (await check.Payments.AsNoTracking().SingleAsync()).Method);
        Assert.Empty(store.Gateway.Journal);
    }

    [Fact]
    public async Task Live_mode_checkout_with_bank_transfer_enabled_takes_orders_without_cards()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?>
        {
            ["Payments:Gateway"] = "stripe",
            ["Payments:Stripe:SecretKey"] = "sk_test_unused",
        });
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        await store.EnableManualPaymentMethodsAsync("bank_transfer");
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");

        var page = await browser.GetPageAsync("/checkout");

        Assert.Contains("data-testid=\"checkout-submit\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"payment-method-only\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("tok_visa", page, StringComparison.Ordinal);
        var response = await browser.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(), "checkout");
        await ShopperBrowser.ExpectRedirectAsync(response, "/checkout/confirmation/");
        await using var db = store.Db();
        Assert.Equal(PaymentMethod.BankTransfer, (await db.Payments.AsNoTracking().SingleAsync()).Method);
    }

    [Fact]
    public async Task The_unticked_marketing_checkbox_records_no_consent_and_ticking_it_records_checkout_consent_also_through_a_payment_intent()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);

        // The box is offered unticked.
        var unticked = store.Browser();
        await unticked.AddToCartAsync("MUG-1");
        var page = await unticked.GetPageAsync("/checkout");
        var checkbox = System.Text.RegularExpressions.Regex.Match(page, "<input[^>]*data-testid=\"checkout-marketing-email\"[^>]*>").Value;
        Assert.Contains("type=\"checkbox\"", checkbox, StringComparison.Ordinal);
        Assert.DoesNotContain("checked", checkbox, StringComparison.Ordinal);
        Assert.Contains("Email me news and offers", page, StringComparison.Ordinal);
        await ShopperBrowser.ExpectRedirectAsync(await unticked.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(email: "none@example.com"), "checkout"), "/checkout/confirmation/");

        var ticked = store.Browser();
        await ticked.AddToCartAsync("MUG-1");
        var before = DateTime.UtcNow.AddSeconds(-5);
        await ShopperBrowser.ExpectRedirectAsync(
            await ticked.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "yes@example.com")) { ["Input.MarketingEmail"] = "true" }, "checkout"),
            "/checkout/confirmation/");

        // The 3-D Secure test card goes through a payment intent: the consent travels with it.
        var intent = store.Browser();
        await intent.AddToCartAsync("MUG-1");
        var challenge = await ShopperBrowser.ExpectRedirectAsync(
            await intent.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(TestPaymentGateway.ThreeDSecureToken, email: "intent@example.com")) { ["Input.MarketingEmail"] = "true" }, "checkout"),
            TestPaymentGateway.ChallengePath + "/");
        var back = await ShopperBrowser.ExpectRedirectAsync(
            await intent.SubmitFormAsync(challenge, new() { ["Input.Passed"] = "true" }, "test-authentication"), "/checkout/complete?payment_intent=");
        await ShopperBrowser.ExpectRedirectAsync(await intent.GetAsync(back), "/checkout/confirmation/");

        await using var db = store.Db();
        Assert.Equal(3, await db.Orders.CountAsync());
        var none = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == "none@example.com");
        Assert.False(none.AcceptsEmail);
        Assert.Null(none.EmailConsentAt);
        Assert.Null(none.EmailConsentSource);
        foreach (var email in new[] { "yes@example.com", "intent@example.com" })
        {
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == email);
            Assert.True(customer.AcceptsEmail);
            Assert.Equal("checkout", customer.EmailConsentSource);
            Assert.True(customer.EmailConsentAt >= before);
            Assert.False(customer.AcceptsSms);
            Assert.Null(customer.SmsConsentAt);
        }
    }
}

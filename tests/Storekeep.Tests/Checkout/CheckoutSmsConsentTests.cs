using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Checkout;

/// <summary>
/// SMS consent at checkout needs a phone: the API's optional <c>phone</c> and the storefront form's
/// "Mobile phone" field reach the customer in E.164 form with the consent (source, time); consent
/// without a valid phone is refused and places nothing.
/// </summary>
public sealed class CheckoutSmsConsentTests
{
    private static readonly object ShippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" };

    private static object Body(string email, string? phone, bool sms) => new
    {
        email,
        shippingAddress = ShippingAddress,
        payment = new { method = "card", token = "tok_visa" },
        phone,
        marketingConsent = new { email = false, sms },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Api_checkout_records_sms_consent_with_the_normalised_phone_and_refuses_consent_without_a_valid_phone(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));

        // SMS consent without a phone, or with one that is not a phone number: 400, nothing placed, nothing recorded.
        var missing = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", Body("bob@example.com", null, sms: true))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(missing["errors"]!["phone"]);
        var invalid = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", Body("bob@example.com", "555-0101 ext 9", sms: true))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("international form", invalid["errors"]!["phone"]![0].Str(), StringComparison.Ordinal);
        // A British number as dialled in Britain is not a number in the US, where this order goes.
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", Body("bob@example.com", "0207 946 0958", sms: false))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/payment-intent", new { email = "bob@example.com", shippingAddress = ShippingAddress, marketingConsent = new { sms = true } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Orders.CountAsync());
            Assert.False(await db.Customers.AnyAsync());
        }

        // A phone with consent: both on the customer, the phone in E.164 form.
        var before = DateTime.UtcNow.AddSeconds(-5);
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", Body("ada@example.com", " +44 (20) 7946-0958 ", sms: true)).Expect(HttpStatusCode.Created);

        // A phone without consent is stored; it grants nothing.
        var second = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{second}/checkout", Body("grace@example.com", "+1 415 555 0102", sms: false)).Expect(HttpStatusCode.Created);

        // A number as dialled within the delivery country (the US here) is taken in E.164 form.
        var third = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{third}/checkout", Body("lin@example.com", "(212) 555-0147", sms: true)).Expect(HttpStatusCode.Created);

        await using var check = store.Db();
        Assert.Equal(3, await check.Orders.CountAsync());
        Assert.Equal("+12125550147", (await check.Customers.AsNoTracking().SingleAsync(c => c.Email == "lin@example.com")).Phone);
        var ada = await check.Customers.AsNoTracking().SingleAsync(c => c.Email == "ada@example.com");
        Assert.Equal("+442079460958", ada.Phone);
        Assert.True(ada.AcceptsSms);
        Assert.Equal("checkout", ada.SmsConsentSource);
        Assert.True(ada.SmsConsentAt >= before);
        Assert.False(ada.AcceptsEmail);
        var grace = await check.Customers.AsNoTracking().SingleAsync(c => c.Email == "grace@example.com");
        Assert.Equal("+14155550102", grace.Phone);
        Assert.False(grace.AcceptsSms);
        Assert.Null(grace.SmsConsentAt);
        var view = await store.Client.GetAsync($"/api/v1/customers/{ada.Id}").Expect(HttpStatusCode.OK);
        Assert.True(view["consent"]!["sms"]!["accepted"]!.GetValue<bool>());
        Assert.Equal("checkout", view["consent"]!["sms"]!["source"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_storefront_form_sends_the_phone_and_the_text_me_box_refusing_the_box_without_a_valid_phone_also_through_a_payment_intent(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);

        // The field and the unticked box are offered.
        var browser = store.Browser();
        await browser.AddToCartAsync("MUG-1");
        var page = await browser.GetPageAsync("/checkout");
        Assert.Matches("<input[^>]*type=\"tel\"[^>]*data-testid=\"checkout-phone\"", page);
        var checkbox = System.Text.RegularExpressions.Regex.Match(page, "<input[^>]*data-testid=\"checkout-marketing-sms\"[^>]*>").Value;
        Assert.Contains("type=\"checkbox\"", checkbox, StringComparison.Ordinal);
        Assert.DoesNotContain("checked", checkbox, StringComparison.Ordinal);
        Assert.Contains("Text me news and offers", page, StringComparison.Ordinal);

        // Ticked without a phone, then with an invalid one: the form comes back with the message, nothing is placed.
        var noPhone = await browser.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "sms@example.com")) { ["Input.MarketingSms"] = "true" }, "checkout");
        Assert.Equal(HttpStatusCode.OK, noPhone.StatusCode);
        var noPhonePage = await noPhone.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"checkout-error\"", noPhonePage, StringComparison.Ordinal);
        Assert.Contains("A mobile phone number is needed to receive texts", noPhonePage, StringComparison.Ordinal);
        var badPhone = await browser.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "sms@example.com")) { ["Input.MarketingSms"] = "true", ["Input.Phone"] = "call me" }, "checkout");
        var badPhonePage = await badPhone.Content.ReadAsStringAsync();
        Assert.Contains("must be a mobile number in international form", badPhonePage, StringComparison.Ordinal);
        Assert.Contains("value=\"call me\"", badPhonePage, StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Orders.CountAsync());
            Assert.False(await db.Customers.AnyAsync());
        }

        // With a phone the order is placed and the customer consents to SMS at that number.
        var before = DateTime.UtcNow.AddSeconds(-5);
        await ShopperBrowser.ExpectRedirectAsync(
            await browser.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(email: "sms@example.com")) { ["Input.MarketingSms"] = "true", ["Input.Phone"] = "+1 (415) 555-0101" }, "checkout"),
            "/checkout/confirmation/");

        // The 3-D Secure test card goes through a payment intent: the phone and the consent travel with it.
        var intent = store.Browser();
        await intent.AddToCartAsync("MUG-1");
        var challenge = await ShopperBrowser.ExpectRedirectAsync(
            await intent.SubmitFormAsync("/checkout", new(ShopperBrowser.CheckoutFields(TestPaymentGateway.ThreeDSecureToken, email: "intent@example.com")) { ["Input.MarketingSms"] = "true", ["Input.Phone"] = "+44 20 7946 0958" }, "checkout"),
            TestPaymentGateway.ChallengePath + "/");
        var back = await ShopperBrowser.ExpectRedirectAsync(
            await intent.SubmitFormAsync(challenge, new() { ["Input.Passed"] = "true" }, "test-authentication"), "/checkout/complete?payment_intent=");
        await ShopperBrowser.ExpectRedirectAsync(await intent.GetAsync(back), "/checkout/confirmation/");

        await using var check = store.Db();
        Assert.Equal(2, await check.Orders.CountAsync());
        foreach (var (email, phone) in new[] { ("sms@example.com", "+14155550101"), ("intent@example.com", "+442079460958") })
        {
            var customer = await check.Customers.AsNoTracking().SingleAsync(c => c.Email == email);
            Assert.Equal(phone, customer.Phone);
            Assert.True(customer.AcceptsSms);
            Assert.Equal("checkout", customer.SmsConsentSource);
            Assert.True(customer.SmsConsentAt >= before);
            Assert.False(customer.AcceptsEmail);
        }
    }
}

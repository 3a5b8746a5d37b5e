using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Quotes;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Payments;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Quotes;

/// <summary>
/// A quote paid by card through a payment intent, against the fake Stripe: the test plays the
/// buyer's browser (it confirms at the fake with the publishable key and client secret, as
/// Stripe.js does, answers the bank's challenge, comes back to the quote's return page) and
/// Stripe (signed webhooks). One order, one capture, whatever arrives in whatever order; an
/// authorization the quote can no longer take (revised, stock gone) is voided and the quote stays open.
/// </summary>
public sealed class QuoteCardPaymentTests : IAsyncLifetime
{
    private const string Sku = "MUG-1";
    private const string Buyer = "nora@northwind.test";

    private static readonly object ShippingAddress = new { name = "Nora Buyer", line1 = "1 Dock Road", city = "New York", region = "NY", postalCode = "10001", country = "US" };

    private FakeStripe _stripe = null!;
    private HttpClient _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _browser = new HttpClient { BaseAddress = new Uri(_stripe.BaseUrl) };
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _stripe.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quote_paid_with_3D_Secure_is_accepted_once_the_buyer_authenticates_at_the_quoted_prices(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var intent = await PrepareAsync(store, quote);

        // 2 mugs at the negotiated 9.00, standard shipping 5.99 (under the free threshold), NY tax on the goods.
        var tax = decimal.Round(18.00m * 0.08875m, 2, MidpointRounding.AwayFromZero);
        var create = _stripe.Requests.First(r => r.Path == "/v1/payment_intents");
        Assert.Equal(("manual", quote.Id, "1"), (create.Form["capture_method"], create.Form["metadata[storekeep_quote]"], create.Form["metadata[storekeep_quote_version]"]));
        Assert.False(create.Form.ContainsKey("metadata[storekeep_cart]"));

        var confirmed = await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);
        Assert.Equal("requires_action", confirmed["status"].Str());

        // Before the buyer passes the bank's challenge: not authorized, nothing placed or held.
        var waiting = await AcceptAsync(store, quote, intent.Id).ExpectProblem(HttpStatusCode.PaymentRequired, "payment_intent_not_authorized");
        Assert.Equal(intent.Id, waiting["paymentIntentId"].Str());
        var early = await store.Browser().GetPageAsync(PaidLink(quote, intent));
        Assert.Contains("not confirmed yet", early, StringComparison.Ordinal);
        await AssertNothingPlacedAsync(store, quote, "sent");

        var back = _stripe.Authenticate(intent.Id, passed: true);
        Assert.Contains($"payment_intent={intent.Id}", back, StringComparison.Ordinal);

        // The buyer's return places the order (the secret is checked: a wrong one sees nothing).
        await store.Browser().GetPageAsync($"{quote.Path}/paid?payment_intent={intent.Id}&payment_intent_client_secret=wrong", HttpStatusCode.BadRequest);
        var confirmation = await ShopperBrowser.ExpectRedirectAsync(await store.Browser().GetAsync(PaidLink(quote, intent)), "/checkout/confirmation/");

        await using var db = store.Db();
        var order = await db.Orders.Include(o => o.Lines).SingleAsync();
        Assert.EndsWith(order.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), confirmation, StringComparison.Ordinal);
        Assert.Equal([(Sku, 2, 9.00m)], order.Lines.Select(l => (l.Sku, l.Quantity, l.UnitPrice)));
        Assert.Equal((18.00m, 5.99m, tax, 18.00m + 5.99m + tax), (order.Subtotal, order.ShippingTotal, order.TaxTotal, order.Total));
        Assert.Equal(intent.Amount, order.Total);
        Assert.Equal((PaymentStatus.Paid, OrderChannels.Quote), (order.PaymentStatus, order.Channel));
        Assert.Equal(2L, (await store.StockAsync(Sku, "MAIN")).Reserved);
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(("stripe", intent.Id, PaymentRecordStatus.Captured, order.Total), (payment.Gateway, payment.GatewayReference, payment.Status, payment.CapturedAmount));
        Assert.Equal("3220", payment.Last4);
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("succeeded", 1, 0), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
        Assert.Equal(atStripe.Amount, atStripe.AmountReceived);

        var accepted = await store.Client.GetAsync($"/api/v1/sales/quotes/{quote.Id}").Expect(HttpStatusCode.OK);
        Assert.Equal(("accepted", order.Id.ToString()), (accepted["status"].Str(), accepted["orderId"].Str()));
        var deal = await store.Client.GetAsync($"/api/v1/sales/deals/{quote.DealId}").Expect(HttpStatusCode.OK);
        Assert.Equal(("won", order.Id.ToString()), (deal["stage"].Str(), deal["orderId"].Str()));

        // Coming back again, the API and the late webhook all answer with that order; nothing moves twice.
        await ShopperBrowser.ExpectRedirectAsync(await store.Browser().GetAsync(PaidLink(quote, intent)), confirmation);
        var byApi = await AcceptAsync(store, quote, intent.Id).Expect(HttpStatusCode.Created);
        Assert.Equal(order.Id.ToString(), byApi["orderId"].Str());
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        Assert.Equal((1, 0), (_stripe.Intent(intent.Id).Captures, _stripe.Intent(intent.Id).Cancels));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_buyers_return_and_the_webhook_at_once_make_one_order_and_one_capture(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var intent = await PrepareAsync(store, quote);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        var returns = Enumerable.Range(0, 3).Select(_ => store.Browser().GetAsync(PaidLink(quote, intent))).ToList();
        var webhooks = Enumerable.Range(0, 3).Select(_ => DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id))).ToList();
        await Task.WhenAll(returns.Concat(webhooks));

        var confirmations = new List<string>();
        foreach (var response in returns)
        {
            confirmations.Add(await ShopperBrowser.ExpectRedirectAsync(await response, "/checkout/confirmation/"));
        }

        foreach (var webhook in webhooks)
        {
            await (await webhook).Expect(HttpStatusCode.OK);
        }

        Assert.Single(confirmations.Distinct());
        await using var db = store.Db();
        var order = await db.Orders.SingleAsync();
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);
        var payment = await db.Payments.SingleAsync();
        Assert.Equal((order.Id, intent.Id, PaymentRecordStatus.Captured), (payment.OrderId, payment.GatewayReference, payment.Status));
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        Assert.Equal(2L, (await store.StockAsync(Sku, "MAIN")).Reserved);
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal((1, 0, atStripe.Amount), (atStripe.Captures, atStripe.Cancels, atStripe.AmountReceived));
        var attempt = await db.Set<QuotePaymentAttempt>().SingleAsync();
        Assert.Equal((QuotePaymentStatus.Completed, order.Id), (attempt.Status, attempt.OrderId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quote_revised_after_the_payment_was_made_voids_the_authorization_and_stays_open(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var intent = await PrepareAsync(store, quote);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        // The rep revises the quote (version 2) while the buyer is paying version 1.
        await store.Client.PutJson($"/api/v1/sales/quotes/{quote.Id}", new { lines = new object[] { new { sku = Sku, quantity = 3, unitPrice = 9.00m } } })
            .Expect(HttpStatusCode.OK);
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);

        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("canceled", 0, 1), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
        await AssertNothingPlacedAsync(store, quote, "draft");
        var page = await store.Browser().GetPageAsync(PaidLink(quote, intent));
        Assert.Contains("was revised", page, StringComparison.Ordinal);
        Assert.Contains("nothing was charged", page, StringComparison.Ordinal);
        var refused = await AcceptAsync(store, quote, intent.Id).ExpectProblem(HttpStatusCode.Conflict, "quote_changed");
        Assert.Contains("version 2", refused["detail"].Str(), StringComparison.Ordinal);
        Assert.Equal(1, _stripe.Intent(intent.Id).Cancels);

        // Once version 2 is sent, the buyer pays it with a new intent for its own total.
        await store.Client.PostAsync($"/api/v1/sales/quotes/{quote.Id}/send", null).Expect(HttpStatusCode.OK);
        var again = await PrepareAsync(store, quote);
        Assert.NotEqual(intent.Id, again.Id);
        Assert.True(again.Amount > intent.Amount);
        await ConfirmAsync(again, "pm_card_visa").Expect(HttpStatusCode.OK);
        var accepted = await AcceptAsync(store, quote, again.Id).Expect(HttpStatusCode.Created);
        Assert.Equal((again.Amount, "paid", 2), (accepted["orderTotal"].Dec(), accepted["paymentStatus"].Str(), accepted["quote"]!["version"].Int()));
        Assert.Equal(1, _stripe.Intent(again.Id).Captures);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_intent_left_open_for_an_older_version_is_cancelled_when_the_buyer_pays_the_revised_quote(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var first = await PrepareAsync(store, quote);

        // The buyer leaves the page unpaid; the rep revises and sends version 2, and the buyer pays that.
        await store.Client.PutJson($"/api/v1/sales/quotes/{quote.Id}", new { lines = new object[] { new { sku = Sku, quantity = 3, unitPrice = 9.00m } } })
            .Expect(HttpStatusCode.OK);
        await store.Client.PostAsync($"/api/v1/sales/quotes/{quote.Id}/send", null).Expect(HttpStatusCode.OK);
        var second = await PrepareAsync(store, quote);

        Assert.NotEqual(first.Id, second.Id);
        var old = _stripe.Intent(first.Id);
        Assert.Equal(("canceled", 1, 0), (old.Status, old.Cancels, old.Captures));
        Assert.Equal((false, 0), (_stripe.Intent(second.Id).Canceled, _stripe.Intent(second.Id).Cancels));
        await using (var db = store.Db())
        {
            var attempts = await db.Set<QuotePaymentAttempt>().AsNoTracking().OrderBy(a => a.Version).ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal([(1, QuotePaymentStatus.Failed, "quote_changed"), (2, QuotePaymentStatus.Open, null)],
                attempts.Select(a => (a.Version, a.Status, a.FailureCode)).ToArray());
        }

        // Preparing again reuses version 2's intent and cancels nothing more.
        Assert.Equal(second.Id, (await PrepareAsync(store, quote)).Id);
        Assert.Equal(1, _stripe.Intent(first.Id).Cancels);

        // The old page's intent can no longer place anything; the current one can.
        await AcceptAsync(store, quote, first.Id).ExpectProblem(HttpStatusCode.Conflict, "quote_changed");
        await ConfirmAsync(second, "pm_card_visa").Expect(HttpStatusCode.OK);
        var accepted = await AcceptAsync(store, quote, second.Id).Expect(HttpStatusCode.Created);
        Assert.Equal((second.Amount, 2), (accepted["orderTotal"].Dec(), accepted["quote"]!["version"].Int()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Stock_gone_while_the_buyer_authenticates_voids_the_authorization_and_the_quote_stays_open(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var intent = await PrepareAsync(store, quote);
        await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);

        // While the buyer is at the bank, 4 of the 5 mugs are written off: 2 no longer fit.
        await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = Sku, warehouse = "MAIN", quantity = -4, reason = "count" }).Expect(HttpStatusCode.Created);
        _stripe.Authenticate(intent.Id, passed: true);
        var page = await store.Browser().GetPageAsync(PaidLink(quote, intent));

        Assert.Contains("sold out while you were confirming the payment", page, StringComparison.Ordinal);
        Assert.Contains("nothing was charged", page, StringComparison.Ordinal);
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal((true, 0, 1), (atStripe.Canceled, atStripe.Captures, atStripe.Cancels));
        await AssertNothingPlacedAsync(store, quote, "sent");
        await AcceptAsync(store, quote, intent.Id).ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");

        // Stripe's late webhook changes nothing.
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);
        await AssertNothingPlacedAsync(store, quote, "sent");
        Assert.Equal(1, _stripe.Intent(intent.Id).Cancels);
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quote_that_costs_more_than_was_authorized_is_a_mismatch_and_the_intent_is_voided(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var quote = await SentQuoteAsync(store);
        var intent = await PrepareAsync(store, quote);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        // The same version, but the standard shipping rate went up after the buyer authorized.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var pricing = scope.ServiceProvider.GetRequiredService<PricingSettings>();
            var standard = (await pricing.ListShippingMethodsAsync(CancellationToken.None)).Single(m => m.Code == "standard");
            await pricing.UpdateShippingMethodAsync(standard.Id, new ShippingMethodRequest(null, null, 7.99m, standard.FreeOver, null, null, null), CancellationToken.None);
        }

        var refused = await AcceptAsync(store, quote, intent.Id).ExpectProblem(HttpStatusCode.Conflict, "payment_amount_mismatch");

        Assert.Contains("nothing was charged", refused["detail"].Str(), StringComparison.Ordinal);
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("canceled", 0, 1), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
        await AssertNothingPlacedAsync(store, quote, "sent");

        // Paying again gets a new intent for what the quote costs now.
        var again = await PrepareAsync(store, quote);
        Assert.NotEqual(intent.Id, again.Id);
        Assert.Equal(intent.Amount + 2.00m, again.Amount);
    }

    [Fact]
    public async Task The_quote_page_offers_the_payment_element_with_live_Stripe_and_the_test_card_form_otherwise()
    {
        await using (var store = await StripeStoreAsync(TestDatabases.Sqlite, publishableKey: true))
        {
            var quote = await SentQuoteAsync(store);
            var browser = store.Browser();
            var page = await browser.GetPageAsync(quote.Path);
            Assert.Contains("<option value=\"card\"", page, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"stripe-note\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("data-testid=\"quote-payment-token\"", page, StringComparison.Ordinal);

            // Accepting by card turns the page into the payment step: the Payment Element for the quote's intent.
            var step = await browser.SubmitFormAsync(quote.Path, new()
            {
                ["Input.Name"] = "Nora Buyer", ["Input.Line1"] = "1 Dock Road", ["Input.City"] = "New York", ["Input.Region"] = "NY",
                ["Input.PostalCode"] = "10001", ["Input.Country"] = "US", ["Input.ShippingMethod"] = "standard", ["Input.PaymentMethod"] = "card",
            }, "accept-quote");
            var html = await step.Content.ReadAsStringAsync();
            Assert.True(step.StatusCode == HttpStatusCode.OK, html);
            var intentId = Assert.Single(_stripe.IntentIds);
            var atStripe = _stripe.Intent(intentId);
            Assert.Contains("data-testid=\"payment-element\"", html, StringComparison.Ordinal);
            Assert.Contains($"data-client-secret=\"{atStripe.ClientSecret}\"", html, StringComparison.Ordinal);
            Assert.Contains($"data-publishable-key=\"{FakeStripe.PublishableKey}\"", html, StringComparison.Ordinal);
            Assert.Contains($"data-return-url=\"https://localhost{quote.Path}/paid\"", html, StringComparison.Ordinal);

            // Stripe.js confirms; Stripe sends the buyer back; the order is there.
            var intent = new Intent(intentId, atStripe.ClientSecret, atStripe.Amount / 100m);
            await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);
            await ShopperBrowser.ExpectRedirectAsync(await browser.GetAsync(PaidLink(quote, intent)), "/checkout/confirmation/");
            Assert.Contains("data-testid=\"quote-accepted\"", await browser.GetPageAsync(quote.Path), StringComparison.Ordinal);
        }

        await using (var store = await TestStore.StartAsync(TestDatabases.Sqlite))
        {
            // Test mode: the test card form, as before; no Stripe on the page.
            var quote = await SentQuoteAsync(store);
            var page = await store.Browser().GetPageAsync(quote.Path);
            Assert.Contains("data-testid=\"quote-payment-token\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("payment-element", page, StringComparison.Ordinal);
            Assert.DoesNotContain("stripe-note", page, StringComparison.Ordinal);
        }
    }

    private Task<TestStore> StripeStoreAsync(string database, bool publishableKey = false) => TestStore.StartAsync(database, settings: new Dictionary<string, string?>
    {
        ["Payments:Gateway"] = "stripe",
        ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
        ["Payments:Stripe:ApiBase"] = _stripe.BaseUrl,
        ["Payments:Stripe:WebhookSecret"] = FakeStripe.WebhookSecret,
        ["Payments:Stripe:PublishableKey"] = publishableKey ? FakeStripe.PublishableKey : null,
    });

    /// <summary>Five mugs; a company's quote for 2 at a negotiated 9.00, on a deal, sent to its buyer.</summary>
    private static async Task<SentQuote> SentQuoteAsync(TestStore store)
    {
        await store.AddProductAsync(Sku, 10.00m, main: 5, title: "Blue mug");
        await store.AddShippingAndTaxAsync();
        var company = (await store.Client.PostJson("/api/v1/companies", new { name = "Northwind", country = "US", paymentTerms = "prepaid" }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/companies/{company}/buyers", new { email = Buyer, name = "Nora Buyer" }).Expect(HttpStatusCode.Created);
        var validUntil = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var deal = (await store.Client.PostJson("/api/v1/sales/deals", new { title = "Northwind mugs", companyId = company, amount = 18m, expectedCloseDate = validUntil })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var quote = await store.Client.PostJson("/api/v1/sales/quotes", new
        {
            companyId = company, dealId = deal, validUntil, lines = new[] { new { sku = Sku, quantity = 2, unitPrice = 9.00m } },
        }).Expect(HttpStatusCode.Created);
        await store.Client.PostAsync($"/api/v1/sales/quotes/{quote["id"].Str()}/send", null).Expect(HttpStatusCode.OK);
        return new SentQuote(quote["id"].Str(), deal, new Uri(quote["acceptUrl"].Str()).AbsolutePath);
    }

    private static async Task<Intent> PrepareAsync(TestStore store, SentQuote quote)
    {
        var view = await store.Client.PostJson($"/api/v1/sales/quotes/{quote.Id}/payment-intent", new { shippingAddress = ShippingAddress, shippingMethod = "standard" })
            .Expect(HttpStatusCode.OK);
        return new Intent(view["paymentIntentId"].Str(), view["clientSecret"].Str(), view["amount"].Dec());
    }

    private static Task<HttpResponseMessage> AcceptAsync(TestStore store, SentQuote quote, string intentId) =>
        store.Client.PostJson($"/api/v1/sales/quotes/{quote.Id}/accept", new { shippingAddress = ShippingAddress, payment = new { method = "card", paymentIntentId = intentId } });

    private static string PaidLink(SentQuote quote, Intent intent) =>
        $"{quote.Path}/paid?payment_intent={Uri.EscapeDataString(intent.Id)}&payment_intent_client_secret={Uri.EscapeDataString(intent.ClientSecret)}";

    /// <summary>What Stripe.js does in the browser: confirm with the publishable key and the client secret.</summary>
    private Task<HttpResponseMessage> ConfirmAsync(Intent intent, string paymentMethod)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payment_intents/{intent.Id}/confirm")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["payment_method"] = paymentMethod,
                ["client_secret"] = intent.ClientSecret,
                ["return_url"] = "https://shop.example/quotes/x/paid",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeStripe.PublishableKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return _browser.SendAsync(request);
    }

    private static Task<HttpResponseMessage> DeliverAsync(TestStore store, string payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/stripe/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", FakeStripe.Sign(payload));
        return store.Anonymous.SendAsync(request);
    }

    private static async Task AssertNothingPlacedAsync(TestStore store, SentQuote quote, string status)
    {
        await using var db = store.Db();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Equal(0, await db.Payments.CountAsync());
        Assert.Equal(0, await db.StockLevels.SumAsync(s => s.Reserved));
        Assert.Equal(0, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        var current = await store.Client.GetAsync($"/api/v1/sales/quotes/{quote.Id}").Expect(HttpStatusCode.OK);
        Assert.Equal(status, current["status"].Str());
        Assert.Null(current["orderId"]);
        var deal = await store.Client.GetAsync($"/api/v1/sales/deals/{quote.DealId}").Expect(HttpStatusCode.OK);
        Assert.NotEqual("won", deal["stage"].Str());
    }

    private sealed record SentQuote(string Id, string DealId, string Path);

    private sealed record Intent(string Id, string ClientSecret, decimal Amount);
}

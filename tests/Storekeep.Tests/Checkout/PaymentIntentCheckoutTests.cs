using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Payments;

namespace Storekeep.Tests.Checkout;

/// <summary>
/// Card checkout by payment intent against the fake Stripe: the test plays the shopper's browser
/// (it confirms at the fake with the publishable key and client secret, as Stripe.js does, and
/// answers the bank's challenge with <see cref="FakeStripe.Authenticate"/>) and Stripe itself
/// (signed webhooks). Whatever arrives, in whatever order, there is at most one order and one
/// capture, and an authorization that cannot become an order is voided.
/// </summary>
public sealed class PaymentIntentCheckoutTests : IAsyncLifetime
{
    private const string Sku = "MUG-1";
    private const string ReturnUrl = "https://shop.example/checkout/return";

    private static readonly object ShippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" };

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
    public async Task A_card_without_a_challenge_is_captured_once_and_the_order_is_paid(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);

        var confirmed = await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);
        var order = await CheckoutAsync(store, cart, intent.Id).Expect(HttpStatusCode.Created);

        Assert.Equal("requires_capture", confirmed["status"].Str());
        Assert.Equal("paid", order["paymentStatus"].Str());
        Assert.Equal(intent.Amount, order["total"].Dec());
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("succeeded", 1, 0), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
        Assert.Equal(atStripe.Amount, atStripe.AmountReceived);
        Assert.Equal(MinorUnits(intent.Amount), atStripe.Amount);
        await using var db = store.Db();
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(("stripe", intent.Id, PaymentRecordStatus.Captured), (payment.Gateway, payment.GatewayReference, payment.Status));
        Assert.Equal(intent.Amount, payment.CapturedAmount);
        Assert.Equal(("visa", "4242"), (payment.CardBrand, payment.Last4));

        // The intent was created without confirming, for the cart, with manual capture.
        var create = _stripe.Requests.First(r => r.Path == "/v1/payment_intents");
        Assert.Equal(("manual", cart), (create.Form["capture_method"], create.Form["metadata[storekeep_cart]"]));
        Assert.False(create.Form.ContainsKey("confirm"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_card_with_a_challenge_is_not_authorized_until_the_shopper_passes_it(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);

        var confirmed = await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);
        Assert.Equal("requires_action", confirmed["status"].Str());
        Assert.Equal($"{_stripe.BaseUrl}/challenge/{intent.Id}", confirmed["next_action"]!["redirect_to_url"]!["url"].Str());

        var waiting = await CheckoutAsync(store, cart, intent.Id).ExpectProblem(HttpStatusCode.PaymentRequired, PaymentIntentCheckout.NotAuthorizedCode);
        Assert.Equal(intent.Id, waiting["paymentIntentId"].Str());
        await AssertNoOrderAsync(store, cart);

        var back = _stripe.Authenticate(intent.Id, passed: true);
        Assert.Equal($"{ReturnUrl}?payment_intent={intent.Id}&payment_intent_client_secret={intent.ClientSecret}&redirect_status=succeeded", back);

        var order = await CheckoutAsync(store, cart, intent.Id).Expect(HttpStatusCode.Created);
        Assert.Equal("paid", order["paymentStatus"].Str());
        Assert.Equal("3220", await Last4Async(store));
        Assert.Equal(1, _stripe.Intent(intent.Id).Captures);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_failed_challenge_is_a_decline_that_holds_nothing_and_the_shopper_can_pay_again(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var stockBefore = await StockAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);

        var back = _stripe.Authenticate(intent.Id, passed: false);
        var declined = await CheckoutAsync(store, cart, intent.Id).ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");

        Assert.EndsWith("redirect_status=failed", back, StringComparison.Ordinal);
        Assert.Contains("Nothing was charged", declined["detail"].Str(), StringComparison.Ordinal);
        await AssertNoOrderAsync(store, cart);
        Assert.Equal(stockBefore, await StockAsync(store));
        Assert.Equal(("requires_payment_method", 0, 0), (_stripe.Intent(intent.Id).Status, _stripe.Intent(intent.Id).Captures, _stripe.Intent(intent.Id).Cancels));

        // The shopper tries another card on the same intent (Stripe lets a declined intent be confirmed again).
        var again = await PrepareAsync(store, cart);
        Assert.Equal(intent.Id, again.Id);
        await ConfirmAsync(again, "pm_card_visa").Expect(HttpStatusCode.OK);
        var order = await CheckoutAsync(store, cart, again.Id).Expect(HttpStatusCode.Created);
        Assert.Equal("paid", order["paymentStatus"].Str());
        Assert.Equal(1, _stripe.Intent(intent.Id).Captures);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_webhook_places_the_order_of_a_shopper_who_closed_the_tab_after_authenticating(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);

        // An event while the shopper is still at the bank places nothing (the store asks Stripe, not the event).
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);
        await AssertNoOrderAsync(store, cart);
        _stripe.Authenticate(intent.Id, passed: true);

        // The browser never comes back: only Stripe tells the store.
        var delivered = await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);

        Assert.False(delivered["duplicate"]!.GetValue<bool>());
        var orderId = await SingleOrderOfAsync(store, cart);
        var checkedOut = await store.Anonymous.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK);
        Assert.Equal(orderId.ToString(), checkedOut["orderId"].Str());
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal((1, atStripe.Amount, 0), (atStripe.Captures, atStripe.AmountReceived, atStripe.Cancels));
        await using var db = store.Db();
        var placed = await db.OutboxEvents.Where(e => e.Type == EventTypes.OrderPlaced).ToListAsync();
        Assert.Single(placed, e => e.Payload.Contains(orderId.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(PaymentStatus.Paid, (await db.Orders.SingleAsync()).PaymentStatus);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Webhooks_and_API_checkouts_replayed_in_any_order_make_one_order_and_one_capture(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);
        _stripe.Authenticate(intent.Id, passed: true);
        var capturable = _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id);

        await DeliverAsync(store, capturable).Expect(HttpStatusCode.OK);
        var orderId = await SingleOrderOfAsync(store, cart);
        var byApi = await CheckoutAsync(store, cart, intent.Id).Expect(HttpStatusCode.Created);
        var replayed = await DeliverAsync(store, capturable).Expect(HttpStatusCode.OK);
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.succeeded", intent.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal(orderId.ToString(), byApi["id"].Str());
        Assert.True(replayed["duplicate"]!.GetValue<bool>());
        await AssertOneOrderOneCaptureAsync(store, cart, intent);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_burst_of_API_checkouts_and_webhooks_at_once_makes_one_order_and_one_capture(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        var checkouts = Enumerable.Range(0, 3).Select(_ => CheckoutAsync(store, cart, intent.Id)).ToList();
        var webhooks = Enumerable.Range(0, 3).Select(_ => DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id))).ToList();
        await Task.WhenAll(checkouts.Concat(webhooks));

        var orderIds = new List<string>();
        foreach (var checkout in checkouts)
        {
            orderIds.Add((await (await checkout).Expect(HttpStatusCode.Created))["id"].Str());
        }

        foreach (var webhook in webhooks)
        {
            await (await webhook).Expect(HttpStatusCode.OK);
        }

        Assert.Single(orderIds.Distinct());
        await AssertOneOrderOneCaptureAsync(store, cart, intent);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Stock_gone_during_the_challenge_voids_the_authorization_and_places_no_order(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, FakeStripe.ThreeDSecureToken).Expect(HttpStatusCode.OK);

        // While the shopper is at the bank, the last mugs are written off.
        await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = Sku, warehouse = "MAIN", quantity = -5, reason = "count" }).Expect(HttpStatusCode.Created);
        _stripe.Authenticate(intent.Id, passed: true);
        await CheckoutAsync(store, cart, intent.Id).ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");

        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal((true, 0, 1), (atStripe.Canceled, atStripe.Captures, atStripe.Cancels));
        await AssertNoOrderAsync(store, cart);

        // Stripe's webhook about the (then) capturable intent arrives late: still nothing.
        await DeliverAsync(store, _stripe.EventPayload("payment_intent.amount_capturable_updated", intent.Id)).Expect(HttpStatusCode.OK);
        await AssertNoOrderAsync(store, cart);
        Assert.Equal(1, _stripe.Intent(intent.Id).Cancels);
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cart_changed_after_authorization_is_a_mismatch_and_the_intent_is_voided(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/items", new { sku = Sku, quantity = 1 }).Expect(HttpStatusCode.OK);
        await CheckoutAsync(store, cart, intent.Id).ExpectProblem(HttpStatusCode.Conflict, PaymentIntentCheckout.AmountMismatchCode);

        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("canceled", 0, 1), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
        await AssertNoOrderAsync(store, cart);

        // Paying again gets a new intent for what the cart costs now.
        var again = await PrepareAsync(store, cart);
        Assert.NotEqual(intent.Id, again.Id);
        Assert.True(again.Amount > intent.Amount);
        Assert.Equal(MinorUnits(again.Amount), _stripe.Intent(again.Id).Amount);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_intent_follows_the_cart_total_back_and_forth_until_the_shopper_confirms(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var first = await PrepareAsync(store, cart);

        // 2 → 3 → 2 → 3 mugs: the same amount twice must still reach Stripe the second time.
        var amounts = new List<decimal> { first.Amount };
        foreach (var quantity in new[] { 3, 2, 3 })
        {
            await store.Anonymous.PatchJson($"/api/v1/carts/{cart}/items/{Sku}", new { quantity }).Expect(HttpStatusCode.OK);
            var prepared = await PrepareAsync(store, cart);
            Assert.Equal(first.Id, prepared.Id);
            Assert.Equal(MinorUnits(prepared.Amount), _stripe.Intent(first.Id).Amount);
            amounts.Add(prepared.Amount);
        }

        Assert.Equal(2, amounts.Distinct().Count());
        await ConfirmAsync(first, "pm_card_visa").Expect(HttpStatusCode.OK);
        var order = await CheckoutAsync(store, cart, first.Id).Expect(HttpStatusCode.Created);
        Assert.Equal(amounts[^1], order["total"].Dec());
        Assert.Equal(MinorUnits(amounts[^1]), _stripe.Intent(first.Id).AmountReceived);
    }

    [Fact]
    public async Task The_test_gateway_confirms_with_3D_Secure_and_the_checkout_captures_the_intent()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await SeedAsync(store);
        var cart = await store.CartWithAsync(store.Anonymous, (Sku, 2));
        var intent = await PrepareAsync(store, cart);
        var gateway = store.Gateway;

        var state = await gateway.ConfirmIntentAsync(intent.Id, TestPaymentGateway.ThreeDSecureToken, "http://x/return", "confirm-1", CancellationToken.None);
        Assert.Equal(IntentStatus.RequiresAction, state.Status);
        await CheckoutAsync(store, cart, intent.Id).ExpectProblem(HttpStatusCode.PaymentRequired, PaymentIntentCheckout.NotAuthorizedCode);
        Assert.Equal("http://x/return", gateway.Authenticate(intent.Id, passed: true));
        var order = await CheckoutAsync(store, cart, intent.Id).Expect(HttpStatusCode.Created);

        Assert.Equal("paid", order["paymentStatus"].Str());
        var operations = gateway.Journal.Where(op => op.Reference == intent.Id).Select(op => op.Kind).ToList();
        Assert.Equal(["authorize", "capture"], operations);

        // Without an intent, a card that needs 3-D Secure cannot be charged from the server.
        var other = await store.CartWithAsync(store.Anonymous, (Sku, 1));
        var declined = await store.Anonymous.PostJson($"/api/v1/carts/{other}/checkout", TestCatalog.CheckoutBody(TestPaymentGateway.ThreeDSecureToken))
            .ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
        Assert.Equal("authentication_required", declined["declineCode"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_checkout_by_intent_is_refused_when_it_names_no_such_intent_or_another_carts(string database)
    {
        await using var store = await StripeStoreAsync(database);
        var cart = await CartAsync(store);
        var otherCart = await store.CartWithAsync(store.Anonymous, (Sku, 1));
        var intent = await PrepareAsync(store, cart);
        await ConfirmAsync(intent, "pm_card_visa").Expect(HttpStatusCode.OK);

        var both = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", CheckoutBody(new { method = "card", token = "pm_card_visa", paymentIntentId = intent.Id }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(both["errors"]?["payment"]);
        await CheckoutAsync(store, cart, "pi_nobody_made_this").ExpectProblem(HttpStatusCode.NotFound);
        await CheckoutAsync(store, otherCart, intent.Id).ExpectProblem(HttpStatusCode.UnprocessableEntity, PaymentIntentCheckout.IntentMismatchCode);

        // None of that touched the payment: it is still held for its own cart.
        await AssertNoOrderAsync(store, cart);
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal(("requires_capture", 0, 0), (atStripe.Status, atStripe.Captures, atStripe.Cancels));
    }

    private Task<TestStore> StripeStoreAsync(string database) => TestStore.StartAsync(database, settings: new Dictionary<string, string?>
    {
        ["Payments:Gateway"] = "stripe",
        ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
        ["Payments:Stripe:ApiBase"] = _stripe.BaseUrl,
        ["Payments:Stripe:WebhookSecret"] = FakeStripe.WebhookSecret,
    });

    private static async Task SeedAsync(TestStore store)
    {
        await store.AddProductAsync(Sku, 10m, main: 5);
        await store.AddShippingAndTaxAsync();
    }

    /// <summary>A store with five mugs and a cart holding two of them.</summary>
    private static async Task<string> CartAsync(TestStore store)
    {
        await SeedAsync(store);
        return await store.CartWithAsync(store.Anonymous, (Sku, 2));
    }

    private static async Task<Intent> PrepareAsync(TestStore store, string cart)
    {
        var view = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/payment-intent", new { email = "ada@example.com", shippingAddress = ShippingAddress, shippingMethod = (string?)null })
            .Expect(HttpStatusCode.OK);
        return new Intent(view["paymentIntentId"].Str(), view["clientSecret"].Str(), view["amount"].Dec());
    }

    /// <summary>What Stripe.js does in the browser: confirm with the publishable key and the client secret.</summary>
    private Task<HttpResponseMessage> ConfirmAsync(Intent intent, string paymentMethod)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payment_intents/{intent.Id}/confirm")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["payment_method"] = paymentMethod,
                ["client_secret"] = intent.ClientSecret,
                ["return_url"] = ReturnUrl,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeStripe.PublishableKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return _browser.SendAsync(request);
    }

    private static object CheckoutBody(object payment) =>
        new { email = "ada@example.com", shippingAddress = ShippingAddress, shippingMethod = (string?)null, payment };

    private static Task<HttpResponseMessage> CheckoutAsync(TestStore store, string cart, string intentId) =>
        store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", CheckoutBody(new { method = "card", paymentIntentId = intentId }));

    private static Task<HttpResponseMessage> DeliverAsync(TestStore store, string payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/stripe/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", FakeStripe.Sign(payload));
        return store.Anonymous.SendAsync(request);
    }

    private static async Task<Guid> SingleOrderOfAsync(TestStore store, string cart)
    {
        await using var db = store.Db();
        return (await db.Orders.SingleAsync(o => o.CartId == Guid.Parse(cart))).Id;
    }

    private static async Task<string?> Last4Async(TestStore store)
    {
        await using var db = store.Db();
        return (await db.Payments.SingleAsync()).Last4;
    }

    private static async Task<List<(string Sku, Guid Warehouse, long OnHand, long Reserved)>> StockAsync(TestStore store)
    {
        await using var db = store.Db();
        return (await db.StockLevels.AsNoTracking().OrderBy(s => s.Sku).ThenBy(s => s.WarehouseId).ToListAsync())
            .Select(s => (s.Sku, s.WarehouseId, (long)s.OnHand, (long)s.Reserved)).ToList();
    }

    private static async Task AssertNoOrderAsync(TestStore store, string cart)
    {
        await using var db = store.Db();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Equal(0, await db.Payments.CountAsync());
        Assert.Equal(0, await db.StockLevels.SumAsync(s => s.Reserved));
        Assert.Equal(0, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        Assert.Equal(CartStatus.Active, (await db.Carts.SingleAsync(c => c.Id == Guid.Parse(cart))).Status);
    }

    private async Task AssertOneOrderOneCaptureAsync(TestStore store, string cart, Intent intent)
    {
        await using var db = store.Db();
        var order = await db.Orders.SingleAsync(o => o.CartId == Guid.Parse(cart));
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);
        var payment = await db.Payments.SingleAsync();
        Assert.Equal((order.Id, intent.Id), (payment.OrderId, payment.GatewayReference));
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        var atStripe = _stripe.Intent(intent.Id);
        Assert.Equal((1, 0), (atStripe.Captures, atStripe.Cancels));
        Assert.Equal(atStripe.Amount, atStripe.AmountReceived);
    }

    private static long MinorUnits(decimal amount) => (long)(amount * 100);

    private sealed record Intent(string Id, string ClientSecret, decimal Amount);
}

using System.Net;
using System.Net.Http.Headers;
using Storekeep.Payments;
using Storekeep.Payments.Stripe;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

/// <summary>
/// <see cref="StripePaymentGateway"/> as <see cref="IPaymentIntents"/> against the fake Stripe, and
/// the fake's browser side (publishable key, CORS, challenge page, Stripe.js) that the checkout and
/// storefront tests rely on.
/// </summary>
public sealed class StripePaymentIntentsTests : IAsyncLifetime
{
    private const string ReturnUrl = "https://shop.example/checkout/return?step=pay";

    private FakeStripe _stripe = null!;
    private StripePaymentGateway _gateway = null!;
    private HttpClient _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _gateway = new StripePaymentGateway(new StripeSettings(FakeStripe.SecretKey, _stripe.BaseUrl, null));
        _browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_stripe.BaseUrl) };
    }

    public async ValueTask DisposeAsync()
    {
        _browser.Dispose();
        await _stripe.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<IntentState> CreateAsync(decimal amount = 27.77m, Guid? cart = null) =>
        _gateway.CreateIntentAsync(new IntentRequest(amount, "USD", Guid.NewGuid().ToString(), cart ?? Guid.NewGuid(), "ada@example.com", "Cart"), Ct);

    [Fact]
    public async Task An_intent_is_created_unconfirmed_for_its_cart_updated_and_read_back_without_an_idempotency_key()
    {
        var cart = Guid.NewGuid();

        var created = await CreateAsync(27.77m, cart);
        var updated = await _gateway.UpdateIntentAmountAsync(created.Id, 31.50m, "USD", "update-1", Ct);
        var read = await _gateway.GetIntentAsync(created.Id, Ct);

        Assert.Equal((IntentStatus.RequiresPaymentMethod, 27.77m, "USD", cart), (created.Status, created.Amount, created.Currency, created.CartId));
        Assert.StartsWith(created.Id + "_secret_", created.ClientSecret, StringComparison.Ordinal);
        Assert.False(created.Authorized);
        Assert.Equal(31.50m, updated.Amount);
        Assert.Equal((31.50m, created.ClientSecret, cart), (read.Amount, read.ClientSecret, read.CartId));
        var requests = _stripe.Requests.ToList();
        Assert.Equal(["POST", "POST", "GET"], requests.Select(r => r.Method));
        Assert.False(requests[0].Form.ContainsKey("confirm"));
        Assert.Equal(("2777", "manual", "true"), (requests[0].Form["amount"], requests[0].Form["capture_method"], requests[0].Form["automatic_payment_methods[enabled]"]));
        Assert.Equal("3150", requests[1].Form["amount"]);
        Assert.Null(requests[2].IdempotencyKey);
        Assert.Contains("latest_charge", requests[2].Form.Values);
    }

    [Fact]
    public async Task A_3D_Secure_card_requires_action_at_the_challenge_page_and_a_failed_challenge_is_a_decline()
    {
        var created = await CreateAsync();

        var confirmed = await _gateway.ConfirmIntentAsync(created.Id, FakeStripe.ThreeDSecureToken, ReturnUrl, "confirm-1", Ct);
        Assert.Equal((IntentStatus.RequiresAction, $"{_stripe.BaseUrl}/challenge/{created.Id}"), (confirmed.Status, confirmed.RedirectUrl));

        var back = _stripe.Authenticate(created.Id, passed: false);
        var failed = await _gateway.GetIntentAsync(created.Id, Ct);

        Assert.Equal($"{ReturnUrl}&payment_intent={created.Id}&payment_intent_client_secret={created.ClientSecret}&redirect_status=failed", back);
        Assert.Equal((IntentStatus.RequiresPaymentMethod, "payment_intent_authentication_failure"), (failed.Status, failed.DeclineCode));
        Assert.Null(_stripe.Authenticate(created.Id, passed: true)); // no longer waiting: nothing changes
        Assert.Equal(IntentStatus.RequiresPaymentMethod, _stripe.Intent(created.Id).Status);
    }

    [Fact]
    public async Task A_declined_confirm_is_an_answer_and_another_card_then_authorizes_after_which_the_amount_is_fixed()
    {
        var created = await CreateAsync(10m);

        var declined = await _gateway.ConfirmIntentAsync(created.Id, FakeStripe.DecliningToken, ReturnUrl, "confirm-declined", Ct);
        var authorized = await _gateway.ConfirmIntentAsync(created.Id, "pm_card_mastercard", ReturnUrl, "confirm-ok", Ct);
        var error = await Assert.ThrowsAsync<StorekeepException>(() => _gateway.UpdateIntentAmountAsync(created.Id, 12m, "USD", "update-late", Ct));

        Assert.Equal((IntentStatus.RequiresPaymentMethod, "generic_decline"), (declined.Status, declined.DeclineCode));
        Assert.True(authorized.Authorized);
        Assert.Equal(("mastercard", "4444", 10m), (authorized.CardBrand, authorized.Last4, authorized.Amount));
        Assert.Equal((ErrorKind.Conflict, "payment_intent_unexpected_state"), (error.Kind, error.Code));
        Assert.Equal((1000L, 1000L), (_stripe.Intent(created.Id).Amount, _stripe.Intent(created.Id).AmountCapturable));
    }

    [Fact]
    public async Task The_browser_confirms_with_the_publishable_key_only_with_the_intents_client_secret()
    {
        var created = await CreateAsync();

        var wrong = await BrowserConfirmAsync(created.Id, "pm_card_visa", created.Id + "_secret_guessed");
        var noSecretKey = await BrowserCreateAsync();
        var right = await BrowserConfirmAsync(created.Id, "pm_card_visa", created.ClientSecret!);

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noSecretKey.StatusCode);
        var intent = await right.Expect(HttpStatusCode.OK);
        Assert.Equal("requires_capture", intent["status"].Str());
        Assert.Equal("*", Assert.Single(right.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Single(_stripe.IntentIds);
    }

    [Fact]
    public async Task A_CORS_preflight_is_answered_for_the_headers_Stripe_js_sends()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/payment_intents/pi_x/confirm");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type, idempotency-key");

        var response = await _browser.SendAsync(preflight, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        Assert.All(["Authorization", "Content-Type", "Idempotency-Key"], h => Assert.Contains(h, allowed, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_challenge_page_has_both_buttons_and_its_answer_redirects_to_the_return_url_with_Stripes_parameters()
    {
        var created = await CreateAsync();
        await _gateway.ConfirmIntentAsync(created.Id, FakeStripe.ThreeDSecureToken, ReturnUrl, "confirm-3ds", Ct);

        var page = await _browser.GetStringAsync($"/challenge/{created.Id}", Ct);
        var answer = await _browser.PostAsync($"/challenge/{created.Id}", new FormUrlEncodedContent(new Dictionary<string, string> { ["passed"] = "true" }), Ct);

        Assert.Contains("data-testid=\"fake-3ds-complete\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"fake-3ds-fail\"", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"/challenge/{created.Id}\"", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.Equal($"{ReturnUrl}&payment_intent={created.Id}&payment_intent_client_secret={created.ClientSecret}&redirect_status=succeeded", answer.Headers.Location!.OriginalString);
        Assert.Equal(("requires_capture", 2777L), (_stripe.Intent(created.Id).Status, _stripe.Intent(created.Id).AmountCapturable));
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync($"/challenge/{created.Id}", Ct)).StatusCode); // answered once
    }

    [Fact]
    public async Task Fake_Stripe_js_is_served_as_javascript_pointing_at_this_fake()
    {
        var response = await _browser.GetAsync("/v3/", Ct);
        var script = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"'{_stripe.BaseUrl}'", script, StringComparison.Ordinal);
        Assert.All(["window.Stripe", "confirmPayment", "fake-stripe-card", "pm_card_threeDSecure2Required", "_secret_"], s => Assert.Contains(s, script, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_payload_carries_the_intent_as_it_is_now_and_verifies_with_Stripe_net()
    {
        var created = await CreateAsync();
        await _gateway.ConfirmIntentAsync(created.Id, "pm_card_visa", ReturnUrl, "confirm-visa", Ct);

        var payload = _stripe.EventPayload("payment_intent.amount_capturable_updated", created.Id, "evt_fixed");
        var parsed = Stripe.EventUtility.ConstructEvent(payload, FakeStripe.Sign(payload), FakeStripe.WebhookSecret, throwOnApiVersionMismatch: false);

        Assert.Equal(("evt_fixed", "payment_intent.amount_capturable_updated"), (parsed.Id, parsed.Type));
        var intent = Assert.IsType<Stripe.PaymentIntent>(parsed.Data.Object);
        Assert.Equal((created.Id, "requires_capture", 2777L), (intent.Id, intent.Status, intent.AmountCapturable));
    }

    private Task<HttpResponseMessage> BrowserConfirmAsync(string id, string paymentMethod, string clientSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payment_intents/{id}/confirm")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["payment_method"] = paymentMethod,
                ["client_secret"] = clientSecret,
                ["return_url"] = ReturnUrl,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeStripe.PublishableKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return _browser.SendAsync(request, Ct);
    }

    /// <summary>The publishable key may not create intents (only the server may, with the secret key).</summary>
    private Task<HttpResponseMessage> BrowserCreateAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "100", ["currency"] = "usd", ["capture_method"] = "manual" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeStripe.PublishableKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return _browser.SendAsync(request, Ct);
    }
}

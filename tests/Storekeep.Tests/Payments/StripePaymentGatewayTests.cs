using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storekeep.Payments;
using Storekeep.Payments.Stripe;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

public sealed class StripePaymentGatewayTests : IAsyncLifetime
{
    private FakeStripe _stripe = null!;
    private StripePaymentGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _gateway = new StripePaymentGateway(new StripeSettings(FakeStripe.SecretKey, _stripe.BaseUrl, null));
    }

    public async ValueTask DisposeAsync() => await _stripe.DisposeAsync();

    private static AuthorizeRequest Authorize(decimal amount, string token = "pm_card_visa", string? key = null) =>
        new(amount, "USD", token, key ?? Guid.NewGuid().ToString(), "ada@example.com", "Order #1042");

    [Fact]
    public async Task Authorize_capture_refund_round_trip_sends_exact_minor_units_with_key_and_idempotency_keys()
    {
        var authorized = await _gateway.AuthorizeAsync(Authorize(19.99m, "pm_card_mastercard", "auth-1"), CancellationToken.None);
        var captured = await _gateway.CaptureAsync(authorized.Reference!, 19.99m, "USD", "capture-1", CancellationToken.None);
        var refunded = await _gateway.RefundAsync(authorized.Reference!, 5.01m, "USD", "refund-1", CancellationToken.None);

        Assert.True(authorized.Approved);
        Assert.StartsWith("pi_", authorized.Reference, StringComparison.Ordinal);
        Assert.Equal(("mastercard", "4444"), (authorized.CardBrand, authorized.Last4));
        Assert.True(captured.Approved);
        Assert.Equal(authorized.Reference, captured.Reference);
        Assert.True(refunded.Approved);
        Assert.StartsWith("re_", refunded.Reference, StringComparison.Ordinal);

        var requests = _stripe.Requests.ToList();
        Assert.Equal(["/v1/payment_intents", $"/v1/payment_intents/{authorized.Reference}/capture", "/v1/refunds"], requests.Select(r => r.Path));
        Assert.All(requests, r => Assert.Equal($"Bearer {FakeStripe.SecretKey}", r.Authorization));
        Assert.Equal(["auth-1", "capture-1", "refund-1"], requests.Select(r => r.IdempotencyKey));

        var create = requests[0].Form;
        Assert.Equal("1999", create["amount"]);
        Assert.Equal("usd", create["currency"]);
        Assert.Equal("pm_card_mastercard", create["payment_method"]);
        Assert.Equal("manual", create["capture_method"]);
        Assert.Equal("true", create["confirm"]);
        Assert.Equal("ada@example.com", create["receipt_email"]);
        Assert.Equal("Order #1042", create["description"]);
        Assert.Equal("1999", requests[1].Form["amount_to_capture"]);
        Assert.Equal(authorized.Reference, requests[2].Form["payment_intent"]);
        Assert.Equal("501", requests[2].Form["amount"]);
    }

    [Fact]
    public async Task A_card_error_from_Stripe_is_a_decline_carrying_the_decline_code()
    {
        var result = await _gateway.AuthorizeAsync(Authorize(10m, FakeStripe.DecliningToken), CancellationToken.None);

        Assert.False(result.Approved);
        Assert.Equal("generic_decline", result.DeclineCode);
        Assert.Equal("Your card was declined.", result.Message);
        Assert.Null(result.CardBrand);
    }

    [Fact]
    public async Task Calling_again_with_the_same_idempotency_key_sends_that_key_and_gets_the_same_payment()
    {
        var first = await _gateway.AuthorizeAsync(Authorize(42.50m, key: "checkout-7"), CancellationToken.None);
        var again = await _gateway.AuthorizeAsync(Authorize(42.50m, key: "checkout-7"), CancellationToken.None);

        Assert.Equal(first.Reference, again.Reference);
        Assert.Equal(["checkout-7", "checkout-7"], _stripe.Requests.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task Stripe_net_retrying_a_failed_request_resends_our_idempotency_key()
    {
        _stripe.FailNext(1);

        var result = await _gateway.AuthorizeAsync(Authorize(3.10m, key: "retry-me"), CancellationToken.None);

        Assert.True(result.Approved);
        var requests = _stripe.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("retry-me", r.IdempotencyKey));
        Assert.All(requests, r => Assert.Equal("310", r.Form["amount"]));
    }

    [Fact]
    public async Task Void_cancels_the_payment_intent_and_a_later_capture_is_declined()
    {
        var authorized = await _gateway.AuthorizeAsync(Authorize(8m), CancellationToken.None);

        var voided = await _gateway.VoidAsync(authorized.Reference!, "void-1", CancellationToken.None);
        var capture = await _gateway.CaptureAsync(authorized.Reference!, 8m, "USD", "capture-after-void", CancellationToken.None);

        Assert.True(voided.Approved);
        Assert.Contains(_stripe.Requests, r => r.Path == $"/v1/payment_intents/{authorized.Reference}/cancel" && r.IdempotencyKey == "void-1");
        Assert.False(capture.Approved);
        Assert.Equal("payment_intent_unexpected_state", capture.DeclineCode);
    }

    [Fact]
    public async Task Refunding_more_than_was_captured_is_declined_not_thrown()
    {
        var authorized = await _gateway.AuthorizeAsync(Authorize(10m), CancellationToken.None);
        await _gateway.CaptureAsync(authorized.Reference!, 10m, "USD", "cap", CancellationToken.None);

        var result = await _gateway.RefundAsync(authorized.Reference!, 10.01m, "USD", "too-much", CancellationToken.None);

        Assert.False(result.Approved);
        Assert.Equal("amount_too_large", result.DeclineCode);
    }

    [Fact]
    public async Task A_rejected_secret_key_is_a_bad_gateway_error_that_does_not_quote_the_key()
    {
        var gateway = new StripePaymentGateway(new StripeSettings("sk_test_wrong_key_123", _stripe.BaseUrl, null));

        var error = await Assert.ThrowsAsync<StorekeepException>(() => gateway.AuthorizeAsync(Authorize(1m), CancellationToken.None));

        Assert.Equal(ErrorKind.BadGateway, error.Kind);
        Assert.Equal("payment_gateway_error", error.Code);
        Assert.DoesNotContain("sk_test", error.Message, StringComparison.Ordinal);
        Assert.Equal("Bearer sk_test_wrong_key_123", _stripe.Requests.Single().Authorization);
    }

    [Fact]
    public async Task Zero_decimal_currencies_are_sent_in_whole_units()
    {
        await _gateway.AuthorizeAsync(Authorize(1500m) with { Currency = "JPY" }, CancellationToken.None);

        var create = _stripe.Requests.Single().Form;
        Assert.Equal(("1500", "jpy"), (create["amount"], create["currency"]));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Payments_Gateway_stripe_makes_the_store_charge_through_Stripe(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?>
        {
            ["Payments:Gateway"] = "stripe",
            ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
            ["Payments:Stripe:ApiBase"] = _stripe.BaseUrl,
        });

        var gateway = store.Services.GetRequiredService<IPaymentGateway>();
        var result = await gateway.AuthorizeAsync(Authorize(12.34m, key: "store-auth"), CancellationToken.None);

        Assert.Equal("stripe", gateway.Name);
        Assert.IsType<StripePaymentGateway>(gateway);
        Assert.True(result.Approved);
        var sent = _stripe.Requests.Single();
        Assert.Equal(("store-auth", "1234"), (sent.IdempotencyKey, sent.Form["amount"]));

        // The test gateway stays resolvable as itself.
        Assert.Equal("test", store.Gateway.Name);
    }

    [Fact]
    public async Task The_test_gateway_is_the_default()
    {
        await using var services = Services(new Dictionary<string, string?>());

        Assert.IsType<TestPaymentGateway>(services.GetRequiredService<IPaymentGateway>());
    }

    [Fact]
    public async Task Starting_with_stripe_but_no_secret_key_fails_at_startup_naming_the_setting()
    {
        await using var services = Services(new Dictionary<string, string?> { ["Payments:Gateway"] = "stripe" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartHostedServicesAsync(services));

        Assert.Contains("Payments:Stripe:SecretKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_gateway_name_fails_at_startup()
    {
        await using var services = Services(new Dictionary<string, string?> { ["Payments:Gateway"] = "paypal" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartHostedServicesAsync(services));

        Assert.Contains("'paypal'", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddPaymentGateways()
            .BuildServiceProvider();

    private static async Task StartHostedServicesAsync(IServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Storekeep.Tests.Payments;

/// <summary>
/// A stand-in for api.stripe.com on a loopback Kestrel port. It answers the PaymentIntent and
/// Refund calls with Stripe-shaped JSON, refuses what real Stripe would refuse (wrong key, missing
/// fields, wrong state), replays answers per Idempotency-Key as Stripe does, and records every
/// request so tests can check exactly what was sent.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_stripe_secret";

    /// <summary>A PaymentMethod Stripe declines (as its pm_card_chargeDeclined test method does).</summary>
    public const string DecliningToken = "pm_card_chargeDeclined";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StripeRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Intent> _intents = new(StringComparer.Ordinal);
    private int _failuresToInject;

    private FakeStripe(WebApplication app)
    {
        _app = app;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request received, in order, including refused ones and retries.</summary>
    public IReadOnlyCollection<StripeRequest> Requests => _requests;

    /// <summary>The next <paramref name="count"/> requests get a retryable 500 before being looked at.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresToInject, count);

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.MapPost("/v1/payment_intents", fake.CreateIntent);
        app.MapPost("/v1/payment_intents/{id}/capture", fake.Capture);
        app.MapPost("/v1/payment_intents/{id}/cancel", fake.Cancel);
        app.MapPost("/v1/refunds", fake.CreateRefund);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task<IResult> CreateIntent(HttpRequest request) => HandleAsync(request, form =>
    {
        var amount = RequireLong(form, "amount");
        var currency = Require(form, "currency");
        var paymentMethod = Require(form, "payment_method");
        if (form["capture_method"] != "manual" || form["confirm"] != "true")
        {
            return InvalidRequest("parameter_invalid", "This fake only authorizes: capture_method=manual and confirm=true are required.");
        }

        if (amount is null || currency is null || paymentMethod is null || currency != currency.ToLowerInvariant())
        {
            return InvalidRequest("parameter_missing", "amount (integer), currency (lower case) and payment_method are required.");
        }

        var intent = new Intent("pi_" + Guid.NewGuid().ToString("N")[..24], amount.Value, currency, paymentMethod);
        if (paymentMethod == DecliningToken)
        {
            intent.Status = "requires_payment_method";
            _intents[intent.Id] = intent;
            return (402, new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["type"] = "card_error",
                    ["code"] = "card_declined",
                    ["decline_code"] = "generic_decline",
                    ["message"] = "Your card was declined.",
                    ["payment_intent"] = IntentJson(intent, expand: []),
                },
            });
        }

        intent.Status = "requires_capture";
        intent.Capturable = amount.Value;
        _intents[intent.Id] = intent;
        return (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> Capture(HttpRequest request, string id) => HandleAsync(request, form =>
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return Missing(id);
        }

        var amount = form.ContainsKey("amount_to_capture") ? RequireLong(form, "amount_to_capture") : intent.Capturable;
        if (amount is null || intent.Status != "requires_capture")
        {
            return InvalidRequest("payment_intent_unexpected_state", $"This PaymentIntent could not be captured because it has a status of {intent.Status}.");
        }

        if (amount > intent.Capturable)
        {
            return InvalidRequest("amount_too_large", "amount_to_capture is greater than the amount capturable.");
        }

        intent.Received = amount.Value;
        intent.Capturable = 0;
        intent.Status = "succeeded";
        return (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> Cancel(HttpRequest request, string id) => HandleAsync(request, form =>
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return Missing(id);
        }

        if (intent.Status is not ("requires_capture" or "requires_payment_method"))
        {
            return InvalidRequest("payment_intent_unexpected_state", $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}.");
        }

        intent.Status = "canceled";
        intent.Capturable = 0;
        return (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> CreateRefund(HttpRequest request) => HandleAsync(request, form =>
    {
        var id = Require(form, "payment_intent");
        if (id is null || !_intents.TryGetValue(id, out var intent))
        {
            return Missing(id ?? "(none)");
        }

        var amount = form.ContainsKey("amount") ? RequireLong(form, "amount") : intent.Received - intent.Refunded;
        if (amount is null or <= 0 || intent.Status != "succeeded")
        {
            return InvalidRequest("charge_not_refundable", "Only a captured payment can be refunded.");
        }

        if (intent.Refunded + amount > intent.Received)
        {
            return InvalidRequest("amount_too_large", "Refund amount is greater than unrefunded amount on charge.");
        }

        intent.Refunded += amount.Value;
        return (200, new JsonObject
        {
            ["id"] = "re_" + Guid.NewGuid().ToString("N")[..24],
            ["object"] = "refund",
            ["amount"] = amount.Value,
            ["currency"] = intent.Currency,
            ["payment_intent"] = intent.Id,
            ["charge"] = intent.ChargeId,
            ["status"] = "succeeded",
        });
    });

    /// <summary>Checks what every Stripe call must carry, applies Stripe's idempotency, records the request.</summary>
    private async Task<IResult> HandleAsync(HttpRequest request, Func<IFormCollection, (int Status, JsonObject Body)> handle)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : FormCollection.Empty;
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        _requests.Enqueue(new StripeRequest(
            request.Path.Value!,
            authorization,
            idempotencyKey.Length == 0 ? null : idempotencyKey,
            form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal)));

        if (Interlocked.Decrement(ref _failuresToInject) >= 0)
        {
            request.HttpContext.Response.Headers["Stripe-Should-Retry"] = "true";
            return Json(500, Error("api_error", null, "An unexpected error occurred (injected by the test)."));
        }

        if (authorization != $"Bearer {SecretKey}")
        {
            return Json(401, Error("invalid_request_error", null, "Invalid API Key provided."));
        }

        if (idempotencyKey.Length == 0)
        {
            return Json(400, Error("invalid_request_error", "idempotency_key_missing", "This fake requires an Idempotency-Key on every POST."));
        }

        // Stripe answers a reused key with the first response, without doing anything again.
        var key = $"{request.Path}:{idempotencyKey}";
        if (_byIdempotencyKey.TryGetValue(key, out var previous))
        {
            request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Text(previous.Body, "application/json", statusCode: previous.Status);
        }

        (int Status, JsonObject Body) answer;
        lock (_intents)
        {
            answer = handle(form);
        }

        var body = answer.Body.ToJsonString();
        _byIdempotencyKey[key] = (answer.Status, body);
        return Results.Text(body, "application/json", statusCode: answer.Status);
    }

    private static JsonObject IntentJson(Intent intent, string[] expand)
    {
        var card = new JsonObject { ["brand"] = intent.Brand, ["last4"] = intent.Last4 };
        return new JsonObject
        {
            ["id"] = intent.Id,
            ["object"] = "payment_intent",
            ["amount"] = intent.Amount,
            ["amount_capturable"] = intent.Capturable,
            ["amount_received"] = intent.Received,
            ["currency"] = intent.Currency,
            ["capture_method"] = "manual",
            ["status"] = intent.Status,
            ["livemode"] = false,
            ["payment_method"] = expand.Contains("payment_method")
                ? new JsonObject { ["id"] = intent.PaymentMethod, ["object"] = "payment_method", ["type"] = "card", ["card"] = card.DeepClone() }
                : intent.PaymentMethod,
            ["latest_charge"] = expand.Contains("latest_charge")
                ? new JsonObject
                {
                    ["id"] = intent.ChargeId,
                    ["object"] = "charge",
                    ["amount"] = intent.Amount,
                    ["currency"] = intent.Currency,
                    ["payment_intent"] = intent.Id,
                    ["status"] = "succeeded",
                    ["captured"] = intent.Received > 0,
                    ["payment_method_details"] = new JsonObject { ["type"] = "card", ["card"] = card.DeepClone() },
                }
                : intent.ChargeId,
        };
    }

    private static string[] Expansions(IFormCollection form) =>
        form.Where(f => f.Key.StartsWith("expand[", StringComparison.Ordinal)).Select(f => f.Value.ToString()).ToArray();

    private static string? Require(IFormCollection form, string name) => form[name] is { Count: 1 } v && v[0] is { Length: > 0 } s ? s : null;

    private static long? RequireLong(IFormCollection form, string name) =>
        long.TryParse(Require(form, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static (int, JsonObject) InvalidRequest(string code, string message) => (400, Error("invalid_request_error", code, message));

    private static (int, JsonObject) Missing(string id) => (404, Error("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));

    private static JsonObject Error(string type, string? code, string message) =>
        new() { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message } };

    private static IResult Json(int status, JsonObject body) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    private sealed class Intent(string id, long amount, string currency, string paymentMethod)
    {
        public string Id { get; } = id;
        public long Amount { get; } = amount;
        public string Currency { get; } = currency;
        public string PaymentMethod { get; } = paymentMethod;
        public string ChargeId { get; } = "ch_" + id[3..];
        public string Brand => PaymentMethod == "pm_card_mastercard" ? "mastercard" : "visa";
        public string Last4 => PaymentMethod == "pm_card_mastercard" ? "4444" : "4242";
        public string Status { get; set; } = "requires_payment_method";
        public long Capturable { get; set; }
        public long Received { get; set; }
        public long Refunded { get; set; }
    }
}

/// <summary>One request as the fake received it: path, headers that matter, and the form fields.</summary>
public sealed record StripeRequest(string Path, string Authorization, string? IdempotencyKey, IReadOnlyDictionary<string, string> Form);

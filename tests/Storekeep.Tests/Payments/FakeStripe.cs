using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
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
/// request so tests can check exactly what was sent. For checkouts by payment intent it also plays
/// the shopper's side: confirm with the secret key or (as Stripe.js does from the browser) with the
/// publishable key and the client secret, a 3-D Secure challenge page, a fake Stripe.js at
/// <c>/v3/</c>, and signed webhook events about its intents.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_stripe_secret";

    /// <summary>A PaymentMethod Stripe declines (as its pm_card_chargeDeclined test method does).</summary>
    public const string DecliningToken = "pm_card_chargeDeclined";

    /// <summary>The key the browser holds (Stripe.js): it may only confirm an intent whose client secret it also sends.</summary>
    public const string PublishableKey = "pk_test_fake_stripe";

    /// <summary>A card that needs 3-D Secure: confirming it answers <c>requires_action</c> with the challenge page.</summary>
    public const string ThreeDSecureToken = "pm_card_threeDSecure2Required";

    /// <summary>What tests configure as <c>Payments:Stripe:WebhookSecret</c> to sign <see cref="EventPayload"/>s.</summary>
    public const string WebhookSecret = "whsec_fake_stripe_signing_secret";

    private const string ApiVersion = "2024-06-20";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StripeRequest> _requests = new();
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _byIdempotencyKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeIntent> _intents = new(StringComparer.Ordinal);
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
        app.Use(AllowBrowsers);
        app.MapPost("/v1/payment_intents", fake.CreateIntent);
        app.MapPost("/v1/payment_intents/{id}", fake.UpdateIntent);
        app.MapGet("/v1/payment_intents/{id}", fake.GetIntent);
        app.MapPost("/v1/payment_intents/{id}/confirm", fake.ConfirmIntent);
        app.MapPost("/v1/payment_intents/{id}/capture", fake.Capture);
        app.MapPost("/v1/payment_intents/{id}/cancel", fake.Cancel);
        app.MapPost("/v1/refunds", fake.CreateRefund);
        app.MapGet("/challenge/{id}", fake.ChallengePage);
        app.MapPost("/challenge/{id}", fake.ChallengeAnswer);
        app.MapGet("/v3/", fake.StripeJs);
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
        var confirm = form["confirm"] == "true";
        if (form["capture_method"] != "manual")
        {
            return InvalidRequest("parameter_invalid", "This fake only holds money: capture_method=manual is required.");
        }

        if (amount is null || currency is null || (confirm && paymentMethod is null) || currency != currency.ToLowerInvariant())
        {
            return InvalidRequest("parameter_missing", "amount (integer), currency (lower case) and, to confirm, payment_method are required.");
        }

        var id = "pi_" + Guid.NewGuid().ToString("N")[..24];
        var intent = new FakeIntent(id, currency, id + "_secret_" + Guid.NewGuid().ToString("N")[..24])
        {
            Amount = amount.Value,
            PaymentMethod = paymentMethod,
        };
        foreach (var (key, value) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']')))
        {
            intent.Metadata[key["metadata[".Length..^1]] = value.ToString();
        }

        _intents[intent.Id] = intent;

        // Without confirm=true (the Payment Element flow) the browser confirms later.
        return confirm ? Confirm(intent, paymentMethod!, returnUrl: null, form) : (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> UpdateIntent(HttpRequest request, string id) => HandleAsync(request, form =>
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return Missing(id);
        }

        var amount = RequireLong(form, "amount");
        if (amount is null or <= 0)
        {
            return InvalidRequest("parameter_missing", "This fake only updates the amount (a positive integer).");
        }

        if (intent.Status is not ("requires_payment_method" or "requires_confirmation" or "requires_action"))
        {
            return InvalidRequest("payment_intent_unexpected_state", $"This PaymentIntent's amount could not be updated because it has a status of {intent.Status}.");
        }

        intent.Amount = amount.Value;
        return (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> GetIntent(HttpRequest request, string id) => HandleAsync(request, form =>
        _intents.TryGetValue(id, out var intent) ? (200, IntentJson(intent, Expansions(form))) : Missing(id));

    /// <summary>With the secret key (the server), or with the publishable key and the intent's client secret (Stripe.js in the browser).</summary>
    private Task<IResult> ConfirmIntent(HttpRequest request, string id) => HandleAsync(
        request,
        form =>
        {
            if (!_intents.TryGetValue(id, out var intent))
            {
                return Missing(id);
            }

            if (intent.Status is not ("requires_payment_method" or "requires_confirmation" or "requires_action"))
            {
                return InvalidRequest("payment_intent_unexpected_state", $"This PaymentIntent could not be confirmed because it has a status of {intent.Status}.");
            }

            var paymentMethod = Require(form, "payment_method") ?? intent.PaymentMethod;
            return paymentMethod is null
                ? InvalidRequest("parameter_missing", "payment_method is required to confirm.")
                : Confirm(intent, paymentMethod, Require(form, "return_url"), form);
        },
        clientSecretOf: form => _intents.TryGetValue(id, out var intent) ? intent.ClientSecret : null);

    /// <summary>What the bank decides for this card: hold the money, ask for 3-D Secure, or decline.</summary>
    private (int, JsonObject) Confirm(FakeIntent intent, string paymentMethod, string? returnUrl, IFormCollection form)
    {
        intent.PaymentMethod = paymentMethod;
        intent.ReturnUrl = returnUrl ?? intent.ReturnUrl;
        intent.LastPaymentError = null;
        switch (paymentMethod)
        {
            case DecliningToken:
                intent.Status = "requires_payment_method";
                intent.LastPaymentError = new JsonObject
                {
                    ["type"] = "card_error",
                    ["code"] = "card_declined",
                    ["decline_code"] = "generic_decline",
                    ["message"] = "Your card was declined.",
                };
                var error = (JsonObject)intent.LastPaymentError.DeepClone();
                error["payment_intent"] = IntentJson(intent, expand: []);
                return (402, new JsonObject { ["error"] = error });
            case ThreeDSecureToken when intent.ReturnUrl is null:
                return InvalidRequest("parameter_missing", "This card needs authentication: confirm with a return_url.");
            case ThreeDSecureToken:
                intent.Status = "requires_action";
                return (200, IntentJson(intent, Expansions(form)));
            case "pm_card_visa" or "pm_card_mastercard":
                intent.Status = "requires_capture";
                intent.Capturable = intent.Amount;
                return (200, IntentJson(intent, Expansions(form)));
            default:
                intent.PaymentMethod = null;
                return InvalidRequest("resource_missing", $"No such PaymentMethod: '{paymentMethod}'");
        }
    }

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
        intent.Captures++;
        return (200, IntentJson(intent, Expansions(form)));
    });

    private Task<IResult> Cancel(HttpRequest request, string id) => HandleAsync(request, form =>
    {
        if (!_intents.TryGetValue(id, out var intent))
        {
            return Missing(id);
        }

        // As Stripe: anything not yet captured (or already canceled) can be canceled.
        if (intent.Status is not ("requires_capture" or "requires_payment_method" or "requires_confirmation" or "requires_action"))
        {
            return InvalidRequest("payment_intent_unexpected_state", $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}.");
        }

        intent.Status = "canceled";
        intent.Capturable = 0;
        intent.Cancels++;
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
    /// <param name="clientSecretOf">Set where the browser may call with the publishable key: the client secret it must send too.</param>
    private async Task<IResult> HandleAsync(HttpRequest request, Func<IFormCollection, (int Status, JsonObject Body)> handle, Func<IFormCollection, string?>? clientSecretOf = null)
    {
        var isGet = HttpMethods.IsGet(request.Method);
        var form = isGet
            ? new FormCollection(request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal))
            : request.HasFormContentType ? await request.ReadFormAsync() : FormCollection.Empty;
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        _requests.Enqueue(new StripeRequest(
            request.Path.Value!,
            authorization,
            idempotencyKey.Length == 0 ? null : idempotencyKey,
            form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal),
            request.Method));

        if (Interlocked.Decrement(ref _failuresToInject) >= 0)
        {
            request.HttpContext.Response.Headers["Stripe-Should-Retry"] = "true";
            return Json(500, Error("api_error", null, "An unexpected error occurred (injected by the test)."));
        }

        if (authorization != $"Bearer {SecretKey}")
        {
            if (authorization != $"Bearer {PublishableKey}" || clientSecretOf is null)
            {
                return Json(401, Error("invalid_request_error", null, "Invalid API Key provided."));
            }

            string? expected;
            lock (_intents)
            {
                expected = clientSecretOf(form);
            }

            if (expected is null || Require(form, "client_secret") != expected)
            {
                return Json(400, Error("invalid_request_error", "payment_intent_invalid_parameter", "The client_secret provided does not match this PaymentIntent."));
            }
        }

        if (isGet)
        {
            lock (_intents)
            {
                var (status, json) = handle(form);
                return Json(status, json);
            }
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

    /// <summary>Stripe's API answers browsers from any origin (Stripe.js calls it from the shop's pages).</summary>
    private static async Task AllowBrowsers(HttpContext context, Func<Task> next)
    {
        context.Response.Headers["Access-Control-Allow-Origin"] = "*";
        context.Response.Headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key";
        context.Response.Headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS";
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        await next();
    }

    // ---- The shopper's side: the bank's challenge, Stripe.js, and what Stripe tells the store. ----

    /// <summary>
    /// The bank's 3-D Secure answer: passed holds the money (<c>requires_capture</c>), failed sends
    /// the intent back to <c>requires_payment_method</c> with <c>payment_intent_authentication_failure</c>,
    /// as Stripe does. Returns where the shopper's browser goes next (the intent's return_url with
    /// Stripe's query parameters), or null when the intent was not waiting for authentication.
    /// </summary>
    public string? Authenticate(string intentId, bool passed)
    {
        lock (_intents)
        {
            var intent = _intents.TryGetValue(intentId, out var found) ? found : throw new KeyNotFoundException($"No fake intent {intentId}.");
            if (intent.Status != "requires_action")
            {
                return null;
            }

            if (passed)
            {
                intent.Status = "requires_capture";
                intent.Capturable = intent.Amount;
            }
            else
            {
                intent.Status = "requires_payment_method";
                intent.LastPaymentError = new JsonObject
                {
                    ["type"] = "invalid_request_error",
                    ["code"] = "payment_intent_authentication_failure",
                    ["message"] = "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
                };
            }

            return ReturnTo(intent, passed ? "succeeded" : "failed");
        }
    }

    /// <summary>What the fake holds for this intent now, with how many captures and cancels took effect.</summary>
    public FakeStripeIntent Intent(string id)
    {
        lock (_intents)
        {
            var intent = _intents.TryGetValue(id, out var found) ? found : throw new KeyNotFoundException($"No fake intent {id}.");
            return new FakeStripeIntent(intent.Id, intent.Status, intent.Amount, intent.Capturable, intent.Received, intent.Status == "canceled",
                intent.Captures, intent.Cancels, intent.ClientSecret, intent.PaymentMethod);
        }
    }

    /// <summary>All intents the fake created, oldest first is not guaranteed.</summary>
    public IReadOnlyCollection<string> IntentIds => _intents.Keys.ToList();

    /// <summary>
    /// A Stripe event about the intent as it is now (<c>data.object</c> is the intent), with a fresh
    /// <c>evt_</c> id unless <paramref name="eventId"/> is given. Sign it with <see cref="Sign"/>.
    /// </summary>
    public string EventPayload(string type, string intentId, string? eventId = null)
    {
        JsonObject intent;
        lock (_intents)
        {
            intent = IntentJson(_intents.TryGetValue(intentId, out var found) ? found : throw new KeyNotFoundException($"No fake intent {intentId}."), expand: []);
        }

        return EventJson(eventId ?? "evt_" + Guid.NewGuid().ToString("N")[..24], type, intent);
    }

    /// <summary>A Stripe event envelope around <paramref name="dataObject"/>.</summary>
    public static string EventJson(string id, string type, JsonObject dataObject) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = ApiVersion,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = dataObject },
    }.ToJsonString();

    /// <summary>The header Stripe sends: <c>t=&lt;unix time&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.payload")&gt;</c>.</summary>
    public static string Sign(string payload, string secret = WebhookSecret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The bank's challenge page, with one button to pass and one to fail.</summary>
    private IResult ChallengePage(string id)
    {
        lock (_intents)
        {
            if (!_intents.TryGetValue(id, out var intent) || intent.Status != "requires_action")
            {
                return Results.Text("This payment is not waiting for authentication.", "text/plain", statusCode: 404);
            }
        }

        var action = WebUtility.HtmlEncode($"/challenge/{id}");
        return Results.Content(
            $"""
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Fake 3-D Secure</title></head>
            <body>
            <h1>Authenticate this payment</h1>
            <form method="post" action="{action}">
            <button type="submit" name="passed" value="true" data-testid="fake-3ds-complete">Complete authentication</button>
            <button type="submit" name="passed" value="false" data-testid="fake-3ds-fail">Fail authentication</button>
            </form>
            </body></html>
            """,
            "text/html; charset=utf-8");
    }

    private async Task<IResult> ChallengeAnswer(HttpRequest request, string id)
    {
        var form = await request.ReadFormAsync();
        if (!_intents.ContainsKey(id))
        {
            return Results.Text("No such payment.", "text/plain", statusCode: 404);
        }

        var next = Authenticate(id, form["passed"] == "true");
        if (next is null)
        {
            return Results.Text("This payment is not waiting for authentication.", "text/plain", statusCode: 409);
        }

        // 303: the browser follows with a GET, as after the bank's own form.
        request.HttpContext.Response.Headers.Location = next;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The intent's return_url with what Stripe adds when it sends the shopper back.</summary>
    private static string? ReturnTo(FakeIntent intent, string redirectStatus) =>
        intent.ReturnUrl is not { } url
            ? null
            : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?")
              + $"payment_intent={Uri.EscapeDataString(intent.Id)}&payment_intent_client_secret={Uri.EscapeDataString(intent.ClientSecret)}&redirect_status={redirectStatus}";

    /// <summary>
    /// Just enough of Stripe.js for the storefront: <c>Stripe(pk).elements({clientSecret}).create('payment').mount(…)</c>
    /// shows a select of test cards, and <c>confirmPayment</c> confirms with the publishable key and
    /// client secret, then goes to the challenge or the return_url, or resolves with the card error.
    /// </summary>
    private IResult StripeJs() => Results.Text(StripeJsSource.Replace("__BASE_URL__", BaseUrl, StringComparison.Ordinal), "application/javascript");

    private const string StripeJsSource = """
        (function () {
          var base = '__BASE_URL__';
          var cards = [
            ['pm_card_visa', 'Visa 4242'],
            ['pm_card_threeDSecure2Required', '3-D Secure card'],
            ['pm_card_chargeDeclined', 'Declined card']
          ];
          function randomKey() {
            return 'fakejs_' + Date.now().toString(36) + '_' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
          }
          function withStripeParams(url, id, secret, status) {
            return url + (url.indexOf('?') >= 0 ? '&' : '?') + 'payment_intent=' + encodeURIComponent(id)
              + '&payment_intent_client_secret=' + encodeURIComponent(secret) + '&redirect_status=' + status;
          }
          window.Stripe = function (publishableKey) {
            return {
              elements: function (options) {
                var elements = { clientSecret: options && options.clientSecret, select: null };
                elements.create = function (type) {
                  if (type !== 'payment') { throw new Error('The fake Stripe.js only has the payment element.'); }
                  return {
                    mount: function (target) {
                      var host = typeof target === 'string' ? document.querySelector(target) : target;
                      var select = document.createElement('select');
                      select.setAttribute('data-testid', 'fake-stripe-card');
                      select.setAttribute('aria-label', 'Card');
                      cards.forEach(function (card) {
                        var option = document.createElement('option');
                        option.value = card[0];
                        option.textContent = card[1];
                        select.appendChild(option);
                      });
                      host.appendChild(select);
                      elements.select = select;
                    },
                    on: function () {},
                    unmount: function () { if (elements.select) { elements.select.remove(); } },
                    destroy: function () { if (elements.select) { elements.select.remove(); } }
                  };
                };
                return elements;
              },
              confirmPayment: function (params) {
                var elements = params.elements;
                var secret = elements.clientSecret;
                var returnUrl = params.confirmParams && params.confirmParams.return_url;
                var id = secret.split('_secret_')[0];
                var body = new URLSearchParams();
                body.append('payment_method', elements.select ? elements.select.value : 'pm_card_visa');
                body.append('client_secret', secret);
                if (returnUrl) { body.append('return_url', returnUrl); }
                return fetch(base + '/v1/payment_intents/' + encodeURIComponent(id) + '/confirm', {
                  method: 'POST',
                  headers: {
                    'Authorization': 'Bearer ' + publishableKey,
                    'Content-Type': 'application/x-www-form-urlencoded',
                    'Idempotency-Key': randomKey()
                  },
                  body: body.toString()
                }).then(function (response) { return response.json(); }).then(function (json) {
                  if (json.error) {
                    return { error: { type: json.error.type, code: json.error.code, decline_code: json.error.decline_code, message: json.error.message } };
                  }
                  if (json.status === 'requires_action' && json.next_action && json.next_action.redirect_to_url) {
                    window.location.href = json.next_action.redirect_to_url.url;
                    return new Promise(function () {});
                  }
                  if (json.status === 'requires_capture' || json.status === 'succeeded' || json.status === 'processing') {
                    window.location.href = withStripeParams(returnUrl, json.id, secret, 'succeeded');
                    return new Promise(function () {});
                  }
                  return { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: 'The payment is ' + json.status + '.' } };
                });
              }
            };
          };
        })();
        """;

    private JsonObject IntentJson(FakeIntent intent, string[] expand)
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
            ["client_secret"] = intent.ClientSecret,
            ["status"] = intent.Status,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(intent.Metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
            ["last_payment_error"] = intent.LastPaymentError?.DeepClone(),
            ["next_action"] = intent.Status == "requires_action"
                ? new JsonObject
                {
                    ["type"] = "redirect_to_url",
                    ["redirect_to_url"] = new JsonObject { ["url"] = $"{BaseUrl}/challenge/{intent.Id}", ["return_url"] = intent.ReturnUrl },
                }
                : null,
            ["payment_method"] = intent.PaymentMethod is null ? null
                : expand.Contains("payment_method")
                ? new JsonObject { ["id"] = intent.PaymentMethod, ["object"] = "payment_method", ["type"] = "card", ["card"] = card.DeepClone() }
                : intent.PaymentMethod,
            ["latest_charge"] = intent.PaymentMethod is null ? null
                : expand.Contains("latest_charge")
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
        form.Where(f => f.Key.StartsWith("expand[", StringComparison.Ordinal)).SelectMany(f => f.Value.Select(v => v ?? "")).ToArray();

    private static string? Require(IFormCollection form, string name) => form[name] is { Count: 1 } v && v[0] is { Length: > 0 } s ? s : null;

    private static long? RequireLong(IFormCollection form, string name) =>
        long.TryParse(Require(form, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static (int, JsonObject) InvalidRequest(string code, string message) => (400, Error("invalid_request_error", code, message));

    private static (int, JsonObject) Missing(string id) => (404, Error("invalid_request_error", "resource_missing", $"No such payment_intent: '{id}'"));

    private static JsonObject Error(string type, string? code, string message) =>
        new() { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message } };

    private static IResult Json(int status, JsonObject body) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    private sealed class FakeIntent(string id, string currency, string clientSecret)
    {
        public string Id { get; } = id;
        public string Currency { get; } = currency;
        public string ClientSecret { get; } = clientSecret;
        public string ChargeId { get; } = "ch_" + id[3..];
        public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
        public long Amount { get; set; }
        public string? PaymentMethod { get; set; }
        public string? ReturnUrl { get; set; }
        public JsonObject? LastPaymentError { get; set; }
        public string Brand => PaymentMethod == "pm_card_mastercard" ? "mastercard" : "visa";
        public string Last4 => PaymentMethod switch { "pm_card_mastercard" => "4444", ThreeDSecureToken => "3220", _ => "4242" };
        public string Status { get; set; } = "requires_payment_method";
        public long Capturable { get; set; }
        public long Received { get; set; }
        public long Refunded { get; set; }
        public int Captures { get; set; }
        public int Cancels { get; set; }
    }
}

/// <summary>One request as the fake received it: path, headers that matter, and the form fields (the query for a GET).</summary>
public sealed record StripeRequest(string Path, string Authorization, string? IdempotencyKey, IReadOnlyDictionary<string, string> Form, string Method = "POST");

/// <summary>A fake intent as it stands; <paramref name="Captures"/> and <paramref name="Cancels"/> count the ones that took effect.</summary>
public sealed record FakeStripeIntent(
    string Id, string Status, long Amount, long AmountCapturable, long AmountReceived, bool Canceled, int Captures, int Cancels, string ClientSecret, string? PaymentMethod);

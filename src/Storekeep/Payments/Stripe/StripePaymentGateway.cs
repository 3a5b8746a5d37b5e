using System.Net;
using Storekeep.Shared;
using Stripe;
using StripeRefundCreateOptions = Stripe.RefundCreateOptions;
using StripeRefundService = Stripe.RefundService;

namespace Storekeep.Payments.Stripe;

/// <summary>
/// Cards through Stripe PaymentIntents: authorize = create and confirm a manual-capture intent,
/// capture and void act on that intent, refunds are Stripe Refunds against it. The intent id
/// (<c>pi_…</c>) is the gateway reference. Our idempotency key goes to Stripe unchanged, so a
/// retried call (ours or Stripe.net's own network retry) never moves money twice.
/// </summary>
public sealed class StripePaymentGateway : IPaymentGateway, IPaymentIntents
{
    /// <summary>The metadata key that ties an intent to its cart.</summary>
    public const string CartMetadataKey = "storekeep_cart";

    public const string GatewayName = "stripe";

    // Stripe amounts are in the currency's smallest unit; these have none (¥1000 is sent as 1000).
    private static readonly HashSet<string> ZeroDecimalCurrencies = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    // Stripe wants three decimals for these (with the last one zero); Storekeep keeps two.
    private static readonly HashSet<string> ThreeDecimalCurrencies = new(StringComparer.OrdinalIgnoreCase)
    {
        "bhd", "jod", "kwd", "omr", "tnd",
    };

    // Stripe's answers about the state of an intent or charge: a normal "no", like a decline, not an outage.
    private static readonly HashSet<string> StateErrorCodes = new(StringComparer.Ordinal)
    {
        "payment_intent_unexpected_state", "charge_already_captured", "charge_already_refunded",
        "charge_expired_for_capture", "amount_too_large", "amount_too_small", "resource_missing",
    };

    private readonly PaymentIntentService _intents;
    private readonly StripeRefundService _refunds;

    public StripePaymentGateway(StripeSettings settings, IHttpClient? httpClient = null)
    {
        if (settings.SecretKey is null)
        {
            throw new InvalidOperationException(
                "Payments:Gateway is 'stripe' but Payments:Stripe:SecretKey is not set. Set it (sk_live_… or sk_test_…) or use Payments:Gateway=test.");
        }

        var client = new StripeClient(
            apiKey: settings.SecretKey,
            httpClient: httpClient,
            apiBase: settings.ApiBase);
        _intents = new PaymentIntentService(client);
        _refunds = new StripeRefundService(client);
    }

    public string Name => GatewayName;

    public Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct) =>
        CallAsync(async () =>
        {
            var options = new PaymentIntentCreateOptions
            {
                Amount = ToStripeAmount(request.Amount, request.Currency),
                Currency = request.Currency.ToLowerInvariant(),
                PaymentMethod = request.Token,
                Confirm = true,
                CaptureMethod = "manual",

                // Checkout confirms server-side with no return URL: redirect-based methods are off, and a
                // card that needs 3-D Secure is declined rather than left waiting for the shopper.
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
                ErrorOnRequiresAction = true,
                ReceiptEmail = request.Email,
                Description = request.Description,
                Expand = ["latest_charge", "payment_method"],
            };
            var intent = await _intents.CreateAsync(options, Idempotent(request.IdempotencyKey), ct);
            if (intent.Status is not ("requires_capture" or "succeeded"))
            {
                var error = intent.LastPaymentError;
                return new GatewayResult(
                    false,
                    intent.Id,
                    error?.DeclineCode ?? error?.Code ?? intent.Status,
                    error?.Message ?? $"The payment was not authorized (status {intent.Status}).");
            }

            var (brand, last4) = CardOf(intent);
            return new GatewayResult(true, intent.Id, CardBrand: brand, Last4: last4);
        });

    public Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        CallAsync(async () =>
        {
            var options = new PaymentIntentCaptureOptions { AmountToCapture = ToStripeAmount(amount, currency) };
            var intent = await _intents.CaptureAsync(reference, options, Idempotent(idempotencyKey), ct);
            return intent.Status == "succeeded"
                ? new GatewayResult(true, intent.Id)
                : new GatewayResult(false, intent.Id, "capture_failed", $"The capture did not complete (status {intent.Status}).");
        });

    public Task<GatewayResult> VoidAsync(string reference, string idempotencyKey, CancellationToken ct) =>
        CallAsync(async () =>
        {
            var intent = await _intents.CancelAsync(reference, new PaymentIntentCancelOptions(), Idempotent(idempotencyKey), ct);
            return intent.Status == "canceled"
                ? new GatewayResult(true, intent.Id)
                : new GatewayResult(false, intent.Id, "void_failed", $"The authorization was not voided (status {intent.Status}).");
        });

    public Task<GatewayResult> RefundAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        CallAsync(async () =>
        {
            var options = new StripeRefundCreateOptions { PaymentIntent = reference, Amount = ToStripeAmount(amount, currency) };
            var refund = await _refunds.CreateAsync(options, Idempotent(idempotencyKey), ct);
            return refund.Status is "succeeded" or "pending"
                ? new GatewayResult(true, refund.Id)
                : new GatewayResult(false, refund.Id, refund.FailureReason ?? "refund_failed", $"The refund did not go through (status {refund.Status}).");
        });

    public Task<IntentState> CreateIntentAsync(IntentRequest request, CancellationToken ct) =>
        CallIntentAsync(async () =>
        {
            var options = new PaymentIntentCreateOptions
            {
                Amount = ToStripeAmount(request.Amount, request.Currency),
                Currency = request.Currency.ToLowerInvariant(),
                CaptureMethod = "manual",

                // The Payment Element shows whatever the account enables (cards, wallets, local methods).
                AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
                ReceiptEmail = request.Email,
                Description = request.Description,
                Metadata = MetadataOf(request),
            };
            return await _intents.CreateAsync(options, Idempotent(request.IdempotencyKey), ct);
        });

    public Task<IntentState> UpdateIntentAmountAsync(string intentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        CallIntentAsync(() => _intents.UpdateAsync(intentId, new PaymentIntentUpdateOptions { Amount = ToStripeAmount(amount, currency) }, Idempotent(idempotencyKey), ct));

    public Task<IntentState> GetIntentAsync(string intentId, CancellationToken ct) =>
        CallIntentAsync(() => _intents.GetAsync(intentId, new PaymentIntentGetOptions { Expand = ["latest_charge", "payment_method"] }, cancellationToken: ct));

    public Task<IntentState> ConfirmIntentAsync(string intentId, string paymentMethod, string returnUrl, string idempotencyKey, CancellationToken ct) =>
        CallIntentAsync(() => _intents.ConfirmAsync(
            intentId,
            new PaymentIntentConfirmOptions { PaymentMethod = paymentMethod, ReturnUrl = returnUrl, Expand = ["latest_charge", "payment_method"] },
            Idempotent(idempotencyKey),
            ct));

    /// <summary>Stripe's smallest currency unit, exactly; throws rather than round.</summary>
    public static long ToStripeAmount(decimal amount, string currency)
    {
        if (ZeroDecimalCurrencies.Contains(currency))
        {
            if (decimal.Truncate(amount) != amount)
            {
                throw Errors.Unprocessable("invalid_amount", $"{currency.ToUpperInvariant()} has no minor unit; {amount} cannot be charged.");
            }

            return decimal.ToInt64(amount);
        }

        var minor = MinorUnits.ToMinor(amount);
        return ThreeDecimalCurrencies.Contains(currency) ? minor * 10 : minor;
    }

    public static bool IsZeroDecimal(string currency) => ZeroDecimalCurrencies.Contains(currency);

    public static decimal FromStripeAmount(long amount, string currency) =>
        ZeroDecimalCurrencies.Contains(currency) ? amount
        : ThreeDecimalCurrencies.Contains(currency) ? amount / 1000m
        : MinorUnits.FromMinor(amount);

    private static Dictionary<string, string> MetadataOf(IntentRequest request)
    {
        var metadata = new Dictionary<string, string>(request.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (request.CartId is { } cartId)
        {
            metadata[CartMetadataKey] = cartId.ToString();
        }

        return metadata;
    }

    private static RequestOptions Idempotent(string key) => new() { IdempotencyKey = key };

    private static (string? Brand, string? Last4) CardOf(PaymentIntent intent)
    {
        if (intent.LatestCharge?.PaymentMethodDetails?.Card is { } charged)
        {
            return (charged.Brand, charged.Last4);
        }

        return intent.PaymentMethod?.Card is { } card ? (card.Brand, card.Last4) : (null, null);
    }

    private static IntentState StateOf(PaymentIntent intent)
    {
        var (brand, last4) = CardOf(intent);
        var error = intent.LastPaymentError;
        return new IntentState(
            intent.Id,
            intent.Status,
            FromStripeAmount(intent.Amount, intent.Currency),
            intent.Currency.ToUpperInvariant(),
            intent.ClientSecret,
            intent.Metadata is { } metadata && metadata.TryGetValue(CartMetadataKey, out var cart) && Guid.TryParse(cart, out var cartId) ? cartId : null,
            error?.DeclineCode ?? error?.Code,
            error?.Message,
            brand,
            last4,
            intent.NextAction?.RedirectToUrl?.Url);
    }

    /// <summary>A card error on confirm is an answer (the intent, declined); a state error is a 409.</summary>
    private static Task<IntentState> CallIntentAsync(Func<Task<PaymentIntent>> call) =>
        CallAsync(
            async () => StateOf(await call()),
            error => error?.PaymentIntent is { } declined
                ? StateOf(declined)
                : throw Errors.Conflict(error?.DeclineCode ?? error?.Code ?? "card_declined", error?.Message ?? "The card was declined."),
            (code, message) => throw Errors.Conflict(code, message));

    /// <summary>
    /// Card errors are declines (a normal answer); everything else from Stripe is a gateway failure.
    /// Messages are our own: Stripe's may quote a (masked) key or request details.
    /// </summary>
    private static Task<GatewayResult> CallAsync(Func<Task<GatewayResult>> call) =>
        CallAsync(
            call,
            error => new GatewayResult(
                false,
                error?.PaymentIntent?.Id,
                error?.DeclineCode ?? error?.Code ?? "card_declined",
                error?.Message ?? "The card was declined."),
            GatewayResult.Declined);

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, Func<StripeError?, T> cardError, Func<string, string, T> stateError)
    {
        try
        {
            return await call();
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error" || e.HttpStatusCode == HttpStatusCode.PaymentRequired)
        {
            return cardError(e.StripeError);
        }
        catch (StripeException e) when (e.StripeError?.Type == "invalid_request_error" && e.StripeError.Code is { } code && StateErrorCodes.Contains(code))
        {
            return stateError(code, e.StripeError.Message ?? "Stripe refused the operation in the payment's current state.");
        }
        catch (StripeException e)
        {
            var what = e.StripeError?.Type ?? "unknown_error";
            var code = e.StripeError?.Code is { } c ? $"/{c}" : "";
            throw new StorekeepException(ErrorKind.BadGateway, "payment_gateway_error",
                $"The payment processor refused the request ({what}{code}, HTTP {(int)e.HttpStatusCode}). Nothing was charged by this attempt; try again later.");
        }
        catch (HttpRequestException)
        {
            throw new StorekeepException(ErrorKind.BadGateway, "payment_gateway_error",
                "The payment processor could not be reached. Retry with the same idempotency key.");
        }
    }
}

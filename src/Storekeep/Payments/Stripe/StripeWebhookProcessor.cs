using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;
using Stripe;

namespace Storekeep.Payments.Stripe;

public sealed record StripeWebhookOutcome(string EventId, string Type, bool Duplicate);

/// <summary>
/// Verifies a Stripe webhook delivery against <c>Payments:Stripe:WebhookSecret</c> and records the
/// event once by its id. Events about a payment we know add an informational note to the order's
/// timeline; money state moves only through our own gateway calls, never from a webhook. An intent
/// that became capturable is handed to the <see cref="IPaymentIntentListener"/>s first (checkout
/// places the order of a shopper who closed the tab after authenticating): if that fails for an
/// unexpected reason the event is not recorded, so Stripe's retry runs it again.
/// </summary>
public sealed partial class StripeWebhookProcessor(
    StorekeepDbContext db,
    IEnumerable<IPaymentIntentListener> intentListeners,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<StripeWebhookProcessor> logger)
{
    /// <summary>How old a signature timestamp may be (Stripe's own default): limits replays of captured deliveries.</summary>
    public const long ToleranceSeconds = 300;

    private static readonly Actor Stripe = new("stripe");

    public async Task<StripeWebhookOutcome> ProcessAsync(string payload, string? signatureHeader, CancellationToken ct)
    {
        var stripeEvent = Verify(payload, signatureHeader);
        if (stripeEvent.Type is EventTypes.PaymentIntentAmountCapturableUpdated or EventTypes.PaymentIntentSucceeded
            && stripeEvent.Data?.Object is PaymentIntent changed)
        {
            foreach (var listener in intentListeners)
            {
                await listener.IntentChangedAsync(changed.Id, ct);
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (await db.StripeWebhookEvents.AnyAsync(e => e.Id == stripeEvent.Id, token))
                {
                    return new StripeWebhookOutcome(stripeEvent.Id, stripeEvent.Type, Duplicate: true);
                }

                db.StripeWebhookEvents.Add(new StripeWebhookEvent { Id = stripeEvent.Id, Type = stripeEvent.Type, ReceivedAt = now });
                await NoteOnOrdersAsync(stripeEvent, now, token);
                return new StripeWebhookOutcome(stripeEvent.Id, stripeEvent.Type, Duplicate: false);
            }, ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            // The same event delivered twice at once: the other delivery recorded it.
            return new StripeWebhookOutcome(stripeEvent.Id, stripeEvent.Type, Duplicate: true);
        }
    }

    private Event Verify(string payload, string? signatureHeader)
    {
        var secret = StripeSettings.From(configuration).WebhookSecret;
        if (secret is null)
        {
            LogWebhookSecretMissing(logger);
            throw InvalidSignature("Stripe webhooks are not configured on this store.");
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            throw InvalidSignature("The Stripe-Signature header is missing.");
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        try
        {
            EventUtility.ValidateSignature(payload, signatureHeader, secret, ToleranceSeconds, now);
        }
        catch (StripeException)
        {
            throw InvalidSignature("The Stripe-Signature header does not match the payload, or is too old.");
        }

        Event parsed;
        try
        {
            // Events carry the API version of the Stripe account, which need not match Stripe.net's.
            parsed = EventUtility.ConstructEvent(payload, signatureHeader, secret, ToleranceSeconds, now, throwOnApiVersionMismatch: false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The signature is valid, so whoever holds the secret sent something that is not an event;
            // the parser's exception types are Stripe.net internals, hence the broad catch.
            throw NotAnEvent();
        }

        // Stripe's ids and types are short and plain; anything else could not be stored (PostgreSQL
        // refuses NUL and over-long text), so it is not an event we record.
        return IsStorable(parsed?.Id, StripeWebhookEvent.MaxIdLength) && IsStorable(parsed?.Type, StripeWebhookEvent.MaxTypeLength)
            ? parsed!
            : throw NotAnEvent();
    }

    private static bool IsStorable(string? text, int maxLength) =>
        !string.IsNullOrEmpty(text) && text.Length <= maxLength && !text.Any(char.IsControl);

    private async Task NoteOnOrdersAsync(Event stripeEvent, DateTime now, CancellationToken ct)
    {
        var (paymentIntentId, message) = stripeEvent.Data?.Object switch
        {
            Charge charge when stripeEvent.Type == EventTypes.ChargeRefunded =>
                (charge.PaymentIntentId, $"Stripe reports charge {charge.Id} refunded: {Amount(charge.AmountRefunded, charge.Currency)} in total."),
            PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentCanceled =>
                (intent.Id, $"Stripe reports payment {intent.Id} canceled{(intent.CancellationReason is { } reason ? $" ({reason})" : "")}."),
            PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentPaymentFailed =>
                (intent.Id, $"Stripe reports payment {intent.Id} failed{(intent.LastPaymentError?.Message is { } why ? $": {why}" : "")}."),
            _ => (null, null),
        };
        if (paymentIntentId is null || message is null)
        {
            return;
        }

        var orderIds = await db.Payments
            .Where(p => p.Gateway == StripePaymentGateway.GatewayName && p.GatewayReference == paymentIntentId)
            .Select(p => p.OrderId)
            .Distinct()
            .ToListAsync(ct);
        foreach (var orderId in orderIds)
        {
            var order = await db.Orders.SingleAsync(o => o.Id == orderId, ct);
            order.Note("stripe_" + stripeEvent.Type.Replace('.', '_'), message, Stripe, now);
        }
    }

    private static string Amount(long minor, string? currency) =>
        currency is null ? minor.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : StripePaymentGateway.FromStripeAmount(minor, currency).ToString(StripePaymentGateway.IsZeroDecimal(currency) ? "0" : "0.00", System.Globalization.CultureInfo.InvariantCulture)
              + " " + currency.ToUpperInvariant();

    private static StorekeepException NotAnEvent() => Errors.BadRequest("invalid_payload", "The webhook payload is not a Stripe event.");

    private static StorekeepException InvalidSignature(string message) => Errors.BadRequest("invalid_signature", message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Stripe webhook arrived but Payments:Stripe:WebhookSecret is not set; it was rejected.")]
    private static partial void LogWebhookSecretMissing(ILogger logger);
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Quotes;

/// <summary><c>POST /sales/quotes/{id}/payment-intent</c>, and the buyer's page: where the order ships (the email is the quote's).</summary>
public sealed record QuotePaymentIntentRequest(AddressRequest? ShippingAddress, string? ShippingMethod);

/// <summary>
/// A quote paid by card through a payment intent (Stripe's Payment Element, 3-D Secure), the way
/// <see cref="PaymentIntentCheckout"/> pays a cart. <see cref="PrepareAsync"/> creates one
/// manual-capture intent for the quote's current version priced for the delivery address (its
/// metadata names the quote and version) and keeps the details in a
/// <see cref="QuotePaymentAttempt"/>; the buyer's browser confirms it; then the buyer's return or
/// the gateway's webhook calls <see cref="CompleteAsync(string, CancellationToken)"/>, which asks
/// the gateway for the intent's real status and accepts the quote through
/// <see cref="QuoteAcceptance.PlaceAsync"/>, the transaction every acceptance uses, with the
/// attempt row claimed in it: one order however many callers race. A quote revised, expired or
/// accepted meanwhile, stock gone, or a total that no longer matches: the authorization is voided.
/// </summary>
public sealed partial class QuoteCardPayment(
    StorekeepDbContext db,
    QuoteAcceptance acceptance,
    IPaymentIntents intents,
    PaymentCapture capture,
    PaymentVoid voids,
    TimeProvider clock,
    ILogger<QuoteCardPayment> logger) : IPaymentIntentListener
{
    /// <summary>Intent metadata: the quote's id and the version its amount prices.</summary>
    public const string QuoteMetadataKey = "storekeep_quote";
    public const string VersionMetadataKey = "storekeep_quote_version";

    private sealed record Details(AddressRequest? ShippingAddress, string? ShippingMethod);

    /// <summary>Creates the intent for the quote's total with this address and shipping, or brings the open one up to date.</summary>
    public async Task<PaymentIntentView> PrepareAsync(Guid quoteId, QuotePaymentIntentRequest request, bool byBuyer, Actor actor, CancellationToken ct)
    {
        var quote = await acceptance.FindAsync(quoteId, ct);
        var input = InputOf(quote, new Details(request.ShippingAddress, request.ShippingMethod));
        var priced = await acceptance.PriceAsync(quote, input, byBuyer, ct);
        var total = priced.Totals.Total;
        var now = clock.GetUtcNow().UtcDateTime;
        var details = StorekeepJson.Serialize(new Details(request.ShippingAddress, request.ShippingMethod));

        await CancelOlderVersionsAsync(quote, ct);

        // An open intent for this very version is reused (its amount follows the address).
        var open = await db.Set<QuotePaymentAttempt>()
            .Where(a => a.QuoteId == quote.Id && a.Version == quote.Version && a.Status == QuotePaymentStatus.Open && a.Gateway == intents.Name)
            .OrderByDescending(a => a.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (open is not null)
        {
            var state = await intents.GetIntentAsync(open.IntentId, ct);
            if (state.Amount != total && IntentStatus.IsUpdatable(state.Status))
            {
                state = await intents.UpdateIntentAmountAsync(open.IntentId, total, quote.Currency,
                    $"quote-attempt:{open.Id}:amount:{MinorUnits.ToMinor(total)}:{Ids.NewId()}", ct);
            }

            if (state.Status != IntentStatus.Canceled)
            {
                // An authorized intent keeps its amount: completion refuses it if the quote no longer costs that.
                await UpdateIfOpenAsync(open.Id, u => u.SetProperty(a => a.Details, details)
                    .SetProperty(a => a.Amount, state.Amount)
                    .SetProperty(a => a.UpdatedAt, now), ct);
                return View(state);
            }
        }

        var attemptId = Ids.NewId();
        var created = await intents.CreateIntentAsync(
            new IntentRequest(total, quote.Currency, $"quote-attempt:{attemptId}:create", null, quote.Email, $"Quote {Quote.Display(quote.Number)} (version {quote.Version})",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [QuoteMetadataKey] = quote.Id.ToString(),
                    [VersionMetadataKey] = quote.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), ct);
        db.Set<QuotePaymentAttempt>().Add(new QuotePaymentAttempt
        {
            Id = attemptId,
            QuoteId = quote.Id,
            Version = quote.Version,
            Gateway = intents.Name,
            IntentId = created.Id,
            Status = QuotePaymentStatus.Open,
            Amount = total,
            Currency = quote.Currency,
            Details = details,
            ByBuyer = byBuyer,
            Actor = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return View(created);
    }

    /// <summary>
    /// Test mode: the server confirms the intent with a test card (the buyer's browser does it with
    /// Stripe.js when live). A card that needs 3-D Secure answers <c>requires_action</c> with the challenge page.
    /// </summary>
    public async Task<IntentState> ConfirmAsync(string intentId, string token, string returnUrl, CancellationToken ct)
    {
        var attempt = await FindAsync(intentId, ct);
        return await intents.ConfirmIntentAsync(intentId, token, returnUrl, $"quote-attempt:{attempt.Id}:confirm:{token}:{Ids.NewId()}", ct);
    }

    /// <summary>
    /// Accepts the quote if the gateway says the intent is authorized; safe to call any number of
    /// times, from any node, in any order (buyer's return, webhook, API).
    /// </summary>
    public async Task<IntentCheckoutResult> CompleteAsync(string intentId, CancellationToken ct)
    {
        var attempt = await FindAsync(intentId, ct);
        return attempt.Status != QuotePaymentStatus.Open
            ? await SettledAsync(attempt, ct)
            : await CompleteAsync(attempt, await intents.GetIntentAsync(intentId, ct), ct);
    }

    /// <summary>
    /// The API's acceptance by intent: the intent must be this quote's. Placed → the acceptance;
    /// not authorized → 402; failed (the authorization was voided) → 409 with why.
    /// </summary>
    public async Task<SalesQuoteAcceptance> AcceptAsync(Guid quoteId, string intentId, CancellationToken ct)
    {
        var attempt = await FindAsync(intentId, ct);
        if (attempt.QuoteId != quoteId)
        {
            throw Errors.Unprocessable("payment_intent_mismatch", "This payment intent was created for another quote.");
        }

        var result = await CompleteAsync(intentId, ct);
        return result.Outcome switch
        {
            IntentCheckoutOutcome.Placed => await acceptance.AcceptedAsync(quoteId, result.Order!, ct),
            IntentCheckoutOutcome.NotAuthorized => throw new StorekeepException(ErrorKind.PaymentRequired, result.Code ?? "payment_intent_not_authorized", result.Message ?? "The payment is not authorized.")
            {
                Extensions = new Dictionary<string, object?> { ["paymentIntentId"] = attempt.IntentId },
            },
            _ => throw Errors.Conflict(result.Code ?? "quote_changed", result.Message ?? "The quote could not be accepted; the payment was voided."),
        };
    }

    /// <summary>
    /// The buyer's browser back from the payment, on the page of the quote behind
    /// <paramref name="quoteId"/>: only the browser that confirmed the intent holds its client
    /// secret. Null when the secret does not match or the intent is another quote's.
    /// </summary>
    public async Task<IntentCheckoutResult?> CompleteForBuyerAsync(Guid quoteId, string intentId, string? clientSecret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(clientSecret))
        {
            return null;
        }

        var attempt = await FindAsync(intentId, ct);
        if (attempt.QuoteId != quoteId)
        {
            return null;
        }

        var state = await intents.GetIntentAsync(intentId, ct);
        if (state.ClientSecret is not { } known || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(known), System.Text.Encoding.UTF8.GetBytes(clientSecret)))
        {
            return null;
        }

        return attempt.Status != QuotePaymentStatus.Open ? await SettledAsync(attempt, ct) : await CompleteAsync(attempt, state, ct);
    }

    /// <summary>A webhook said the intent changed: accept its quote if it is one of ours. Business outcomes are recorded, not thrown.</summary>
    public async Task IntentChangedAsync(string intentId, CancellationToken ct)
    {
        if (!await db.Set<QuotePaymentAttempt>().AnyAsync(a => a.Gateway == intents.Name && a.IntentId == intentId, ct))
        {
            return;
        }

        var result = await CompleteAsync(intentId, ct);
        LogCompletedByWebhook(logger, intentId, result.Outcome, result.Code);
    }

    private async Task<IntentCheckoutResult> CompleteAsync(QuotePaymentAttempt attempt, IntentState state, CancellationToken ct)
    {
        if (state.CartId is not null)
        {
            // A cart's intent: never a quote's payment (the row could only say so if tampered with).
            return await FailAsync(attempt, state, "payment_intent_mismatch", "This payment was created for a cart, not this quote.", ct);
        }

        if (!state.Authorized)
        {
            return state.Status switch
            {
                IntentStatus.Canceled => await FailAsync(attempt, null, "payment_canceled", "The payment was canceled; nothing was charged.", ct),
                IntentStatus.RequiresPaymentMethod when state.DeclineCode is not null =>
                    new(IntentCheckoutOutcome.NotAuthorized, null, "payment_declined", $"{state.Message ?? "The card was declined."} Nothing was charged; try another card."),
                _ => new(IntentCheckoutOutcome.NotAuthorized, null, "payment_intent_not_authorized", $"The payment is not authorized yet (status {state.Status})."),
            };
        }

        if (state.Amount != attempt.Amount || !string.Equals(state.Currency, attempt.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return await FailAsync(attempt, state, "payment_amount_mismatch",
                $"The payment authorized {state.Amount:0.00} {state.Currency.ToUpperInvariant()} but the quote costs {attempt.Amount:0.00} {attempt.Currency}; it was voided, nothing was charged.", ct);
        }

        var authorization = new GatewayResult(true, state.Id, CardBrand: state.CardBrand, Last4: state.Last4);
        Order order;
        Payment payment;
        try
        {
            var quote = await acceptance.FindAsync(attempt.QuoteId, ct);
            if (quote.Version != attempt.Version && quote.Status is QuoteStatus.Draft or QuoteStatus.Sent)
            {
                throw Errors.Conflict("quote_changed",
                    $"Quote {Quote.Display(quote.Number)} was revised (now version {quote.Version}) after this payment was made for version {attempt.Version}; the payment was voided, nothing was charged. Review the new version and pay again.");
            }

            // Priced again as the order will be: an edit to shipping or tax rates meanwhile is a mismatch.
            var priced = await acceptance.PriceAsync(quote, InputOf(quote, JsonSerializer.Deserialize<Details>(attempt.Details, StorekeepJson.Options)!), attempt.ByBuyer, ct);
            if (priced.Totals.Total != state.Amount)
            {
                throw Errors.Conflict("payment_amount_mismatch",
                    $"The quote now costs {priced.Totals.Total:0.00} {quote.Currency}, not the {state.Amount:0.00} authorized; the payment was voided, nothing was charged. Review the quote and pay again.");
            }

            (order, payment) = await db.InTransactionAsync(async token =>
            {
                // First: a second completer of this attempt waits here for the first to commit, then stops.
                var now = clock.GetUtcNow().UtcDateTime;
                var claimed = await UpdateIfOpenAsync(attempt.Id, u => u.SetProperty(a => a.Status, QuotePaymentStatus.Completed).SetProperty(a => a.UpdatedAt, now), token);
                if (claimed == 0)
                {
                    throw new AttemptSettledException();
                }

                var placed = await acceptance.PlaceAsync(priced, authorization, new Actor(attempt.Actor), token);
                await db.Set<QuotePaymentAttempt>().Where(a => a.Id == attempt.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.OrderId, placed.Order.Id), token);
                return placed;
            }, ct);
        }
        catch (AttemptSettledException)
        {
            db.ChangeTracker.Clear();
            return await SettledAsync(await FindAsync(attempt.IntentId, ct), ct);
        }
        catch (StorekeepException e) when (e.Kind is not ErrorKind.BadGateway)
        {
            // The quote was revised, expired or accepted another way, or stock ran out while the
            // buyer authenticated: the money must not stay held.
            db.ChangeTracker.Clear();
            return await FailAsync(attempt, state, e.Code, e.Message, ct);
        }

        var paid = await capture.CaptureAfterCheckoutAsync(order, payment, ct);
        return new(IntentCheckoutOutcome.Placed, paid, null, null);
    }

    /// <summary>
    /// Intents made for an older version can never place an order (completion refuses them), so they
    /// are marked failed and cancelled at the gateway once the buyer pays the current version: else a
    /// page left open on the old version could still authorize a hold that lingers until Stripe drops it.
    /// </summary>
    private async Task CancelOlderVersionsAsync(Quote quote, CancellationToken ct)
    {
        var stale = await db.Set<QuotePaymentAttempt>().AsNoTracking()
            .Where(a => a.QuoteId == quote.Id && a.Version < quote.Version && a.Status == QuotePaymentStatus.Open && a.Gateway == intents.Name)
            .ToListAsync(ct);
        foreach (var attempt in stale)
        {
            var message = $"Quote {Quote.Display(quote.Number)} was revised (now version {quote.Version}) before this payment for version {attempt.Version} was made; it was cancelled, nothing was charged.";
            var result = await FailAsync(attempt, null, "quote_changed", message, ct);
            if (result.Outcome == IntentCheckoutOutcome.Failed)
            {
                // The same key as FailAsync's void: if another caller voided it already, the gateway answers that.
                await voids.VoidUnrecordedQuietlyAsync(attempt.IntentId, $"quote-attempt:{attempt.Id}:void", new StorekeepException(ErrorKind.Conflict, "quote_changed", message));
            }
        }
    }

    private static ValidCheckout InputOf(Quote quote, Details details) =>
        ValidCheckout.ForIntent(new PaymentIntentRequest(quote.Email, details.ShippingAddress, details.ShippingMethod));

    /// <summary>Changes an attempt only while it is open: once settled, its record is history.</summary>
    private Task<int> UpdateIfOpenAsync(Guid attemptId, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<QuotePaymentAttempt>> set, CancellationToken ct) =>
        db.Set<QuotePaymentAttempt>().Where(a => a.Id == attemptId && a.Status == QuotePaymentStatus.Open).ExecuteUpdateAsync(set, ct);

    private async Task<QuotePaymentAttempt> FindAsync(string intentId, CancellationToken ct) =>
        await db.Set<QuotePaymentAttempt>().AsNoTracking().FirstOrDefaultAsync(a => a.Gateway == intents.Name && a.IntentId == intentId, ct)
            ?? throw Errors.NotFound("PaymentIntent", intentId);

    /// <summary>The answer for an attempt already out of <c>open</c>, as checkout's (a placed order not captured yet is captured once).</summary>
    private Task<IntentCheckoutResult> SettledAsync(QuotePaymentAttempt attempt, CancellationToken ct) =>
        PaymentIntentCheckout.SettledAsync(db, capture, attempt.Status == QuotePaymentStatus.Failed ? null : attempt.OrderId, attempt.IntentId, attempt.FailureCode, attempt.FailureMessage, ct);

    /// <summary>
    /// Records why no order was placed, then voids what the intent holds. Marking comes first and is
    /// guarded: if another caller placed the order meanwhile, nothing is voided and its order is the answer.
    /// </summary>
    private async Task<IntentCheckoutResult> FailAsync(QuotePaymentAttempt attempt, IntentState? state, string code, string message, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var marked = await UpdateIfOpenAsync(attempt.Id, u => u.SetProperty(a => a.Status, QuotePaymentStatus.Failed)
            .SetProperty(a => a.FailureCode, code.Length > 64 ? code[..64] : code)
            .SetProperty(a => a.FailureMessage, message.Length > 500 ? message[..500] : message)
            .SetProperty(a => a.UpdatedAt, now), ct);
        if (marked == 0)
        {
            return await SettledAsync(await FindAsync(attempt.IntentId, ct), ct);
        }

        if (state is { Authorized: true })
        {
            await voids.VoidUnrecordedQuietlyAsync(state.Id, $"quote-attempt:{attempt.Id}:void", new StorekeepException(ErrorKind.Conflict, code, message));
        }

        return new(IntentCheckoutOutcome.Failed, null, code, message);
    }

    private static PaymentIntentView View(IntentState state) =>
        new(state.Id, state.ClientSecret ?? throw new InvalidOperationException($"The gateway gave no client secret for {state.Id}."), state.Amount, state.Currency.ToUpperInvariant());

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for payment intent {IntentId}: quote acceptance {Outcome} ({Code}).")]
    private static partial void LogCompletedByWebhook(ILogger logger, string intentId, IntentCheckoutOutcome outcome, string? code);

    /// <summary>Another caller completed or failed the attempt first.</summary>
    private sealed class AttemptSettledException : Exception;
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Checkout;

/// <summary>What the shopper's browser needs to confirm the payment (Stripe.js takes the client secret).</summary>
public sealed record PaymentIntentView(string PaymentIntentId, string ClientSecret, decimal Amount, string Currency);

/// <summary>Where a checkout by payment intent stands after an attempt to complete it.</summary>
public enum IntentCheckoutOutcome
{
    /// <summary>The order is placed (now, or earlier by the browser's return or the webhook).</summary>
    Placed,

    /// <summary>The payment is not authorized yet (the shopper is authenticating) or was declined: the shopper may try again.</summary>
    NotAuthorized,

    /// <summary>The payment was authorized but no order could be placed: the authorization was voided.</summary>
    Failed,
}

/// <param name="Order">The order, when <see cref="Outcome"/> is <see cref="IntentCheckoutOutcome.Placed"/>.</param>
/// <param name="Code">Why not, otherwise (<c>payment_declined</c>, <c>insufficient_stock</c>, …).</param>
public sealed record IntentCheckoutResult(IntentCheckoutOutcome Outcome, Order? Order, string? Code, string? Message, bool Replayed = false);

/// <summary>
/// Card checkout through a payment intent, for browsers that confirm the payment themselves
/// (Stripe's Payment Element: 3-D Secure, wallets, redirect methods). <see cref="PrepareAsync"/>
/// creates one intent per cart checkout for the server's quote (manual capture) and keeps the
/// checkout details; the browser confirms it; then whichever comes first, the shopper's return
/// or the gateway's webhook, calls <see cref="CompleteAsync"/>, which asks the gateway what the
/// intent's status really is and places the order exactly once. The attempt row is claimed in the
/// order's own transaction, so a second caller waits for the first and answers with its order.
/// Stock is reserved only then: if it ran out while the shopper was authenticating, the
/// authorization is voided and nothing is held.
/// </summary>
public sealed partial class PaymentIntentCheckout(
    StorekeepDbContext db,
    CheckoutService checkout,
    IPaymentIntents intents,
    PaymentCapture capture,
    PaymentVoid voids,
    TimeProvider clock,
    ILogger<PaymentIntentCheckout> logger) : IPaymentIntentListener
{
    public const string NotAuthorizedCode = "payment_intent_not_authorized";
    public const string CanceledCode = "payment_canceled";
    public const string AmountMismatchCode = "payment_amount_mismatch";
    public const string IntentMismatchCode = "payment_intent_mismatch";

    /// <summary>Creates the cart's intent for its current total, or brings the open one up to date.</summary>
    public async Task<PaymentIntentView> PrepareAsync(Guid cartId, PaymentIntentRequest request, CheckoutOrigin origin, CancellationToken ct)
    {
        var input = ValidCheckout.ForIntent(request);
        var priced = await checkout.PriceCartAsync(cartId, input, origin.AccountId, ct);
        var (cart, _, totals, _, _) = priced;
        var now = clock.GetUtcNow().UtcDateTime;
        var details = StorekeepJson.Serialize(request);
        var open = await db.CheckoutAttempts
            .Where(a => a.CartId == cartId && a.Status == CheckoutAttemptStatus.Open && a.Gateway == intents.Name)
            .OrderByDescending(a => a.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (open is not null)
        {
            var state = await intents.GetIntentAsync(open.IntentId, ct);
            if (state.Amount != totals.Total && IntentStatus.IsUpdatable(state.Status))
            {
                // A fresh key per update: setting an amount is idempotent anyway, and a key made of the
                // amount alone would make the gateway replay an earlier answer without updating when
                // the cart goes back to a total it had before (2 → 3 → 2 → 3 items).
                state = await intents.UpdateIntentAmountAsync(open.IntentId, totals.Total, cart.Currency,
                    $"attempt:{open.Id}:amount:{MinorUnits.ToMinor(totals.Total)}:{Ids.NewId()}", ct);
            }

            if (state.Status != IntentStatus.Canceled)
            {
                // The details and amount completion will check: an authorized intent keeps its
                // amount, and completion refuses it if the cart no longer costs that.
                await UpdateIfOpenAsync(open.Id, u => u.SetProperty(a => a.Details, details)
                    .SetProperty(a => a.Amount, state.Amount)
                    .SetProperty(a => a.ClientAddress, origin.ClientAddress)
                    .SetProperty(a => a.AccountId, origin.AccountId)
                    .SetProperty(a => a.UpdatedAt, now), ct);
                return View(state);
            }
        }

        var attemptId = Ids.NewId();
        var created = await intents.CreateIntentAsync(
            new IntentRequest(totals.Total, cart.Currency, $"attempt:{attemptId}:create", cartId, input.Email, $"Cart {cartId}"), ct);
        db.CheckoutAttempts.Add(new CheckoutAttempt
        {
            Id = attemptId,
            CartId = cartId,
            Gateway = intents.Name,
            IntentId = created.Id,
            Status = CheckoutAttemptStatus.Open,
            Amount = totals.Total,
            Currency = cart.Currency,
            Details = details,
            ClientAddress = origin.ClientAddress,
            AccountId = origin.AccountId,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return View(created);
    }

    /// <summary>
    /// Test mode: the store's own form confirms the intent with a test card. A card that needs
    /// 3-D Secure answers <c>requires_action</c>, with the challenge page to send the shopper to.
    /// </summary>
    public async Task<IntentState> ConfirmAsync(string intentId, string token, string returnUrl, CancellationToken ct)
    {
        var attempt = await FindAsync(intentId, ct);
        return await intents.ConfirmIntentAsync(intentId, token, returnUrl, $"attempt:{attempt.Id}:confirm:{token}:{Ids.NewId()}", ct);
    }

    /// <summary>
    /// The API's <c>POST /carts/{id}/checkout</c> with <c>payment.paymentIntentId</c>: the
    /// checkout details sent now replace the ones given with the intent, then the order is placed
    /// if the intent is authorized for what the cart costs with them.
    /// </summary>
    public async Task<Order> CheckoutAsync(Guid cartId, CheckoutRequest request, CancellationToken ct)
    {
        var input = ValidCheckout.From(request);
        var attempt = await FindAsync(input.PaymentIntentId!, ct);
        if (attempt.CartId != cartId)
        {
            throw Errors.Unprocessable(IntentMismatchCode, "This payment intent was created for another cart.");
        }

        // Consent ticked and the phone given when the intent was prepared stay unless this request answers again.
        var prepared = JsonSerializer.Deserialize<PaymentIntentRequest>(attempt.Details, StorekeepJson.Options);
        var consent = request.MarketingConsent ?? prepared?.MarketingConsent;
        var phone = string.IsNullOrWhiteSpace(request.Phone) ? prepared?.Phone : request.Phone;
        var details = StorekeepJson.Serialize(new PaymentIntentRequest(request.Email, request.ShippingAddress, request.ShippingMethod) { MarketingConsent = consent, Phone = phone });
        await UpdateIfOpenAsync(attempt.Id, u => u.SetProperty(a => a.Details, details), ct);
        var result = await CompleteAsync(attempt.IntentId, ct);
        return result.Outcome switch
        {
            IntentCheckoutOutcome.Placed => result.Order!,
            IntentCheckoutOutcome.NotAuthorized => throw new StorekeepException(ErrorKind.PaymentRequired, result.Code ?? NotAuthorizedCode, result.Message ?? "The payment is not authorized.")
            {
                Extensions = new Dictionary<string, object?> { ["paymentIntentId"] = attempt.IntentId },
            },
            _ => throw Errors.Conflict(result.Code ?? "checkout_failed", result.Message ?? "The order could not be placed; the payment was voided."),
        };
    }

    /// <summary>
    /// Places the order if the gateway says the intent is authorized; safe to call any number of
    /// times, from any node, in any order (browser return, webhook, API).
    /// </summary>
    public async Task<IntentCheckoutResult> CompleteAsync(string intentId, CancellationToken ct)
    {
        var attempt = await FindAsync(intentId, ct);
        return attempt.Status != CheckoutAttemptStatus.Open
            ? await SettledAsync(attempt, ct)
            : await CompleteAsync(attempt, await intents.GetIntentAsync(intentId, ct), ct);
    }

    /// <summary>
    /// The shopper's browser coming back from the payment: only the one that confirmed the intent
    /// holds its client secret, and it alone may complete it and see the order. Null when the
    /// secret does not match. One read of the intent answers both questions.
    /// </summary>
    public async Task<IntentCheckoutResult?> CompleteForShopperAsync(string intentId, string? clientSecret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(clientSecret))
        {
            return null;
        }

        var attempt = await FindAsync(intentId, ct);
        var state = await intents.GetIntentAsync(intentId, ct);
        if (state.ClientSecret is not { } known || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(known), System.Text.Encoding.UTF8.GetBytes(clientSecret)))
        {
            return null;
        }

        return attempt.Status != CheckoutAttemptStatus.Open ? await SettledAsync(attempt, ct) : await CompleteAsync(attempt, state, ct);
    }

    private async Task<IntentCheckoutResult> CompleteAsync(CheckoutAttempt attempt, IntentState state, CancellationToken ct)
    {
        var intentId = attempt.IntentId;
        if (state.CartId is { } cartId && cartId != attempt.CartId)
        {
            // Metadata written when we created it: this cannot differ unless the row was tampered with.
            return await FailAsync(attempt, state, IntentMismatchCode, "This payment was created for another cart.", ct);
        }

        if (!state.Authorized)
        {
            return state.Status switch
            {
                IntentStatus.Canceled => await FailAsync(attempt, null, CanceledCode, "The payment was canceled; nothing was charged.", ct),
                IntentStatus.RequiresPaymentMethod when state.DeclineCode is not null =>
                    new(IntentCheckoutOutcome.NotAuthorized, null, "payment_declined", $"{state.Message ?? "The card was declined."} Nothing was charged; try another card."),
                _ => new(IntentCheckoutOutcome.NotAuthorized, null, NotAuthorizedCode, $"The payment is not authorized yet (status {state.Status})."),
            };
        }

        if (state.Amount != attempt.Amount || !string.Equals(state.Currency, attempt.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return await FailAsync(attempt, state, AmountMismatchCode,
                $"The payment authorized {state.Amount:0.00} {state.Currency.ToUpperInvariant()} but the order costs {attempt.Amount:0.00} {attempt.Currency}; it was voided, nothing was charged.", ct);
        }

        var input = ValidCheckout.ForIntent(JsonSerializer.Deserialize<PaymentIntentRequest>(attempt.Details, StorekeepJson.Options)!);
        var origin = new CheckoutOrigin(attempt.ClientAddress, Trusted: false) { AccountId = attempt.AccountId };
        var authorization = new GatewayResult(true, state.Id, CardBrand: state.CardBrand, Last4: state.Last4);
        Order order;
        Payment payment;
        try
        {
            // Priced for the account the intent was prepared for, as its amount was.
            var priced = await checkout.PriceCartAsync(attempt.CartId, input, attempt.AccountId, ct);
            if (priced.Totals.Total != state.Amount)
            {
                throw Errors.Conflict(AmountMismatchCode,
                    $"The cart now costs {priced.Totals.Total:0.00} {priced.Cart.Currency}, not the {state.Amount:0.00} authorized; the payment was voided, nothing was charged. Review the cart and pay again.");
            }

            (order, payment) = await db.InTransactionAsync(async token =>
            {
                // First: a second completer of this attempt waits here for the first to commit, then stops.
                var now = clock.GetUtcNow().UtcDateTime;
                var claimed = await UpdateIfOpenAsync(attempt.Id, u => u.SetProperty(a => a.Status, CheckoutAttemptStatus.Completed).SetProperty(a => a.UpdatedAt, now), token);
                if (claimed == 0)
                {
                    throw new AttemptSettledException();
                }

                var placed = await checkout.PlaceOrderAsync(priced, input, authorization, Actor.Customer, origin, token);
                await db.CheckoutAttempts.Where(a => a.Id == attempt.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.OrderId, placed.Item1.Id), token);
                return placed;
            }, ct);
        }
        catch (AttemptSettledException)
        {
            db.ChangeTracker.Clear();
            return await SettledAsync(await FindAsync(intentId, ct), ct);
        }
        catch (StorekeepException e) when (e.Kind is not ErrorKind.BadGateway)
        {
            // Stock ran out while the shopper authenticated, the cart changed or was checked out
            // another way: the money must not stay held.
            db.ChangeTracker.Clear();
            return await FailAsync(attempt, state, e.Code, e.Message, ct);
        }

        var paid = await capture.CaptureAfterCheckoutAsync(order, payment, ct);
        return new(IntentCheckoutOutcome.Placed, paid, null, null);
    }

    /// <summary>A webhook said the intent changed: complete its checkout if it is ours. Business outcomes are recorded, not thrown.</summary>
    public async Task IntentChangedAsync(string intentId, CancellationToken ct)
    {
        if (!await db.CheckoutAttempts.AnyAsync(a => a.Gateway == intents.Name && a.IntentId == intentId, ct))
        {
            return;
        }

        var result = await CompleteAsync(intentId, ct);
        LogCompletedByWebhook(logger, intentId, result.Outcome, result.Code);
    }

    /// <summary>Changes an attempt only while it is open: once settled, its record is history.</summary>
    private Task<int> UpdateIfOpenAsync(Guid attemptId, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<CheckoutAttempt>> set, CancellationToken ct) =>
        db.CheckoutAttempts.Where(a => a.Id == attemptId && a.Status == CheckoutAttemptStatus.Open).ExecuteUpdateAsync(set, ct);

    private async Task<CheckoutAttempt> FindAsync(string intentId, CancellationToken ct) =>
        await db.CheckoutAttempts.AsNoTracking().FirstOrDefaultAsync(a => a.Gateway == intents.Name && a.IntentId == intentId, ct)
            ?? throw Errors.NotFound("PaymentIntent", intentId);

    private Task<IntentCheckoutResult> SettledAsync(CheckoutAttempt attempt, CancellationToken ct) =>
        SettledAsync(db, capture, attempt.Status == CheckoutAttemptStatus.Failed ? null : attempt.OrderId, attempt.IntentId, attempt.FailureCode, attempt.FailureMessage, ct);

    /// <summary>
    /// The answer for an intent attempt (a cart's or a quote's) already out of <c>open</c>: its
    /// order, or why there is none. A placed order whose capture did not happen yet is captured
    /// (once: the capture claims the payment).
    /// </summary>
    internal static async Task<IntentCheckoutResult> SettledAsync(
        StorekeepDbContext db, PaymentCapture capture, Guid? placedOrderId, string intentId, string? failureCode, string? failureMessage, CancellationToken ct)
    {
        if (placedOrderId is not { } orderId)
        {
            return new(IntentCheckoutOutcome.Failed, null, failureCode, failureMessage, Replayed: true);
        }

        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, ct);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId && p.GatewayReference == intentId, ct);
        if (payment is { Status: PaymentRecordStatus.Authorized })
        {
            order = await capture.CaptureAfterCheckoutAsync(order, payment, ct);
        }

        return new(IntentCheckoutOutcome.Placed, order, null, null, Replayed: true);
    }

    /// <summary>
    /// Records why no order was placed, then voids what the intent holds. Marking comes first and is
    /// guarded: if another caller placed the order meanwhile, nothing is voided and its order is the answer.
    /// </summary>
    private async Task<IntentCheckoutResult> FailAsync(CheckoutAttempt attempt, IntentState? state, string code, string message, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var marked = await UpdateIfOpenAsync(attempt.Id, u => u.SetProperty(a => a.Status, CheckoutAttemptStatus.Failed)
            .SetProperty(a => a.FailureCode, code)
            .SetProperty(a => a.FailureMessage, message.Length > 500 ? message[..500] : message)
            .SetProperty(a => a.UpdatedAt, now), ct);
        if (marked == 0)
        {
            return await SettledAsync(await FindAsync(attempt.IntentId, ct), ct);
        }

        if (state is { Authorized: true })
        {
            await voids.VoidUnrecordedQuietlyAsync(state.Id, $"attempt:{attempt.Id}:void", new StorekeepException(ErrorKind.Conflict, code, message));
        }

        return new(IntentCheckoutOutcome.Failed, null, code, message);
    }

    private static PaymentIntentView View(IntentState state) =>
        new(state.Id, state.ClientSecret ?? throw new InvalidOperationException($"The gateway gave no client secret for {state.Id}."), state.Amount, state.Currency.ToUpperInvariant());

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for payment intent {IntentId}: checkout {Outcome} ({Code}).")]
    private static partial void LogCompletedByWebhook(ILogger logger, string intentId, IntentCheckoutOutcome outcome, string? code);

    /// <summary>Another caller completed or failed the attempt first.</summary>
    private sealed class AttemptSettledException : Exception;
}

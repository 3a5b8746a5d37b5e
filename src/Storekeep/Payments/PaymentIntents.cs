namespace Storekeep.Payments;

/// <summary>The PaymentIntent statuses checkout acts on (Stripe's names; the test gateway uses the same).</summary>
public static class IntentStatus
{
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string RequiresConfirmation = "requires_confirmation";
    public const string RequiresAction = "requires_action";
    public const string Processing = "processing";
    public const string RequiresCapture = "requires_capture";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";

    /// <summary>The amount may still change: nothing is authorized yet.</summary>
    public static bool IsUpdatable(string status) => status is RequiresPaymentMethod or RequiresConfirmation or RequiresAction;
}

/// <param name="CartId">Written into the intent's metadata, so an intent is only ever used for its own cart (null: not a cart's, e.g. a quote's).</param>
/// <param name="Metadata">More metadata for the intent (a quote's id and version), shown in the gateway's dashboard.</param>
public sealed record IntentRequest(decimal Amount, string Currency, string IdempotencyKey, Guid? CartId, string? Email, string? Description, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>
/// A payment intent as the gateway reports it. <see cref="RedirectUrl"/> is where the shopper
/// authenticates (3-D Secure) when <see cref="Status"/> is <c>requires_action</c>.
/// </summary>
public sealed record IntentState(
    string Id,
    string Status,
    decimal Amount,
    string Currency,
    string? ClientSecret,
    Guid? CartId,
    string? DeclineCode = null,
    string? Message = null,
    string? CardBrand = null,
    string? Last4 = null,
    string? RedirectUrl = null)
{
    /// <summary>The money is held for us (manual capture): the order may be placed.</summary>
    public bool Authorized => Status is IntentStatus.RequiresCapture or IntentStatus.Succeeded;
}

/// <summary>
/// Payment intents, for checkouts where the shopper's browser confirms the payment (Stripe's
/// Payment Element, 3-D Secure, wallets): one intent per checkout attempt, created with manual
/// capture for the server's quote. Capture, void and refund of an intent go through
/// <see cref="IPaymentGateway"/> with the intent id as the reference.
/// </summary>
public interface IPaymentIntents
{
    string Name { get; }

    Task<IntentState> CreateIntentAsync(IntentRequest request, CancellationToken ct);

    /// <summary>Changes the amount of an intent not yet authorized (the cart changed).</summary>
    Task<IntentState> UpdateIntentAmountAsync(string intentId, decimal amount, string currency, string idempotencyKey, CancellationToken ct);

    Task<IntentState> GetIntentAsync(string intentId, CancellationToken ct);

    /// <summary>
    /// Confirms with a payment method from the server (the test store's own form). A card that needs
    /// authentication answers <c>requires_action</c> with where to send the shopper; afterwards the
    /// shopper comes back to <paramref name="returnUrl"/>.
    /// </summary>
    Task<IntentState> ConfirmIntentAsync(string intentId, string paymentMethod, string returnUrl, string idempotencyKey, CancellationToken ct);
}

/// <summary>
/// Told when a gateway reports (by webhook) that an intent may have changed: checkout completes the
/// order of a shopper who authenticated and then closed the tab.
/// </summary>
public interface IPaymentIntentListener
{
    Task IntentChangedAsync(string intentId, CancellationToken ct);
}

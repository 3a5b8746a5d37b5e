using Storekeep.Shared;

namespace Storekeep.Checkout;

public enum CartStatus
{
    Active,
    CheckedOut,
}

public sealed class Cart
{
    /// <summary>Whoever holds the id holds the cart (it is public), so it is random, not sequential.</summary>
    public Guid Id { get; init; } = Ids.NewUnguessableId();
    public CartStatus Status { get; set; }
    public required string Currency { get; init; }
    public string? Email { get; set; }

    /// <summary>Bumped on every change; checkout converts exactly the version it priced.</summary>
    public int Version { get; set; }

    public Guid? OrderId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>
    /// Set once a discount code or redeemed points were put on the cart, and never cleared. Pricing
    /// reads the cart's codes and points only then: most carts have neither, and every cart view and
    /// checkout would otherwise spend two queries finding that out.
    /// </summary>
    public bool PriceAdjusted { get; set; }

    public List<CartItem> Items { get; init; } = [];
}

public sealed class CartItem
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid CartId { get; set; }
    public required string Sku { get; set; }
    public Guid VariantId { get; set; }
    public int Quantity { get; set; }
    public DateTime AddedAt { get; init; }
}

public enum CheckoutAttemptStatus
{
    /// <summary>Waiting for the shopper (or the gateway's webhook) to confirm the payment.</summary>
    Open,

    /// <summary>The order is placed (<see cref="CheckoutAttempt.OrderId"/>).</summary>
    Completed,

    /// <summary>The payment was authorized but no order could be placed (stock ran out, the cart changed): the authorization was voided.</summary>
    Failed,
}

/// <summary>
/// One card checkout paid through a payment intent (see <see cref="PaymentIntentCheckout"/>): the
/// intent, the amount it was created for, and the shopper's checkout details, so that whichever
/// comes first, the shopper's return from their bank or the gateway's webhook, can place the
/// order. Exactly one of them moves it out of <c>open</c>.
/// </summary>
public sealed class CheckoutAttempt
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid CartId { get; init; }
    public required string Gateway { get; init; }
    public required string IntentId { get; init; }
    public CheckoutAttemptStatus Status { get; set; }

    /// <summary>What the intent is for: the cart's total when the intent was created or last updated.</summary>
    public decimal Amount { get; set; }
    public required string Currency { get; init; }

    /// <summary>The checkout details (email, address, shipping method) as JSON, without any payment data.</summary>
    public required string Details { get; set; }
    public string ClientAddress { get; set; } = "";
    public Guid? AccountId { get; set; }
    public Guid? OrderId { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

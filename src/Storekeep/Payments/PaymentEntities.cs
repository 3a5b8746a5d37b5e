using Storekeep.Shared;

namespace Storekeep.Payments;

public enum PaymentMethod
{
    Card,
    BankTransfer,
    CashOnDelivery,

    /// <summary>On the buyer's company's payment terms: paid later against its invoice (see Invoices), never swept as unpaid.</summary>
    Terms,
}

public enum PaymentRecordStatus
{
    Pending,
    Authorized,

    /// <summary>A capture is at the gateway; cancelling the order waits for its answer (see PaymentCapture).</summary>
    Capturing,
    Captured,
    PartiallyRefunded,
    Refunded,
    Voided,
}

/// <summary>
/// One payment of an order. Holds only what a gateway returns about a card (brand, last four
/// digits, the gateway's reference); never a card number.
/// </summary>
public sealed class Payment
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public PaymentMethod Method { get; init; }
    public PaymentRecordStatus Status { get; set; }
    public required string Gateway { get; init; }
    public string? GatewayReference { get; set; }
    public decimal Amount { get; init; }
    public decimal CapturedAmount { get; set; }
    public decimal RefundedAmount { get; set; }
    public required string Currency { get; init; }
    public string? CardBrand { get; init; }
    public string? Last4 { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

public enum RefundStatus
{
    Pending,
    Succeeded,
    Failed,
}

public sealed class Refund
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public Guid PaymentId { get; init; }
    public decimal Amount { get; init; }
    public string? Reason { get; init; }
    public RefundStatus Status { get; set; }
    public string? GatewayReference { get; set; }
    public string? FailureMessage { get; set; }
    public required string Actor { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// The units of one order line a line refund gave back, and what they came to: their share of the
/// line's stored amount after discounts, and of its tax (docs/promotions.md, "Refunds").
/// </summary>
public sealed class RefundLine
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid RefundId { get; init; }
    public Guid OrderLineId { get; init; }
    public required string Sku { get; init; }
    public int Quantity { get; init; }

    /// <summary>The units' share of the line after discounts, without tax.</summary>
    public decimal NetAmount { get; init; }
    public decimal TaxAmount { get; init; }
}

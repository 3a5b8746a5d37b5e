using Storekeep.Payments;

namespace Storekeep.Orders;

/// <summary>An order line; <see cref="LineTotal"/> is after the line's discounts (<see cref="DiscountTotal"/>), as tax and refunds use it.</summary>
public sealed record OrderLineView(
    string Sku,
    string Title,
    int Quantity,
    decimal UnitPrice,
    decimal LineTotal,
    decimal TaxAmount,
    int FulfilledQuantity,
    int ReturnedQuantity)
{
    public decimal DiscountTotal { get; init; }

    /// <summary>Units given back by line refunds (pending or done).</summary>
    public int RefundedQuantity { get; init; }

    /// <summary>Each discount's share of <see cref="DiscountTotal"/> (loyalty points are in the total, not here).</summary>
    public IReadOnlyList<OrderLineDiscount> DiscountAllocations { get; init; } = [];
}

public sealed record TimelineEntryView(string Kind, string Message, string Actor, DateTime At);

public sealed record OrderView(
    Guid Id,
    long Number,
    OrderStatus Status,
    PaymentStatus PaymentStatus,
    FulfillmentStatus FulfillmentStatus,
    string Email,
    string Currency,
    decimal Subtotal,
    decimal ShippingTotal,
    decimal TaxTotal,
    decimal Total,
    bool PricesIncludeTax,
    string? ShippingMethod,
    Address ShippingAddress,
    IReadOnlyList<OrderLineView> Lines,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? CancelledAt,
    IReadOnlyList<TimelineEntryView>? Timeline,
    string Source = OrderSources.Checkout,
    string? ExternalNumber = null)
{
    /// <summary>Where the order came from: online_store, api, back_office or import (see <see cref="OrderChannels"/>).</summary>
    public string Channel { get; init; } = OrderChannels.OnlineStore;

    /// <summary>The storefront visit's first and last touch (Attribution); only on the single order read, absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Storekeep.Attribution.AcquisitionView? Acquisition { get; init; }

    /// <summary>Line discounts plus the shipping discount: Total = Subtotal − DiscountTotal + ShippingTotal + TaxTotal (tax added on top).</summary>
    public decimal DiscountTotal { get; init; }

    /// <summary>The rule of <see cref="Order.CanCancel"/>, for pages that hold a view of the order.</summary>
    public bool CanCancel() => Order.MayCancel(Status, FulfillmentStatus, Lines.Any(l => l.FulfilledQuantity > 0));

    /// <summary>The rule of <see cref="Order.CanShip"/>, for pages that hold a view of the order.</summary>
    public bool CanShip(bool cashOnDelivery) =>
        Order.MayShip(Status, PaymentStatus, Lines.Any(l => l.FulfilledQuantity < l.Quantity), cashOnDelivery);

    public static OrderView From(Order o, bool withTimeline = false) => new(
        o.Id, o.Number, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.Email, o.Currency,
        o.Subtotal, o.ShippingTotal, o.TaxTotal, o.Total, o.PricesIncludeTax, o.ShippingMethod, o.ShippingAddress,
        o.Lines.Select(l => new OrderLineView(l.Sku, l.Title, l.Quantity, l.UnitPrice, l.NetTotal, l.TaxAmount, l.FulfilledQuantity, l.ReturnedQuantity) { DiscountTotal = l.DiscountAmount, RefundedQuantity = l.RefundedQuantity, DiscountAllocations = l.DiscountAllocations ?? [] }).ToList(),
        o.CreatedAt, o.UpdatedAt, o.CancelledAt,
        withTimeline ? o.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new TimelineEntryView(t.Kind, t.Message, t.Actor, t.At)).ToList() : null,
        o.Source,
        o.ExternalNumber)
    {
        Channel = o.Channel,
        DiscountTotal = o.DiscountTotal,
    };
}

public sealed record PaymentView(Guid Id, PaymentMethod Method, PaymentRecordStatus Status, string Gateway, decimal Amount, decimal CapturedAmount, decimal RefundedAmount, string Currency, string? CardBrand, string? Last4, DateTime CreatedAt)
{
    public static PaymentView From(Payment p) =>
        new(p.Id, p.Method, p.Status, p.Gateway, p.Amount, p.CapturedAmount, p.RefundedAmount, p.Currency, p.CardBrand, p.Last4, p.CreatedAt);
}


using Storekeep.Events;
using Storekeep.Payments;

namespace Storekeep.Orders;

/// <summary>
/// The payload of the order.* events: the order as it stands, enough for a consumer to act without
/// a lookup. Each event type below is this shape under its own name, so its JSON is the same
/// whichever one is raised.
/// </summary>
public record OrderEventData
{
    public Guid OrderId { get; init; }
    public long Number { get; init; }
    public string Email { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Total { get; init; }
    public OrderStatus Status { get; init; }
    public PaymentStatus PaymentStatus { get; init; }
    public FulfillmentStatus FulfillmentStatus { get; init; }
    public IReadOnlyList<OrderLineView> Lines { get; init; } = [];

    public static OrderEventData From(Order o) => Of<OrderEventData>(o);

    /// <summary>The event <typeparamref name="T"/> (<see cref="OrderPaid"/>, …) for the order as it stands.</summary>
    public static T Of<T>(Order o)
        where T : OrderEventData, new() => new()
        {
            OrderId = o.Id,
            Number = o.Number,
            Email = o.Email,
            Currency = o.Currency,
            Total = o.Total,
            Status = o.Status,
            PaymentStatus = o.PaymentStatus,
            FulfillmentStatus = o.FulfillmentStatus,
            Lines = o.Lines.Select(l => new OrderLineView(l.Sku, l.Title, l.Quantity, l.UnitPrice, l.NetTotal, l.TaxAmount, l.FulfilledQuantity, l.ReturnedQuantity) { DiscountTotal = l.DiscountAmount, RefundedQuantity = l.RefundedQuantity }).ToList(),
        };
}

/// <summary>order.placed: checkout (or a manual order) created the order.</summary>
public sealed record OrderPlaced : OrderEventData, IEvent
{
    public static string EventType => EventTypes.OrderPlaced;
}

/// <summary>order.paid: the order's payment was captured in full.</summary>
public sealed record OrderPaid : OrderEventData, IEvent
{
    public static string EventType => EventTypes.OrderPaid;
}

/// <summary>order.delivered: every shipment of the order was delivered.</summary>
public sealed record OrderDelivered : OrderEventData, IEvent
{
    public static string EventType => EventTypes.OrderDelivered;
}

/// <summary>order.cancelled: the order was cancelled (by staff, or unpaid past its hold).</summary>
public sealed record OrderCancelled : OrderEventData, IEvent
{
    public static string EventType => EventTypes.OrderCancelled;
}

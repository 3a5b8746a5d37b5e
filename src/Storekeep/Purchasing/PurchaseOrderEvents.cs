namespace Storekeep.Purchasing;

/// <summary>One line of a purchase order event: ordered, received so far, and (on a receipt) received now.</summary>
public sealed record PurchaseOrderEventLine(string Sku, int Quantity, int ReceivedQuantity, int ReceivedNow);

/// <summary>
/// The payload of every <c>purchase_order.*</c> event: the order as it stands after the change that
/// raised it (each event below is this shape under its own name).
/// </summary>
public record PurchaseOrderChanged
{
    public Guid PurchaseOrderId { get; init; }
    public string Number { get; init; } = "";
    public Guid SupplierId { get; init; }
    public string Warehouse { get; init; } = "";
    public string Status { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Total { get; init; }
    public IReadOnlyList<PurchaseOrderEventLine> Lines { get; init; } = [];
}

/// <summary>purchase_order.created: a draft was written (by hand or from replenishment).</summary>
public sealed record PurchaseOrderCreated : PurchaseOrderChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.PurchaseOrderCreated;
}

/// <summary>purchase_order.sent: a draft went to the supplier (its email is queued in the same transaction).</summary>
public sealed record PurchaseOrderSent : PurchaseOrderChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.PurchaseOrderSent;
}

/// <summary>purchase_order.received: goods arrived against it; status says whether all did (received) or some (partially_received).</summary>
public sealed record PurchaseOrderReceived : PurchaseOrderChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.PurchaseOrderReceived;
}

/// <summary>purchase_order.cancelled: called off; nothing more is incoming.</summary>
public sealed record PurchaseOrderCancelled : PurchaseOrderChanged, Events.IEvent
{
    public static string EventType => Events.EventTypes.PurchaseOrderCancelled;
}

using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>The event types Storekeep publishes (the feed and webhooks use these names).</summary>
public static class EventTypes
{
    public const string OrderPlaced = "order.placed";
    public const string OrderPaid = "order.paid";
    public const string OrderShipped = "order.shipped";
    public const string OrderDelivered = "order.delivered";
    public const string OrderCancelled = "order.cancelled";
    public const string RefundCreated = "refund.created";
    public const string ReturnCreated = "return.created";
    public const string ReturnReceived = "return.received";
    public const string InventoryLowStock = "inventory.low_stock";
    public const string ProductCreated = "product.created";
    public const string ProductUpdated = "product.updated";
    public const string PurchaseOrderCreated = "purchase_order.created";
    public const string PurchaseOrderSent = "purchase_order.sent";
    public const string PurchaseOrderReceived = "purchase_order.received";
    public const string PurchaseOrderCancelled = "purchase_order.cancelled";
    public const string DiscountUsed = "discount.used";
    public const string LoyaltyPointsChanged = "loyalty.points_changed";

    public static readonly IReadOnlyList<string> All =
    [
        OrderPlaced, OrderPaid, OrderShipped, OrderDelivered, OrderCancelled, RefundCreated,
        ReturnCreated, ReturnReceived, InventoryLowStock, ProductCreated, ProductUpdated,
        PurchaseOrderCreated, PurchaseOrderSent, PurchaseOrderReceived, PurchaseOrderCancelled,
        DiscountUsed, LoyaltyPointsChanged,
    ];
}

public static class EventOutbox
{
    /// <summary>
    /// Queues an event in the current unit of work: it commits with the change it describes, or
    /// not at all, and is delivered only after that commit.
    /// </summary>
    public static OutboxEvent AddEvent<T>(this StorekeepDbContext db, string type, T data, DateTime now)
    {
        var outboxEvent = new OutboxEvent { Type = type, Payload = StorekeepJson.Serialize(data), OccurredAt = now };
        db.OutboxEvents.Add(outboxEvent);
        return outboxEvent;
    }

    /// <summary>Queues the events the tracked aggregates raised (<see cref="IRaisesEvents"/>); the context calls it as it saves.</summary>
    internal static void AddRaisedEvents(this StorekeepDbContext db, IEnumerable<IRaisesEvents> sources)
    {
        foreach (var source in sources)
        {
            foreach (var raised in source.TakeRaisedEvents())
            {
                // As object, so the payload is written as its own type (OrderPaid, …), not as object.
                db.AddEvent(raised.Type, raised.Payload, raised.OccurredAt);
            }
        }
    }

    /// <summary>Queues a typed event under its wire type name; see <see cref="AddEvent"/>.</summary>
    public static OutboxEvent Raise<T>(this StorekeepDbContext db, T evt, DateTime now)
        where T : IEvent => db.AddEvent(T.EventType, evt, now);

    /// <summary>
    /// The outbox row <see cref="Raise"/> would queue, not added to the context: for callers that write
    /// their rows with <see cref="BulkInsert"/> and signal the outbox themselves after the commit.
    /// </summary>
    public static OutboxEvent Unqueued<T>(T evt, DateTime now)
        where T : IEvent => new() { Type = T.EventType, Payload = StorekeepJson.Serialize(evt), OccurredAt = now };
}

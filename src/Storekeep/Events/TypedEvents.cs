namespace Storekeep.Events;

/// <summary>
/// A typed event: a record whose JSON (camelCase, as <see cref="Shared.StorekeepJson"/> writes it)
/// is the event's payload in the feed and in webhooks, under the wire type name
/// <see cref="EventType"/> ("order.paid"). Raise one with <see cref="EventOutbox.Raise"/>; receive
/// one with <see cref="IEventHandler{T}"/>. Declare it in the capability that raises it.
/// </summary>
public interface IEvent
{
    /// <summary>The wire type name, one of <see cref="EventTypes.All"/>.</summary>
    static abstract string EventType { get; }
}

/// <summary>
/// An aggregate that raises its own events (<see cref="Orders.Order"/>): it keeps them in memory
/// as it changes, and <see cref="Data.StorekeepDbContext"/> writes them to the outbox when it saves,
/// in the same transaction as the change they describe.
/// </summary>
public interface IRaisesEvents
{
    /// <summary>The events raised since the last call, their payloads taken now (the state being saved); then forgets them.</summary>
    IReadOnlyList<RaisedEvent> TakeRaisedEvents();
}

/// <summary>One event an aggregate raised: its wire type, its payload and when it happened.</summary>
public readonly record struct RaisedEvent(string Type, object Payload, DateTime OccurredAt);

/// <summary>Where and when the event being handled was raised.</summary>
/// <param name="EventId">The outbox event's id: stable across retries, so it makes a good dedupe key.</param>
/// <param name="Position">The event's position in the feed.</param>
/// <param name="Subscriber">The name of the subscriber handling it.</param>
public sealed record EventContext(Guid EventId, string Type, long Position, DateTime OccurredAt, string Subscriber);

/// <summary>
/// Handles one event type for a subscriber (see <see cref="EventSubscriptions.AddEventSubscriber"/>).
/// It runs in the subscriber's own transaction, with the scope's <see cref="Data.StorekeepDbContext"/>:
/// what it writes there commits together with the subscriber's checkpoint, so its effect happens
/// exactly once. Throwing rolls the batch back; the subscriber retries later from the same event.
/// Bad data that a retry cannot fix is better logged and skipped than thrown on, since the
/// subscriber does not move past an event that throws.
/// </summary>
public interface IEventHandler<in T>
    where T : IEvent
{
    Task HandleAsync(T evt, EventContext context, CancellationToken ct);
}

/// <summary>
/// Optional, for a subscriber that gathers work across the events of a batch and does it once (a
/// rollup recomputing each touched day once). Called after the batch's handlers, before the
/// checkpoint advances, in the same transaction.
/// </summary>
public interface IEventBatchCompletion
{
    Task CompleteBatchAsync(CancellationToken ct);
}

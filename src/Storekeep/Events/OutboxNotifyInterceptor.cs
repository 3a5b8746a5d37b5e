using Storekeep.Data;

namespace Storekeep.Events;

/// <summary>
/// Calls <see cref="OutboxSignal.Notify"/> once a unit of work that added outbox events has
/// committed, so no capability has to remember to do it and the dispatcher never wakes for
/// uncommitted events.
/// </summary>
public sealed class OutboxNotifyInterceptor(OutboxSignal signal) : CommitNotifyInterceptor<OutboxEvent>(signal.Notify);

using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>Wakes the event dispatcher when a transaction that added outbox events commits.</summary>
public sealed class OutboxSignal : WakeUpSignal;

namespace Storekeep.Events;

/// <summary>
/// An in-process consumer of committed events (analytics rollups and the like). The publisher calls
/// every handler with each batch it publishes, inside its own transaction: a handler that fails
/// rolls the round back and the batch is handed over again, so handlers must be idempotent.
/// </summary>
public interface IOutboxEventHandler
{
    Task HandleAsync(IReadOnlyList<OutboxEvent> events, CancellationToken ct);
}

using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>
/// An event written in the same transaction as the change it describes. <see cref="Position"/> is
/// assigned after commit by the single publisher, so the feed's order never skips a late commit.
/// </summary>
public sealed class OutboxEvent
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Type { get; init; }

    /// <summary>The event's data as JSON (camelCase).</summary>
    public required string Payload { get; init; }

    public DateTime OccurredAt { get; init; }
    public long? Position { get; set; }
    public DateTime? PublishedAt { get; set; }
}

/// <summary>
/// The checkpoint of one in-process event subscriber (see <see cref="EventSubscriptions"/>): the
/// feed position it has handled up to, its retry state, and the lease of the node running it.
/// </summary>
public sealed class EventSubscription
{
    public const int MaxNameLength = 100;
    public const int MaxErrorLength = 2000;

    public required string Name { get; init; }

    /// <summary>The <see cref="OutboxEvent.Position"/> of the last event handled (or skipped); 0 before the first.</summary>
    public long Position { get; set; }

    /// <summary>Failed attempts since the last success.</summary>
    public int Attempts { get; set; }

    public string? LastError { get; set; }

    /// <summary>Not run before this time: the backoff after a failure.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>While set in the future, one node runs this subscriber; others skip it.</summary>
    public DateTime? LeaseUntil { get; set; }

    public DateTime UpdatedAt { get; set; }
}

public sealed class Webhook
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Url { get; set; }

    /// <summary>Comma-separated event types, or "*".</summary>
    public required string Events { get; set; }

    /// <summary>The signing secret; kept to sign each delivery (HMAC needs the secret itself).</summary>
    public required string Secret { get; init; }

    public bool IsActive { get; set; } = true;
    public DateTime CreatedAt { get; init; }

    public bool Wants(string eventType) =>
        Events == "*" || Events.Split(',').Contains(eventType, StringComparer.Ordinal);
}

public enum DeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}

public sealed class WebhookDelivery
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid WebhookId { get; init; }
    public Guid EventId { get; init; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }

    /// <summary>While set in the future, one node owns this delivery; others skip it.</summary>
    public DateTime? LeaseUntil { get; set; }

    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? DeliveredAt { get; set; }
}

using Storekeep.Shared;

namespace Storekeep.Idempotency;

/// <summary>The first response to a POST carrying an Idempotency-Key, kept to replay it.</summary>
public sealed class IdempotencyRecord
{
    public Guid Id { get; init; } = Ids.NewId();

    /// <summary>Who sent it and where: the API key (or "public@" and the client address) and the request path.</summary>
    public required string Scope { get; init; }

    public required string Key { get; init; }

    /// <summary>SHA-256 of method, path and body: the same key with another body is refused.</summary>
    public required string Fingerprint { get; init; }

    public bool Completed { get; set; }
    public int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; init; }

    /// <summary>An unfinished record past this time was abandoned (its node died) and may be retaken.</summary>
    public DateTime LockedUntil { get; set; }
}

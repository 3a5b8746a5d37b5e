using Storekeep.Shared;

namespace Storekeep.Access;

public enum Role
{
    Owner,
    Manager,
    Sales,
    Warehouse,
    Support,
    Marketing,
}

/// <summary>An API key. Only its SHA-256 hash is stored; the key is shown once, when created.</summary>
public sealed class ApiKey
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary>The first characters of the key, so people can tell keys apart.</summary>
    public required string Prefix { get; init; }

    public required string Hash { get; init; }
    public Role Role { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? RevokedAt { get; set; }
}

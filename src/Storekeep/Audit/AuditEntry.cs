using Storekeep.Shared;

namespace Storekeep.Audit;

/// <summary>One change made by staff or an API key: who, what, when, and the values before and after.</summary>
public sealed class AuditEntry
{
    public Guid Id { get; init; } = Ids.NewId();
    public DateTime OccurredAt { get; init; }
    public required string Actor { get; init; }

    /// <summary>created, updated or deleted.</summary>
    public required string Action { get; init; }

    /// <summary>The entity's type name, e.g. <c>Product</c>, <c>Order</c>, <c>ShippingMethod</c>.</summary>
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }

    /// <summary>JSON object of the changed properties' old values (null when created).</summary>
    public string? Before { get; init; }

    /// <summary>JSON object of the changed properties' new values (null when deleted).</summary>
    public string? After { get; init; }
}

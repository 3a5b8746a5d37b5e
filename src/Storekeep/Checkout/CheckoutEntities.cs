using Storekeep.Shared;

namespace Storekeep.Checkout;

public enum CartStatus
{
    Active,
    CheckedOut,
}

public sealed class Cart
{
    /// <summary>Whoever holds the id holds the cart (it is public), so it is random, not sequential.</summary>
    public Guid Id { get; init; } = Ids.NewUnguessableId();
    public CartStatus Status { get; set; }
    public required string Currency { get; init; }
    public string? Email { get; set; }

    /// <summary>Bumped on every change; checkout converts exactly the version it priced.</summary>
    public int Version { get; set; }

    public Guid? OrderId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public List<CartItem> Items { get; init; } = [];
}

public sealed class CartItem
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid CartId { get; set; }
    public required string Sku { get; set; }
    public Guid VariantId { get; set; }
    public int Quantity { get; set; }
    public DateTime AddedAt { get; init; }
}

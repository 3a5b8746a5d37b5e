using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Shared;

namespace Storekeep.Analytics;

/// <summary>The funnel steps a storefront session goes through, in order.</summary>
public static class StorefrontEventTypes
{
    public const string SessionStarted = "session_started";
    public const string ProductViewed = "product_viewed";
    public const string AddedToCart = "added_to_cart";
    public const string CheckoutStarted = "checkout_started";
    public const string OrderPlaced = "order_placed";

    public static readonly IReadOnlyList<string> All = [SessionStarted, ProductViewed, AddedToCart, CheckoutStarted, OrderPlaced];
}

/// <summary>
/// One step a shopper's browser session took: written once, never updated, read by conversion
/// queries. The session id comes from a first-party cookie and identifies a browser, not a person.
/// </summary>
public sealed class StorefrontEvent
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string SessionId { get; init; }
    public required string Type { get; init; }
    public Guid? ProductId { get; init; }
    public string? Sku { get; init; }
    public Guid? CartId { get; init; }
    public Guid? OrderId { get; init; }
    public DateTime OccurredAt { get; init; }
}

internal sealed class StorefrontEventConfiguration : IEntityTypeConfiguration<StorefrontEvent>
{
    public void Configure(EntityTypeBuilder<StorefrontEvent> b)
    {
        b.ToTable("storefront_events");
        b.Property(e => e.SessionId).HasMaxLength(64);
        b.Property(e => e.Type).HasMaxLength(32);
        b.Property(e => e.Sku).HasMaxLength(64);

        // Conversion queries scan a time range by type.
        b.HasIndex(e => new { e.OccurredAt, e.Type });
    }
}

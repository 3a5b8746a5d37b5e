using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Recommendations;

public static class RecommendationPermissions
{
    /// <summary>See the co-purchase figures (the back office's recommendations page).</summary>
    public const string Read = "recommendations.read";

    /// <summary>Rebuild them from the orders.</summary>
    public const string Write = "recommendations.write";
}

/// <summary>
/// How many distinct counted orders (docs/marketing.md, Personalisation) hold both <see cref="Sku"/>
/// and <see cref="OtherSku"/> (table <c>co_purchases</c>). Both directions are stored, (a, b) and
/// (b, a) with the same count, so "also bought with a" is one index range read.
/// </summary>
public sealed class CoPurchase
{
    public required string Sku { get; init; }
    public required string OtherSku { get; init; }
    public int OrderCount { get; init; }
}

/// <summary>An order already in the co-purchase counts (table <c>co_purchase_orders</c>): a second delivery of its order.paid adds nothing.</summary>
public sealed class CoPurchaseOrder
{
    public Guid OrderId { get; init; }
    public DateTime CountedAt { get; init; }
}

/// <summary>A product a storefront visitor looked at (table <c>recently_viewed</c>), at most <see cref="RecentlyViewed.Kept"/> per visitor, for <c>Recommendations:RecentlyViewedDays</c>.</summary>
public sealed class RecentlyViewedProduct
{
    public required string VisitorId { get; init; }
    public Guid ProductId { get; init; }
    public DateTime ViewedAt { get; init; }
}

internal sealed class CoPurchaseConfiguration : IEntityTypeConfiguration<CoPurchase>
{
    public void Configure(EntityTypeBuilder<CoPurchase> b)
    {
        b.ToTable("co_purchases");
        b.HasKey(c => new { c.Sku, c.OtherSku });
        b.Property(c => c.Sku).HasMaxLength(64);
        b.Property(c => c.OtherSku).HasMaxLength(64);
        b.HasIndex(c => new { c.Sku, c.OrderCount });
    }
}

internal sealed class CoPurchaseOrderConfiguration : IEntityTypeConfiguration<CoPurchaseOrder>
{
    public void Configure(EntityTypeBuilder<CoPurchaseOrder> b)
    {
        b.ToTable("co_purchase_orders");
        b.HasKey(o => o.OrderId);
    }
}

internal sealed class RecentlyViewedProductConfiguration : IEntityTypeConfiguration<RecentlyViewedProduct>
{
    public void Configure(EntityTypeBuilder<RecentlyViewedProduct> b)
    {
        b.ToTable("recently_viewed");
        b.HasKey(r => new { r.VisitorId, r.ProductId });
        b.Property(r => r.VisitorId).HasMaxLength(32);
        b.HasIndex(r => r.ViewedAt); // the prune deletes by age
    }
}

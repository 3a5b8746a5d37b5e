using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Shared;

namespace Storekeep.PriceLists;

/// <summary>
/// A B2B price list (docs/sales.md, "Price lists"): either fixed prices per SKU with volume tiers
/// (<see cref="Entries"/>), or a percentage off every regular price (<see cref="PercentOff"/>), never
/// both. A company's price list prices its buyers' carts, quotes and orders.
/// </summary>
public sealed class PriceList
{
    public const int NameMaxLength = 100;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }
    public required string Currency { get; set; }

    /// <summary>Percent off the regular price (0 &lt; p &lt; 100, two decimals); null for a list of entries.</summary>
    public decimal? PercentOff { get; set; }

    public List<PriceListEntry> Entries { get; init; } = [];
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One tier: from <see cref="MinimumQuantity"/> units of the SKU on a line, each costs <see cref="Price"/>.</summary>
public sealed class PriceListEntry
{
    public Guid PriceListId { get; init; }
    public required string Sku { get; init; }
    public int MinimumQuantity { get; init; } = 1;
    public decimal Price { get; init; }
}

internal sealed class PriceListConfiguration : IEntityTypeConfiguration<PriceList>
{
    public void Configure(EntityTypeBuilder<PriceList> b)
    {
        b.ToTable("price_lists");
        b.Property(p => p.Name).HasMaxLength(PriceList.NameMaxLength);
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.Currency).HasMaxLength(3);
        b.HasMany(p => p.Entries).WithOne().HasForeignKey(e => e.PriceListId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PriceListEntryConfiguration : IEntityTypeConfiguration<PriceListEntry>
{
    public void Configure(EntityTypeBuilder<PriceListEntry> b)
    {
        b.ToTable("price_list_entries");
        b.HasKey(e => new { e.PriceListId, e.Sku, e.MinimumQuantity });
        b.Property(e => e.Sku).HasMaxLength(64);
    }
}

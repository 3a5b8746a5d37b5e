using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Checkout;

internal sealed class CartConfiguration : IEntityTypeConfiguration<Cart>
{
    public void Configure(EntityTypeBuilder<Cart> b)
    {
        b.Property(c => c.Status).AsSnakeCaseString();
        b.Property(c => c.Currency).HasMaxLength(3);
        b.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.CartId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.Status, c.UpdatedAt });
    }
}

internal sealed class CartItemConfiguration : IEntityTypeConfiguration<CartItem>
{
    public void Configure(EntityTypeBuilder<CartItem> b)
    {
        b.HasIndex(i => new { i.CartId, i.Sku }).IsUnique();
        b.Property(i => i.Sku).HasMaxLength(64);
    }
}

internal sealed class ShippingMethodConfiguration : IEntityTypeConfiguration<ShippingMethod>
{
    public void Configure(EntityTypeBuilder<ShippingMethod> b) => b.HasIndex(m => m.Code).IsUnique();
}

internal sealed class TaxRateConfiguration : IEntityTypeConfiguration<TaxRate>
{
    public void Configure(EntityTypeBuilder<TaxRate> b)
    {
        // Percent with four decimals, stored as an exact integer (8.875 % → 88750).
        b.Property(t => t.Rate).HasConversion(v => (long)(v * 10000m), v => v / 10000m);
        b.HasIndex(t => new { t.Country, t.Region }).IsUnique();
        b.Property(t => t.Country).HasMaxLength(2);
        b.Property(t => t.Region).HasMaxLength(64);
    }
}

internal sealed class StoreSettingsConfiguration : IEntityTypeConfiguration<StoreSettings>
{
    public void Configure(EntityTypeBuilder<StoreSettings> b)
    {
        b.ToTable("store_settings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Address).HasMaxLength(StoreSettings.MaxAddressLength);
    }
}

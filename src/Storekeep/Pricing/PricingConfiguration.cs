using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Pricing;

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

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Catalog;

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.HasIndex(c => c.Slug).IsUnique();
        b.Property(c => c.Description).HasMaxLength(4000);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.HasIndex(p => p.Slug).IsUnique();
        b.HasIndex(p => new { p.Status, p.Id });
        b.HasIndex(p => new { p.CategoryId, p.Id });
        b.Property(p => p.Status).AsSnakeCaseString();
        b.Property(p => p.Description).HasMaxLength(20000);
        b.Property(p => p.SearchText).HasMaxLength(Product.SearchTextMaxLength);
        b.HasOne(p => p.Category).WithMany().HasForeignKey(p => p.CategoryId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(p => p.Variants).WithOne(v => v.Product).HasForeignKey(v => v.ProductId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(p => p.Images).WithOne().HasForeignKey(i => i.ProductId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.Featured, p.Status });
        b.Property(p => p.Tags).HasMaxLength(2000);
        b.Property(p => p.SeoDescription).HasMaxLength(1000);
    }
}

internal sealed class ProductImageConfiguration : IEntityTypeConfiguration<ProductImage>
{
    public void Configure(EntityTypeBuilder<ProductImage> b)
    {
        b.HasIndex(i => new { i.ProductId, i.Position });
        b.Property(i => i.Url).HasMaxLength(2000);
    }
}

internal sealed class ProductVariantConfiguration : IEntityTypeConfiguration<ProductVariant>
{
    public void Configure(EntityTypeBuilder<ProductVariant> b)
    {
        b.ToTable("product_variants");
        b.HasIndex(v => v.Sku).IsUnique();
        b.Property(v => v.Sku).HasMaxLength(64);
        b.Property(v => v.ImageUrl).HasMaxLength(2000);
    }
}

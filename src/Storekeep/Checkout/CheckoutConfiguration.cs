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

        // A default in the database too: bulk writers (the bench's COPY of carts) leave it out.
        b.Property(c => c.PriceAdjusted).HasDefaultValue(false);
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

internal sealed class CheckoutAttemptConfiguration : IEntityTypeConfiguration<CheckoutAttempt>
{
    public void Configure(EntityTypeBuilder<CheckoutAttempt> b)
    {
        b.Property(a => a.Status).AsSnakeCaseString();
        b.Property(a => a.Gateway).HasMaxLength(32);
        b.Property(a => a.IntentId).HasMaxLength(255);
        b.Property(a => a.Currency).HasMaxLength(3);
        b.Property(a => a.ClientAddress).HasMaxLength(64);
        b.Property(a => a.FailureCode).HasMaxLength(64);
        b.Property(a => a.FailureMessage).HasMaxLength(500);
        b.HasIndex(a => new { a.Gateway, a.IntentId }).IsUnique();
        b.HasIndex(a => new { a.CartId, a.Status });
    }
}

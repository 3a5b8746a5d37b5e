using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>
/// A discount as the back office defines it (table <c>discounts</c>): the engine's
/// <see cref="Discount"/> plus its usage counter. The targets and rules that are only read by the
/// engine are JSON; what SQL filters or guards on (code, status, dates, limits, uses) are columns.
/// </summary>
public sealed class DiscountDefinition
{
    public const int TitleMaxLength = 200;
    public const int CodeMaxLength = 64;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Title { get; set; }

    /// <summary>As the merchant wrote it; null for an automatic discount.</summary>
    public string? Code { get; set; }

    /// <summary>The code trimmed and upper-cased: codes match in any case, and are unique that way.</summary>
    public string? CodeKey { get; set; }

    public DiscountType Type { get; set; }
    public DiscountStatus Status { get; set; }

    /// <summary>Percent off (percentage) or the amount off (fixed amount); null otherwise.</summary>
    public decimal? Value { get; set; }

    /// <summary>JSON of <see cref="DiscountRules"/>: appliesTo, buy, get, combinesWith, customer emails.</summary>
    public string Rules { get; set; } = "{}";

    public decimal? MinimumSubtotal { get; set; }
    public int? MinimumQuantity { get; set; }
    public DateTime? StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    public int? UsageLimit { get; set; }
    public int? UsageLimitPerCustomer { get; set; }

    /// <summary>Orders holding a use now: raised by a guarded update in the checkout transaction, lowered when an order gives its use back.</summary>
    public int UsedCount { get; set; }

    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public static string? KeyOf(string? code) => string.IsNullOrWhiteSpace(code) ? null : code.Trim().ToUpperInvariant();
}

/// <summary>Uses of a discount by one customer (lower-cased email), for <c>usageLimitPerCustomer</c>.</summary>
public sealed class DiscountCustomerUse
{
    public Guid DiscountId { get; init; }
    public required string Customer { get; init; }
    public int Uses { get; set; }
}

/// <summary>
/// One order's use of one discount and what it saved: the usage report's rows, and what a
/// cancelled or fully refunded order gives back (once: <see cref="ReleasedAt"/> is set by a guarded update).
/// </summary>
public sealed class DiscountUse
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid DiscountId { get; init; }
    public Guid OrderId { get; init; }
    public required string Customer { get; init; }
    public required string Currency { get; init; }

    /// <summary>What the discount took off the order (lines and shipping).</summary>
    public decimal Amount { get; init; }

    /// <summary>The order's total after discounts, for the discount's revenue.</summary>
    public decimal OrderTotal { get; init; }

    public DateTime CreatedAt { get; init; }
    public DateTime? ReleasedAt { get; set; }
}

/// <summary>What one discount took from one order line (or from shipping: no line), stored with the order.</summary>
public sealed class OrderDiscountAllocation
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }

    /// <summary>The order line; null for the shipping discount.</summary>
    public Guid? OrderLineId { get; init; }

    public Guid DiscountId { get; init; }
    public decimal Amount { get; init; }
}

/// <summary>A code entered on a cart; checkout and the cart's prices consider it.</summary>
public sealed class CartDiscountCode
{
    public Guid CartId { get; init; }

    /// <summary>The code's key (<see cref="DiscountDefinition.KeyOf"/>).</summary>
    public required string Code { get; init; }

    public DateTime AddedAt { get; init; }
}

internal sealed class DiscountDefinitionConfiguration : IEntityTypeConfiguration<DiscountDefinition>
{
    public void Configure(EntityTypeBuilder<DiscountDefinition> b)
    {
        b.ToTable("discounts", t => t.HasCheckConstraint("ck_discounts_used", "used_count >= 0"));
        b.Property(d => d.Title).HasMaxLength(DiscountDefinition.TitleMaxLength);
        b.Property(d => d.Code).HasMaxLength(DiscountDefinition.CodeMaxLength);
        b.Property(d => d.CodeKey).HasMaxLength(DiscountDefinition.CodeMaxLength);
        b.Property(d => d.Type).AsSnakeCaseString();
        b.Property(d => d.Status).AsSnakeCaseString();
        b.Property(d => d.Rules).HasMaxLength(20_000);
        b.HasIndex(d => d.CodeKey).IsUnique();
        b.HasIndex(d => d.Status);
    }
}

internal sealed class DiscountCustomerUseConfiguration : IEntityTypeConfiguration<DiscountCustomerUse>
{
    public void Configure(EntityTypeBuilder<DiscountCustomerUse> b)
    {
        b.ToTable("discount_customer_uses", t => t.HasCheckConstraint("ck_discount_customer_uses_uses", "uses >= 0"));
        b.HasKey(u => new { u.DiscountId, u.Customer });
        b.Property(u => u.Customer).HasMaxLength(254);
        b.HasOne<DiscountDefinition>().WithMany().HasForeignKey(u => u.DiscountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DiscountUseConfiguration : IEntityTypeConfiguration<DiscountUse>
{
    public void Configure(EntityTypeBuilder<DiscountUse> b)
    {
        b.ToTable("discount_uses");
        b.Property(u => u.Customer).HasMaxLength(254);
        b.Property(u => u.Currency).HasMaxLength(3);
        b.HasIndex(u => new { u.DiscountId, u.OrderId }).IsUnique();
        b.HasIndex(u => u.OrderId);
        b.HasOne<DiscountDefinition>().WithMany().HasForeignKey(u => u.DiscountId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OrderDiscountAllocationConfiguration : IEntityTypeConfiguration<OrderDiscountAllocation>
{
    public void Configure(EntityTypeBuilder<OrderDiscountAllocation> b)
    {
        b.ToTable("order_discount_allocations", t => t.HasCheckConstraint("ck_order_discount_allocations_amount", "amount > 0"));
        b.HasIndex(a => a.OrderId);
        b.HasOne<Orders.Order>().WithMany().HasForeignKey(a => a.OrderId).OnDelete(DeleteBehavior.Cascade);

        // No foreign key to discounts (nor its index: allocations are read by order): an
        // allocation is written only beside its order's use row, which has one, and discounts are
        // never deleted. On PostgreSQL each foreign key check share-locks the discount's row, which
        // every discounted checkout shares: a check per allocated line was lock traffic on the
        // busiest row (checkout-discounts bench).
    }
}

internal sealed class CartDiscountCodeConfiguration : IEntityTypeConfiguration<CartDiscountCode>
{
    public void Configure(EntityTypeBuilder<CartDiscountCode> b)
    {
        b.ToTable("cart_discount_codes");
        b.HasKey(c => new { c.CartId, c.Code });
        b.Property(c => c.Code).HasMaxLength(DiscountDefinition.CodeMaxLength);
        b.HasOne<Checkout.Cart>().WithMany().HasForeignKey(c => c.CartId).OnDelete(DeleteBehavior.Cascade);
    }
}

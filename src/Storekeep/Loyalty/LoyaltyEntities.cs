using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Loyalty;

/// <summary>What a ledger entry records (docs/promotions.md, "Loyalty").</summary>
public enum LoyaltyEntryType
{
    /// <summary>Points earned when an order was paid.</summary>
    Earn,

    /// <summary>Points spent as a discount at checkout.</summary>
    Redeem,

    /// <summary>Points that reached their expiry date unspent (oldest first).</summary>
    Expire,

    /// <summary>Earned points taken back (refund, cancellation), or redeemed points given back (cancellation).</summary>
    Reverse,

    /// <summary>A manual change by staff, with a reason.</summary>
    Adjust,
}

/// <summary>
/// The store's loyalty program (table <c>loyalty_program</c>, one row, id 1). Tiers are JSON: they are
/// only read whole, never filtered on in SQL.
/// </summary>
public sealed class LoyaltyProgram
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public bool Enabled { get; set; }

    /// <summary>Points per whole unit of the store currency spent (before the tier multiplier).</summary>
    public int PointsPerUnit { get; set; }

    /// <summary>What one point is worth when redeemed, in the store currency.</summary>
    public decimal PointValue { get; set; }

    public int MinimumRedeemPoints { get; set; }

    /// <summary>Days after which earned points expire; null: they never do.</summary>
    public int? ExpiryDays { get; set; }

    /// <summary>JSON array of <see cref="LoyaltyTierDto"/>, lowest minimum spend first.</summary>
    public string Tiers { get; set; } = "[]";

    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// A customer's points balance (table <c>loyalty_accounts</c>): the sum of the customer's ledger
/// entries, kept in step with them in the same transaction. It is the target of the guarded
/// updates (<c>balance - n … WHERE balance &gt;= n</c>; a CHECK backs it) that make spending safe
/// under concurrency.
/// </summary>
public sealed class LoyaltyAccount
{
    public Guid CustomerId { get; init; }
    public long Balance { get; set; }
}

/// <summary>One line of the points ledger (table <c>loyalty_entries</c>); never changed once written except <see cref="ExpiryChecked"/>.</summary>
public sealed class LoyaltyEntry
{
    public const int ReasonMaxLength = 500;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid CustomerId { get; init; }
    public LoyaltyEntryType Type { get; init; }

    /// <summary>Signed: positive adds to the balance, negative takes from it.</summary>
    public long Points { get; init; }

    public Guid? OrderId { get; init; }

    /// <summary>
    /// What makes the entry happen at most once (<c>earn:{order}</c>, <c>reverse:{order}:{refund}</c>,
    /// …); unique, so a replayed event changes nothing. Null for manual adjustments.
    /// </summary>
    public string? Key { get; init; }

    public string? Reason { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>When a credit's points expire (null: never, or a debit).</summary>
    public DateTime? ExpiresAt { get; init; }

    /// <summary>A credit past <see cref="ExpiresAt"/> that the expiry sweep has accounted for.</summary>
    public bool ExpiryChecked { get; set; }
}

/// <summary>Points a shopper chose to redeem on a cart (table <c>cart_loyalty_redemptions</c>): a discount at checkout.</summary>
public sealed class CartLoyaltyRedemption
{
    public Guid CartId { get; init; }
    public Guid CustomerId { get; set; }
    public long Points { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class LoyaltyProgramConfiguration : IEntityTypeConfiguration<LoyaltyProgram>
{
    public void Configure(EntityTypeBuilder<LoyaltyProgram> b)
    {
        b.ToTable("loyalty_program", t => t.HasCheckConstraint("ck_loyalty_program_single_row", "id = 1"));
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Tiers).HasMaxLength(20_000);
    }
}

internal sealed class LoyaltyAccountConfiguration : IEntityTypeConfiguration<LoyaltyAccount>
{
    public void Configure(EntityTypeBuilder<LoyaltyAccount> b)
    {
        b.ToTable("loyalty_accounts", t => t.HasCheckConstraint("ck_loyalty_accounts_balance", "balance >= 0"));
        b.HasKey(a => a.CustomerId);
        b.HasOne<Customers.Customer>().WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LoyaltyEntryConfiguration : IEntityTypeConfiguration<LoyaltyEntry>
{
    public void Configure(EntityTypeBuilder<LoyaltyEntry> b)
    {
        b.ToTable("loyalty_entries", t => t.HasCheckConstraint("ck_loyalty_entries_points", "points <> 0"));
        b.Property(e => e.Type).AsSnakeCaseString();
        b.Property(e => e.Key).HasMaxLength(120);
        b.Property(e => e.Reason).HasMaxLength(LoyaltyEntry.ReasonMaxLength);
        b.HasIndex(e => e.Key).IsUnique();
        b.HasIndex(e => new { e.CustomerId, e.Id });
        b.HasIndex(e => e.OrderId);
        b.HasIndex(e => new { e.ExpiryChecked, e.ExpiresAt });
        b.HasOne<LoyaltyAccount>().WithMany().HasForeignKey(e => e.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CartLoyaltyRedemptionConfiguration : IEntityTypeConfiguration<CartLoyaltyRedemption>
{
    public void Configure(EntityTypeBuilder<CartLoyaltyRedemption> b)
    {
        b.ToTable("cart_loyalty_redemptions", t => t.HasCheckConstraint("ck_cart_loyalty_redemptions_points", "points > 0"));
        b.HasKey(r => r.CartId);
        b.HasOne<Checkout.Cart>().WithMany().HasForeignKey(r => r.CartId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<LoyaltyAccount>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

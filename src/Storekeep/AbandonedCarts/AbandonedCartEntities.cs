using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Shared;

namespace Storekeep.AbandonedCarts;

/// <summary>
/// The store's abandoned-cart sequence (table <c>abandoned_cart_settings</c>, one row, id 1): on or
/// off, and its steps as JSON (<see cref="AbandonedCartStep"/>), read whole and written whole.
/// </summary>
public sealed class AbandonedCartSettings
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public bool Enabled { get; set; }

    /// <summary>JSON array of <see cref="AbandonedCartStep"/>, delays ascending.</summary>
    public string Steps { get; set; } = "[]";

    public DateTime UpdatedAt { get; set; }
}

/// <summary>One reminder: sent <see cref="DelayMinutes"/> after the cart's last activity, with an optional discount's code.</summary>
public sealed record AbandonedCartStep(int DelayMinutes, string Subject, string Body, Guid? DiscountId);

/// <summary>
/// One step's reminder queued for one cart (table <c>abandoned_cart_emails</c>). Unique on
/// (cart, step): whichever node inserts it first sends it, in the same transaction as the message;
/// any other's insert fails and sends nothing. <see cref="Token"/> is the restore link's secret.
/// </summary>
public sealed class AbandonedCartEmail
{
    public const int TokenLength = 43;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid CartId { get; init; }
    public int StepIndex { get; init; }
    public required string Email { get; init; }
    public Guid? DiscountId { get; init; }
    public required string Token { get; init; }
    public Guid MessageId { get; init; }
    public DateTime SentAt { get; init; }
}

internal sealed class AbandonedCartSettingsConfiguration : IEntityTypeConfiguration<AbandonedCartSettings>
{
    public void Configure(EntityTypeBuilder<AbandonedCartSettings> b)
    {
        b.ToTable("abandoned_cart_settings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Steps).HasMaxLength(100_000);
    }
}

internal sealed class AbandonedCartEmailConfiguration : IEntityTypeConfiguration<AbandonedCartEmail>
{
    public void Configure(EntityTypeBuilder<AbandonedCartEmail> b)
    {
        b.ToTable("abandoned_cart_emails");
        b.HasIndex(e => new { e.CartId, e.StepIndex }).IsUnique();
        b.HasIndex(e => e.Token).IsUnique();
        b.HasIndex(e => e.SentAt);
        b.Property(e => e.Email).HasMaxLength(320);
        b.Property(e => e.Token).HasMaxLength(64);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Shared;

namespace Storekeep.Quotes;

/// <summary>
/// A quote's lifecycle. <see cref="Expired"/> is never stored: a draft or sent quote past its
/// <see cref="Quote.ValidUntil"/> day reads as expired (<see cref="Quote.StatusOn"/>).
/// </summary>
public enum QuoteStatus
{
    Draft,
    Sent,
    Accepted,
    Expired,
    Declined,
}

/// <summary>
/// A sales quote to a company's buyer (or any email): lines at the company's price-list prices or
/// negotiated ones, valid until a day. Editing a sent quote makes a new <see cref="Version"/>; every
/// version's lines are kept. The buyer accepts the current version at its secret link.
/// </summary>
public sealed class Quote
{
    public const int NoteMaxLength = 2000;
    public const string NumberSequence = "quote_numbers";

    public Guid Id { get; init; } = Ids.NewId();

    /// <summary>Shown as Q-1001; the same across versions.</summary>
    public long Number { get; init; }

    public int Version { get; set; } = 1;
    public QuoteStatus Status { get; set; } = QuoteStatus.Draft;
    public Guid? CompanyId { get; init; }

    /// <summary>The buyer it is sent to and who accepts it: the order is theirs.</summary>
    public required string Email { get; set; }

    public Guid? DealId { get; init; }

    /// <summary>The last day (UTC) the quote can be accepted.</summary>
    public DateOnly ValidUntil { get; set; }

    public string? Note { get; set; }
    public required string Currency { get; init; }

    /// <summary>Σ line totals of the current version, before shipping and tax.</summary>
    public decimal Total { get; set; }

    /// <summary>The secret in the acceptance link (32 random bytes, hex): whoever holds it may accept for the buyer.</summary>
    public required string AcceptToken { get; init; }

    public Guid? OrderId { get; set; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public static string Display(long number) => $"Q-{number}";

    public static bool IsExpired(QuoteStatus stored, DateOnly validUntil, DateTime now) =>
        stored is QuoteStatus.Draft or QuoteStatus.Sent && validUntil < DateOnly.FromDateTime(now);

    public QuoteStatus StatusOn(DateTime now) => IsExpired(Status, ValidUntil, now) ? QuoteStatus.Expired : Status;
}

/// <summary>One line of one version of a quote.</summary>
public sealed class QuoteLine
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid QuoteId { get; init; }
    public int Version { get; init; }
    public int Position { get; init; }
    public required string Sku { get; init; }
    public required string Title { get; init; }
    public int Quantity { get; init; }

    /// <summary>The variant's own price when quoted.</summary>
    public decimal RegularPrice { get; init; }

    /// <summary>What the buyer pays per unit: the price list's, or a negotiated price.</summary>
    public decimal UnitPrice { get; init; }

    /// <summary>True when the rep set <see cref="UnitPrice"/> by hand.</summary>
    public bool Negotiated { get; init; }

    public decimal LineTotal { get; init; }
}

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> b)
    {
        b.ToTable("quotes", t => t.HasCheckConstraint("ck_quotes_version", "version >= 1"));
        b.HasIndex(q => q.Number).IsUnique();
        b.HasIndex(q => q.AcceptToken).IsUnique();
        b.HasIndex(q => q.CompanyId);
        b.HasIndex(q => q.DealId);
        b.HasIndex(q => q.Email);
        b.Property(q => q.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(q => q.Email).HasMaxLength(254);
        b.Property(q => q.Note).HasMaxLength(Quote.NoteMaxLength);
        b.Property(q => q.Currency).HasMaxLength(3);
        b.Property(q => q.AcceptToken).HasMaxLength(64);
        b.Property(q => q.CreatedBy).HasMaxLength(200);
    }
}

internal sealed class QuoteLineConfiguration : IEntityTypeConfiguration<QuoteLine>
{
    public void Configure(EntityTypeBuilder<QuoteLine> b)
    {
        b.ToTable("quote_lines", t => t.HasCheckConstraint("ck_quote_lines_quantity", "quantity > 0"));
        b.HasIndex(l => new { l.QuoteId, l.Version, l.Position }).IsUnique();
        b.Property(l => l.Sku).HasMaxLength(64);
        b.Property(l => l.Title).HasMaxLength(300);
        b.HasOne<Quote>().WithMany().HasForeignKey(l => l.QuoteId).OnDelete(DeleteBehavior.Cascade);
    }
}

public enum QuotePaymentStatus
{
    Open,
    Completed,
    Failed,
}

/// <summary>
/// One attempt to pay a quote's version by a payment intent (Stripe's Payment Element, 3-D
/// Secure): the intent, the amount it was made for, and the delivery details the order will take.
/// Completion claims the row in the order's own transaction, so the buyer's return and the webhook
/// make one order between them.
/// </summary>
public sealed class QuotePaymentAttempt
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid QuoteId { get; init; }

    /// <summary>The version priced when the intent was made: a newer version voids it.</summary>
    public int Version { get; init; }

    public required string Gateway { get; init; }
    public required string IntentId { get; init; }
    public QuotePaymentStatus Status { get; set; }

    /// <summary>The quote's total (with shipping and tax) the intent was made or last updated for.</summary>
    public decimal Amount { get; set; }

    public required string Currency { get; init; }

    /// <summary>Delivery address and shipping method as JSON; no payment data.</summary>
    public required string Details { get; set; }

    /// <summary>At the buyer's link (only a sent quote), or by staff (a draft too).</summary>
    public bool ByBuyer { get; init; }

    /// <summary>Who accepts: named on the order's timeline and the deal's win.</summary>
    public required string Actor { get; init; }

    public Guid? OrderId { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class QuotePaymentAttemptConfiguration : IEntityTypeConfiguration<QuotePaymentAttempt>
{
    public void Configure(EntityTypeBuilder<QuotePaymentAttempt> b)
    {
        b.ToTable("quote_payment_attempts");
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.Gateway).HasMaxLength(32);
        b.Property(a => a.IntentId).HasMaxLength(255);
        b.Property(a => a.Currency).HasMaxLength(3);
        b.Property(a => a.Details).HasMaxLength(2000);
        b.Property(a => a.Actor).HasMaxLength(200);
        b.Property(a => a.FailureCode).HasMaxLength(64);
        b.Property(a => a.FailureMessage).HasMaxLength(500);
        b.HasIndex(a => new { a.Gateway, a.IntentId }).IsUnique();
        b.HasIndex(a => new { a.QuoteId, a.Status });
        b.HasOne<Quote>().WithMany().HasForeignKey(a => a.QuoteId).OnDelete(DeleteBehavior.Cascade);
    }
}

using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Invoices;

/// <summary>What an invoice's row records; <c>overdue</c> is derived (open or partially paid past its due time).</summary>
public enum InvoiceStatus
{
    Open,
    PartiallyPaid,
    Paid,
    Void,
}

/// <summary>
/// The bill of an order on terms. Money changes only by guarded UPDATEs (see <see cref="Invoicing"/>):
/// <c>amount_paid</c> never passes <c>total</c> (also a check constraint).
/// </summary>
public sealed class Invoice
{
    public Guid Id { get; init; } = Ids.NewId();

    /// <summary>Sequential from 1 (<see cref="InvoiceCounter"/>), shown as <see cref="Format"/>.</summary>
    public long Number { get; init; }

    public Guid OrderId { get; init; }
    public Guid CompanyId { get; init; }
    public required string Currency { get; init; }
    public DateTime IssuedAt { get; init; }
    public DateTime DueAt { get; init; }
    public decimal Total { get; init; }
    public decimal AmountPaid { get; init; }
    public InvoiceStatus Status { get; init; }
    public DateTime? VoidedAt { get; init; }

    /// <summary>When the overdue reminder was queued (once per invoice, claimed by a guarded update).</summary>
    public DateTime? ReminderSentAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    public static string Format(long number) => string.Create(CultureInfo.InvariantCulture, $"INV-{number:D6}");
}

/// <summary>A payment recorded against an invoice (bank transfer, check…): append-only.</summary>
public sealed class InvoicePayment
{
    public const int MethodMaxLength = 32;
    public const int ReferenceMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid InvoiceId { get; init; }
    public decimal Amount { get; init; }
    public required string Method { get; init; }
    public string? Reference { get; init; }
    public required string RecordedBy { get; init; }
    public DateTime RecordedAt { get; init; }
}

/// <summary>
/// A company's credit in use: Σ amount due of its open invoices, in minor units. Changed only by
/// guarded UPDATEs, the one at issue bounded by the company's credit limit.
/// </summary>
public sealed class CompanyCredit
{
    public Guid CompanyId { get; init; }
    public decimal Outstanding { get; init; }
}

/// <summary>The last invoice number issued (one row): taken by <c>UPDATE … SET last_number = last_number + 1 RETURNING</c>.</summary>
public sealed class InvoiceCounter
{
    public const string Invoices = "invoices";

    public required string Name { get; init; }
    public long LastNumber { get; init; }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> b)
    {
        b.ToTable("invoices", t =>
        {
            t.HasCheckConstraint("ck_invoices_paid_within_total", "amount_paid >= 0 AND amount_paid <= total");
        });
        b.HasIndex(i => i.Number).IsUnique();
        b.HasIndex(i => i.OrderId).IsUnique();
        b.HasIndex(i => new { i.CompanyId, i.Status });
        b.HasIndex(i => new { i.Status, i.DueAt });
        b.Property(i => i.Currency).HasMaxLength(3);
        b.Property(i => i.Status).AsSnakeCaseString().HasMaxLength(16);
        b.HasOne<Order>().WithMany().HasForeignKey(i => i.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Company>().WithMany().HasForeignKey(i => i.CompanyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoicePaymentConfiguration : IEntityTypeConfiguration<InvoicePayment>
{
    public void Configure(EntityTypeBuilder<InvoicePayment> b)
    {
        b.ToTable("invoice_payments");
        b.HasIndex(p => p.InvoiceId);
        b.Property(p => p.Method).HasMaxLength(InvoicePayment.MethodMaxLength);
        b.Property(p => p.Reference).HasMaxLength(InvoicePayment.ReferenceMaxLength);
        b.Property(p => p.RecordedBy).HasMaxLength(200);
        b.HasOne<Invoice>().WithMany().HasForeignKey(p => p.InvoiceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CompanyCreditConfiguration : IEntityTypeConfiguration<CompanyCredit>
{
    public void Configure(EntityTypeBuilder<CompanyCredit> b)
    {
        b.ToTable("company_credit", t => t.HasCheckConstraint("ck_company_credit_outstanding", "outstanding >= 0"));
        b.HasKey(c => c.CompanyId);
        b.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InvoiceCounterConfiguration : IEntityTypeConfiguration<InvoiceCounter>
{
    public void Configure(EntityTypeBuilder<InvoiceCounter> b)
    {
        b.ToTable("invoice_counters");
        b.HasKey(c => c.Name);
        b.Property(c => c.Name).HasMaxLength(32);
    }
}

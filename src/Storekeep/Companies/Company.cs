using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Sales;
using Storekeep.Shared;

namespace Storekeep.Companies;

public enum PaymentTerms
{
    Prepaid,
    Net15,
    Net30,
    Net60,
}

/// <summary>A business account: several buyers (customers with its id), its terms, its owner rep.</summary>
public sealed class Company
{
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public required string Country { get; set; }

    public string? Region { get; set; }
    public string? Industry { get; set; }

    /// <summary>The price list its buyers pay when signed in (PriceLists.BuyerPrices).</summary>
    public Guid? PriceListId { get; set; }

    public PaymentTerms PaymentTerms { get; set; }

    /// <summary>In the store currency; null: no limit.</summary>
    public decimal? CreditLimit { get; set; }

    public Guid? OwnerRepId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    private static readonly Dictionary<PaymentTerms, string> TermNames = new()
    {
        [PaymentTerms.Prepaid] = "prepaid",
        [PaymentTerms.Net15] = "net_15",
        [PaymentTerms.Net30] = "net_30",
        [PaymentTerms.Net60] = "net_60",
    };

    public static string TermsName(PaymentTerms terms) => TermNames[terms];

    public static PaymentTerms? ParseTerms(Validation v, string field, string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var (terms, name) in TermNames)
        {
            if (name == text.Trim())
            {
                return terms;
            }
        }

        v.Add(field, $"'{field}' must be one of {string.Join(", ", TermNames.Values)}.");
        return null;
    }
}

internal sealed class CompanyConfiguration : IEntityTypeConfiguration<Company>
{
    public void Configure(EntityTypeBuilder<Company> b)
    {
        b.ToTable("companies");
        b.Property(c => c.Name).HasMaxLength(Company.NameMaxLength);
        b.Property(c => c.Country).HasMaxLength(2);
        b.Property(c => c.Region).HasMaxLength(100);
        b.Property(c => c.Industry).HasMaxLength(100);
        b.Property(c => c.PaymentTerms).HasConversion(v => Company.TermsName(v), v => Enum.Parse<PaymentTerms>(v.Replace("_", "", StringComparison.Ordinal), true)).HasMaxLength(16);
        b.HasIndex(c => c.Name);
        b.HasIndex(c => c.OwnerRepId);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(c => c.OwnerRepId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// Who owned the company from <see cref="At"/> on (append-only): orders are credited to the owner
/// of the day they were placed, so reassigning an account does not move past revenue
/// (docs/sales.md, "Attribution").
/// </summary>
public sealed class CompanyOwnerChange
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid CompanyId { get; init; }
    public Guid? OwnerRepId { get; init; }
    public DateTime At { get; init; }
}

internal sealed class CompanyOwnerChangeConfiguration : IEntityTypeConfiguration<CompanyOwnerChange>
{
    public void Configure(EntityTypeBuilder<CompanyOwnerChange> b)
    {
        b.ToTable("company_owner_changes");
        b.HasIndex(c => new { c.CompanyId, c.At });
        b.HasOne<Company>().WithMany().HasForeignKey(c => c.CompanyId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(c => c.OwnerRepId).OnDelete(DeleteBehavior.Restrict);
    }
}

public sealed record CreateCompanyRequest(
    string? Name,
    string? Country,
    string? Region,
    string? Industry,
    Guid? PriceListId,
    string? PaymentTerms,
    decimal? CreditLimit,
    Guid? OwnerRepId);

/// <summary>Omitted (null) fields stay as they are.</summary>
public sealed record UpdateCompanyRequest(
    string? Name,
    string? Country,
    string? Region,
    string? Industry,
    Guid? PriceListId,
    string? PaymentTerms,
    decimal? CreditLimit,
    Guid? OwnerRepId);

public sealed record AddBuyerRequest(string? Email, string? Name);

public sealed record BuyerView(Guid CustomerId, string Email, string? FirstName, string? LastName);

/// <param name="CreditLimit">In the store currency; null: no limit.</param>
/// <param name="Buyers">Only when one company is read; null in lists.</param>
public sealed record CompanyView(
    Guid Id,
    string Name,
    string Country,
    string? Region,
    string? Industry,
    Guid? PriceListId,
    string PaymentTerms,
    decimal? CreditLimit,
    Guid? OwnerRepId,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<BuyerView>? Buyers);

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Analytics;

/// <summary>
/// One UTC day of sales in one currency, kept current by <see cref="DailySalesRollup"/>: the
/// dashboard reads these rows instead of scanning orders. See docs/analytics.md for the definitions.
/// </summary>
public sealed class DailySales
{
    public DateOnly Day { get; init; }
    public required string Currency { get; init; }

    /// <summary>Orders placed that day and not cancelled.</summary>
    public int Orders { get; set; }

    /// <summary>Sum of those orders' totals.</summary>
    public decimal Gross { get; set; }

    /// <summary>Succeeded refunds created that day on orders that are not cancelled.</summary>
    public decimal Refunds { get; set; }

    /// <summary>Units ordered on those orders.</summary>
    public long Units { get; set; }

    public decimal Revenue => Gross - Refunds;
}

internal sealed class DailySalesConfiguration : IEntityTypeConfiguration<DailySales>
{
    public void Configure(EntityTypeBuilder<DailySales> b)
    {
        b.ToTable("daily_sales");
        b.HasKey(d => new { d.Day, d.Currency });
        b.Property(d => d.Currency).HasMaxLength(3);
        b.Ignore(d => d.Revenue);
    }
}

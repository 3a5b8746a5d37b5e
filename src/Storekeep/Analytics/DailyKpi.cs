using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Analytics;

/// <summary>
/// The additive KPI figures of one UTC day in one currency under one key of one dimension (the
/// day's total, or a category, channel or country), kept current by <see cref="DailySalesRollup"/>;
/// <see cref="KpiReport"/> sums these rows instead of reading every order. Amounts are in
/// <see cref="KpiAmounts.Scale"/> units (10⁻⁸ of the currency unit), not cents: by category an
/// order's shipping, tax, discounts and refunds are split by its lines' shares, fractions of a cent
/// that the report sums unrounded and rounds per row. Definitions: docs/analytics.md, "Reports".
/// </summary>
public sealed class DailyKpi
{
    public DateOnly Day { get; init; }
    public required string Currency { get; init; }

    /// <summary>One of <see cref="KpiDimensions"/>.</summary>
    public required string Dimension { get; init; }

    /// <summary>The category name (or <see cref="KpiGroupings.Uncategorized"/>), channel or country; "" for the total.</summary>
    public required string Key { get; init; }

    /// <summary>Orders placed that day (not cancelled) with this key; by category, those with a line in it.</summary>
    public int Orders { get; set; }

    public long Units { get; set; }
    public long Gross { get; set; }
    public long Discounts { get; set; }
    public long Shipping { get; set; }
    public long Tax { get; set; }

    /// <summary>Tax added on top of the prices (not already inside the line amounts).</summary>
    public long AddedTax { get; set; }

    public long CostOfGoods { get; set; }

    /// <summary>Succeeded refunds made that day on orders with this key (not cancelled), whenever the order was placed.</summary>
    public long Refunds { get; set; }

    /// <summary>Customers whose first order ever (in this currency) was placed that day, with this key.</summary>
    public int NewCustomers { get; set; }

    /// <summary>Distinct customers with an order placed that day with this key (the day grouping's customers).</summary>
    public int Customers { get; set; }
}

/// <summary>The dimensions <see cref="DailyKpi"/> rows are kept under.</summary>
public static class KpiDimensions
{
    public const string Total = "total";
    public const string Category = "category";
    public const string Channel = "channel";
    public const string Country = "country";

    public static readonly IReadOnlyList<string> All = [Total, Category, Channel, Country];

    /// <summary>The dimension a grouping reads: time groupings read the day totals; segment has none (computed live).</summary>
    public static string? Of(string grouping) => grouping switch
    {
        KpiGroupings.Category => Category,
        KpiGroupings.Channel => Channel,
        KpiGroupings.Country => Country,
        KpiGroupings.Segment => null,
        _ => Total,
    };
}

/// <summary>Amounts of <see cref="DailyKpi"/>: exact integers of 10⁻⁸ currency units.</summary>
public static class KpiAmounts
{
    public const decimal Scale = 100_000_000m;

    public static long ToScaled(decimal amount) => (long)Math.Round(amount * Scale, MidpointRounding.AwayFromZero);

    public static decimal FromScaled(long scaled) => scaled / Scale;
}

internal sealed class DailyKpiConfiguration : IEntityTypeConfiguration<DailyKpi>
{
    public void Configure(EntityTypeBuilder<DailyKpi> b)
    {
        b.ToTable("daily_kpis");
        b.HasKey(d => new { d.Currency, d.Dimension, d.Day, d.Key });
        b.HasIndex(d => d.Day);
        b.Property(d => d.Currency).HasMaxLength(3);
        b.Property(d => d.Dimension).HasMaxLength(16);
        b.Property(d => d.Key).HasMaxLength(200);
    }
}

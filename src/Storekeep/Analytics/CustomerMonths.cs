using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Storekeep.Analytics;

/// <summary>
/// How many customers ordered under one KPI key in <see cref="Month"/> whose previous month with
/// an order under that key was <see cref="PreviousMonth"/> (<see cref="CustomerMonths.None"/> when
/// it is their first): the rollup that counts distinct customers over whole months without reading
/// orders. The customers of the months [a, b) are the rows with a ≤ Month &lt; b and PreviousMonth
/// &lt; a, each customer counted once (in the first month of the range they ordered in). Under the
/// dimension <see cref="CustomerMonths.SecondOrder"/>, Month is the month of a customer's second
/// order ever and PreviousMonth that of their first, for the repeat purchase rate.
/// Kept by <see cref="CustomerMonthsRollup"/>; definitions in docs/analytics.md.
/// </summary>
public sealed class CustomerMonth
{
    public required string Currency { get; init; }

    /// <summary>One of <see cref="KpiDimensions"/>, or <see cref="CustomerMonths.SecondOrder"/>.</summary>
    public required string Dimension { get; init; }

    /// <summary>The category, channel or country; "" for the total and for second orders.</summary>
    public required string Key { get; init; }

    /// <summary>The first day of the month.</summary>
    public DateOnly Month { get; init; }

    /// <summary>The first day of the previous month with an order under the key, or <see cref="CustomerMonths.None"/>.</summary>
    public DateOnly PreviousMonth { get; init; }

    public int Customers { get; set; }
}

/// <summary>
/// One customer's share of <see cref="CustomerMonth"/> in one currency: the rows they add one to,
/// kept so that when their orders change the rollup moves by the difference (and replaying the same
/// change moves it by nothing). <see cref="Version"/> guards the update: two writers of the same
/// customer cannot both apply their difference.
/// </summary>
public sealed class CustomerMonthsShare
{
    public required string Currency { get; init; }

    /// <summary><see cref="ReportMath.CustomerKey"/>: the customer id, or a guest's email in lower case.</summary>
    public required string Customer { get; init; }

    /// <summary>The rows as JSON: [[dimension, key, "yyyy-MM", "yyyy-MM" or ""], …], sorted.</summary>
    public required string Rows { get; set; }

    public int Version { get; set; }
}

internal sealed class CustomerMonthConfiguration : IEntityTypeConfiguration<CustomerMonth>
{
    public void Configure(EntityTypeBuilder<CustomerMonth> b)
    {
        b.ToTable("customer_months");
        b.HasKey(m => new { m.Currency, m.Dimension, m.Month, m.Key, m.PreviousMonth });
        b.Property(m => m.Currency).HasMaxLength(3);
        b.Property(m => m.Dimension).HasMaxLength(16);
        b.Property(m => m.Key).HasMaxLength(200);
    }
}

internal sealed class CustomerMonthsShareConfiguration : IEntityTypeConfiguration<CustomerMonthsShare>
{
    public void Configure(EntityTypeBuilder<CustomerMonthsShare> b)
    {
        b.ToTable("customer_months_shares");
        b.HasKey(s => new { s.Currency, s.Customer });
        b.HasIndex(s => s.Customer);
        b.Property(s => s.Currency).HasMaxLength(3);
        b.Property(s => s.Customer).HasMaxLength(320);
        b.Property(s => s.Rows).HasMaxLength(1_000_000);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>When an order's revenue counts for a commission (docs/sales.md, "Commissions").</summary>
public enum CommissionBasis
{
    /// <summary>When the order is placed.</summary>
    Invoiced,

    /// <summary>When the order's payment is captured (received).</summary>
    Paid,
}

/// <summary>A rep's target for one month (<c>2026-11</c>) or quarter (<c>2026-Q4</c>); set by an upsert.</summary>
public sealed class SalesQuota
{
    public Guid RepId { get; init; }

    /// <summary>The period's key as <see cref="SalesPeriod.Key"/> spells it.</summary>
    public required string Period { get; init; }

    public decimal Amount { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A commission plan: a base rate and tiers by attainment, all in percent.</summary>
public sealed class CommissionPlan
{
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }
    public CommissionBasis Basis { get; set; }

    /// <summary>Percent of the commissionable amount, two decimals (stored in hundredths like money).</summary>
    public decimal Rate { get; set; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>From <see cref="FromAttainment"/> percent of quota on, <see cref="Rate"/> replaces the plan's base rate for the whole period.</summary>
public sealed class CommissionPlanTier
{
    public Guid PlanId { get; init; }
    public decimal FromAttainment { get; init; }
    public decimal Rate { get; init; }
}

/// <summary>
/// The plan a rep was on from <see cref="At"/> on (append-only; <see cref="PlanId"/> null: none), so
/// a statement uses the plan of its own period, not today's (docs/sales.md, "Commissions").
/// </summary>
public sealed class CommissionPlanAssignment
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid RepId { get; init; }
    public Guid? PlanId { get; init; }
    public DateTime At { get; init; }
}

/// <summary>
/// What a deal's forecast was from <see cref="At"/> on (append-only): written with every change of
/// a deal (creation, edit, stage change, win, loss), so the forecast as it stood at any instant can
/// be read back exactly (forecast accuracy).
/// </summary>
public sealed class DealForecastChange
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid DealId { get; init; }
    public DateTime At { get; init; }
    public DealStage Stage { get; init; }
    public ForecastCategory Category { get; init; }
    public int Probability { get; init; }
    public decimal Amount { get; init; }
    public DateOnly ExpectedCloseDate { get; init; }
    public Guid? OwnerRepId { get; init; }

    public static DealForecastChange Of(Deal deal, DateTime at) => new()
    {
        DealId = deal.Id,
        At = at,
        Stage = deal.Stage,
        Category = deal.ForecastCategory,
        Probability = deal.Probability,
        Amount = deal.Amount,
        ExpectedCloseDate = deal.ExpectedCloseDate,
        OwnerRepId = deal.OwnerRepId,
    };
}

internal sealed class SalesQuotaConfiguration : IEntityTypeConfiguration<SalesQuota>
{
    public void Configure(EntityTypeBuilder<SalesQuota> b)
    {
        b.ToTable("sales_quotas");
        b.HasKey(q => new { q.RepId, q.Period });
        b.Property(q => q.Period).HasMaxLength(7);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(q => q.RepId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CommissionPlanConfiguration : IEntityTypeConfiguration<CommissionPlan>
{
    public void Configure(EntityTypeBuilder<CommissionPlan> b)
    {
        b.ToTable("sales_commission_plans");
        b.Property(p => p.Name).HasMaxLength(CommissionPlan.NameMaxLength);
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.Basis).AsSnakeCaseString();
    }
}

internal sealed class CommissionPlanTierConfiguration : IEntityTypeConfiguration<CommissionPlanTier>
{
    public void Configure(EntityTypeBuilder<CommissionPlanTier> b)
    {
        b.ToTable("sales_commission_plan_tiers");
        b.HasKey(t => new { t.PlanId, t.FromAttainment });
        b.HasOne<CommissionPlan>().WithMany().HasForeignKey(t => t.PlanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CommissionPlanAssignmentConfiguration : IEntityTypeConfiguration<CommissionPlanAssignment>
{
    public void Configure(EntityTypeBuilder<CommissionPlanAssignment> b)
    {
        b.ToTable("sales_commission_plan_assignments");
        b.HasIndex(a => new { a.RepId, a.At });
        b.HasIndex(a => a.PlanId);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(a => a.RepId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CommissionPlan>().WithMany().HasForeignKey(a => a.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DealForecastChangeConfiguration : IEntityTypeConfiguration<DealForecastChange>
{
    public void Configure(EntityTypeBuilder<DealForecastChange> b)
    {
        b.ToTable("sales_deal_forecast_changes");
        b.Property(c => c.Stage).AsSnakeCaseString();
        b.Property(c => c.Category).AsSnakeCaseString();
        b.HasIndex(c => new { c.DealId, c.At });
        b.HasOne<Deal>().WithMany().HasForeignKey(c => c.DealId).OnDelete(DeleteBehavior.Cascade);
    }
}

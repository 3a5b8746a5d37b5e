using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>The pipeline's stages in order; <see cref="Won"/> and <see cref="Lost"/> close a deal.</summary>
public enum DealStage
{
    Prospecting,
    Qualification,
    Proposal,
    Negotiation,
    Closing,
    Won,
    Lost,
}

public enum ForecastCategory
{
    Pipeline,
    BestCase,
    Commit,
    Omitted,

    /// <summary>Set when the deal is won; never by hand.</summary>
    Closed,
}

public enum TerritoryAssignment
{
    /// <summary>Each new company or deal goes to the next rep of the territory in turn.</summary>
    RoundRobin,

    /// <summary>A deal goes to its company's owner rep; otherwise (and a new company) to the territory's first rep.</summary>
    Owner,
}

public enum ActivityType
{
    Call,
    Email,
    Meeting,
    Task,
    Note,
}

public sealed class SalesTeam
{
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary>The back-office user who manages the team.</summary>
    public Guid? ManagerId { get; set; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>A sales rep: a back-office user in a team.</summary>
public sealed class SalesRep
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid UserId { get; init; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public Guid TeamId { get; set; }

    /// <summary>The rep's home territory; the rep is also in that territory's rotation.</summary>
    public Guid? TerritoryId { get; set; }

    /// <summary>The commission plan the rep is paid by (none: no commission).</summary>
    public Guid? CommissionPlanId { get; set; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// Where new companies and deals go: matched by country, region or industry (an empty list matches
/// anything), assigned round-robin through <see cref="AssignmentCursor"/> (only ever advanced by one
/// guarded UPDATE) or to a fixed owner.
/// </summary>
public sealed class SalesTerritory
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }
    public List<string> Countries { get; set; } = [];
    public List<string> Regions { get; set; } = [];
    public List<string> Industries { get; set; } = [];
    public TerritoryAssignment Assignment { get; set; }

    /// <summary>How many assignments the rotation has made: the next rep is reps[cursor mod count].</summary>
    public long AssignmentCursor { get; set; }

    public DateTime CreatedAt { get; init; }
}

public sealed class SalesTerritoryRep
{
    public Guid TerritoryId { get; init; }
    public Guid RepId { get; init; }

    /// <summary>The rep's place in the rotation.</summary>
    public int Position { get; init; }
}

/// <summary>A default probability per open stage; absent rows mean the built-in defaults.</summary>
public sealed class SalesStageProbability
{
    public DealStage Stage { get; init; }
    public int Probability { get; set; }
}

/// <summary>
/// A deal through the pipeline. Its stage changes only by guarded UPDATEs on the stage it is
/// leaving, so two concurrent moves cannot both write history from the same stage.
/// </summary>
public sealed class Deal
{
    public const int TitleMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Title { get; set; }
    public Guid? CompanyId { get; set; }
    public string? ContactEmail { get; set; }
    public decimal Amount { get; set; }
    public DateOnly ExpectedCloseDate { get; set; }
    public Guid? OwnerRepId { get; set; }
    public string? Source { get; set; }
    public DealStage Stage { get; set; }

    /// <summary>0–100: the stage's default, or the one set by hand (<see cref="ProbabilityManual"/>), which stage changes keep.</summary>
    public int Probability { get; set; }

    public bool ProbabilityManual { get; set; }
    public ForecastCategory ForecastCategory { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? LostReason { get; set; }
    public Guid? OrderId { get; set; }

    public bool IsClosed => Stage is DealStage.Won or DealStage.Lost;
}

/// <summary>One stage change of a deal (append-only). The first row of every deal has no <see cref="FromStage"/>.</summary>
public sealed class DealStageChange
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid DealId { get; init; }
    public DealStage? FromStage { get; init; }
    public DealStage ToStage { get; init; }
    public DateTime At { get; init; }
    public required string Actor { get; init; }
    public int Probability { get; init; }
}

public sealed class SalesActivity
{
    public const int SubjectMaxLength = 500;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid DealId { get; init; }
    public ActivityType Type { get; init; }
    public required string Subject { get; init; }
    public DateTime? DueAt { get; init; }
    public DateTime? DoneAt { get; set; }
    public required string Actor { get; init; }
    public DateTime CreatedAt { get; init; }
}

internal sealed class SalesTeamConfiguration : IEntityTypeConfiguration<SalesTeam>
{
    public void Configure(EntityTypeBuilder<SalesTeam> b)
    {
        b.ToTable("sales_teams");
        b.Property(t => t.Name).HasMaxLength(SalesTeam.NameMaxLength);
    }
}

internal sealed class SalesRepConfiguration : IEntityTypeConfiguration<SalesRep>
{
    public void Configure(EntityTypeBuilder<SalesRep> b)
    {
        b.ToTable("sales_reps");
        b.HasIndex(r => r.UserId).IsUnique();
        b.HasIndex(r => r.TeamId);
        b.Property(r => r.Name).HasMaxLength(200);
        b.Property(r => r.Email).HasMaxLength(254);
        b.HasOne<SalesTeam>().WithMany().HasForeignKey(r => r.TeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<SalesTerritory>().WithMany().HasForeignKey(r => r.TerritoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CommissionPlan>().WithMany().HasForeignKey(r => r.CommissionPlanId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SalesTerritoryConfiguration : IEntityTypeConfiguration<SalesTerritory>
{
    public void Configure(EntityTypeBuilder<SalesTerritory> b)
    {
        b.ToTable("sales_territories");
        b.Property(t => t.Name).HasMaxLength(200);
        b.Property(t => t.Assignment).AsSnakeCaseString();
    }
}

internal sealed class SalesTerritoryRepConfiguration : IEntityTypeConfiguration<SalesTerritoryRep>
{
    public void Configure(EntityTypeBuilder<SalesTerritoryRep> b)
    {
        b.ToTable("sales_territory_reps");
        b.HasKey(r => new { r.TerritoryId, r.RepId });
        b.HasOne<SalesTerritory>().WithMany().HasForeignKey(r => r.TerritoryId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(r => r.RepId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SalesStageProbabilityConfiguration : IEntityTypeConfiguration<SalesStageProbability>
{
    public void Configure(EntityTypeBuilder<SalesStageProbability> b)
    {
        b.ToTable("sales_stage_probabilities", t => t.HasCheckConstraint("ck_sales_stage_probabilities_range", "probability >= 0 AND probability <= 100"));
        b.HasKey(s => s.Stage);
        b.Property(s => s.Stage).AsSnakeCaseString();
    }
}

internal sealed class DealConfiguration : IEntityTypeConfiguration<Deal>
{
    public void Configure(EntityTypeBuilder<Deal> b)
    {
        b.ToTable("sales_deals", t => t.HasCheckConstraint("ck_sales_deals_probability", "probability >= 0 AND probability <= 100"));
        b.Ignore(d => d.IsClosed);
        b.Property(d => d.Title).HasMaxLength(Deal.TitleMaxLength);
        b.Property(d => d.ContactEmail).HasMaxLength(254);
        b.Property(d => d.Source).HasMaxLength(100);
        b.Property(d => d.LostReason).HasMaxLength(500);
        b.Property(d => d.Stage).AsSnakeCaseString();
        b.Property(d => d.ForecastCategory).AsSnakeCaseString();
        b.HasIndex(d => new { d.OwnerRepId, d.Stage });
        b.HasIndex(d => d.CompanyId);
        b.HasIndex(d => d.ClosedAt);
        b.HasOne<SalesRep>().WithMany().HasForeignKey(d => d.OwnerRepId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DealStageChangeConfiguration : IEntityTypeConfiguration<DealStageChange>
{
    public void Configure(EntityTypeBuilder<DealStageChange> b)
    {
        b.ToTable("sales_deal_stage_changes");
        b.Property(c => c.FromStage).HasConversion(
            v => v == null ? null : StorekeepDbContext.ToSnakeCase(v.Value.ToString()),
            v => v == null ? null : Enum.Parse<DealStage>(v, true)).HasMaxLength(32);
        b.Property(c => c.ToStage).AsSnakeCaseString();
        b.Property(c => c.Actor).HasMaxLength(200);
        b.HasIndex(c => new { c.DealId, c.At });
        b.HasIndex(c => c.At);
        b.HasOne<Deal>().WithMany().HasForeignKey(c => c.DealId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SalesActivityConfiguration : IEntityTypeConfiguration<SalesActivity>
{
    public void Configure(EntityTypeBuilder<SalesActivity> b)
    {
        b.ToTable("sales_activities");
        b.Property(a => a.Type).AsSnakeCaseString();
        b.Property(a => a.Subject).HasMaxLength(SalesActivity.SubjectMaxLength);
        b.Property(a => a.Actor).HasMaxLength(200);
        b.HasIndex(a => a.DealId);
        b.HasIndex(a => new { a.DoneAt, a.DueAt });
        b.HasOne<Deal>().WithMany().HasForeignKey(a => a.DealId).OnDelete(DeleteBehavior.Cascade);
    }
}

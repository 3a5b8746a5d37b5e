using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Experiments;

public enum ExperimentKind
{
    Campaign,
    Storefront,
    Offer,
}

public enum ExperimentMetric
{
    Conversion,
    RevenuePerVisitor,
}

public enum ExperimentStatus
{
    Draft,
    Running,
    Stopped,
}

/// <summary>
/// An A/B test (table <c>experiments</c>): draft → running → stopped. Its variants split visitors by
/// weight; one variant is always named <see cref="ControlKey"/> and the others are compared with it
/// (docs/marketing.md, "Experiments").
/// </summary>
public sealed class Experiment
{
    public const string ControlKey = "control";
    public const string TreatmentKey = "treatment";
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }
    public ExperimentKind Kind { get; init; }
    public ExperimentMetric Metric { get; init; }
    public ExperimentStatus Status { get; set; }

    /// <summary>kind campaign: the campaign whose sends are the variants (no foreign key: campaigns are another capability's).</summary>
    public Guid? CampaignId { get; init; }

    /// <summary>kind offer: the automatic discount only the <see cref="TreatmentKey"/> variant sees.</summary>
    public Guid? DiscountId { get; init; }

    public DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; set; }
    public DateTime? StoppedAt { get; set; }

    public List<ExperimentVariant> Variants { get; init; } = [];
}

/// <summary>One arm of an experiment (table <c>experiment_variants</c>); storefront variants carry the home page's headline and banner.</summary>
public sealed class ExperimentVariant
{
    public const int KeyMaxLength = 64;
    public const int HeadlineMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid ExperimentId { get; init; }
    public required string Key { get; init; }
    public int Weight { get; init; }

    /// <summary>Order of the variants as created (the first is the first bucket).</summary>
    public int Position { get; init; }

    public string? Headline { get; init; }
    public string? Banner { get; init; }
}

/// <summary>
/// A visitor's first exposure to an experiment (table <c>experiment_exposures</c>): one row per
/// (experiment, visitor), with the variant the hash assigned and when the visitor first saw it.
/// Orders placed by the visitor from then on count for that variant.
/// </summary>
public sealed class ExperimentExposure
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid ExperimentId { get; init; }
    public required string VisitorId { get; init; }
    public required string VariantKey { get; init; }
    public DateTime ExposedAt { get; init; }
}

internal sealed class ExperimentConfiguration : IEntityTypeConfiguration<Experiment>
{
    public void Configure(EntityTypeBuilder<Experiment> b)
    {
        b.ToTable("experiments");
        b.Property(e => e.Name).HasMaxLength(Experiment.NameMaxLength);
        b.Property(e => e.Kind).AsSnakeCaseString();
        b.Property(e => e.Metric).AsSnakeCaseString();
        b.Property(e => e.Status).AsSnakeCaseString();
        b.HasIndex(e => new { e.Status, e.Kind });
        b.HasMany(e => e.Variants).WithOne().HasForeignKey(v => v.ExperimentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ExperimentVariantConfiguration : IEntityTypeConfiguration<ExperimentVariant>
{
    public void Configure(EntityTypeBuilder<ExperimentVariant> b)
    {
        b.ToTable("experiment_variants", t => t.HasCheckConstraint("ck_experiment_variants_weight", "weight > 0"));
        b.Property(v => v.Key).HasMaxLength(ExperimentVariant.KeyMaxLength);
        b.Property(v => v.Headline).HasMaxLength(ExperimentVariant.HeadlineMaxLength);
        b.HasIndex(v => new { v.ExperimentId, v.Key }).IsUnique();
    }
}

internal sealed class ExperimentExposureConfiguration : IEntityTypeConfiguration<ExperimentExposure>
{
    public void Configure(EntityTypeBuilder<ExperimentExposure> b)
    {
        b.ToTable("experiment_exposures");
        b.Property(x => x.VisitorId).HasMaxLength(32);
        b.Property(x => x.VariantKey).HasMaxLength(ExperimentVariant.KeyMaxLength);
        b.HasIndex(x => new { x.ExperimentId, x.VisitorId }).IsUnique();
        b.HasIndex(x => x.VisitorId);
        b.HasOne<Experiment>().WithMany().HasForeignKey(x => x.ExperimentId).OnDelete(DeleteBehavior.Cascade);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Shared;

namespace Storekeep.Segments;

/// <summary>
/// A saved group of customers (table <c>segments</c>): rules over their figures and profile,
/// evaluated live in SQL whenever it is read. Rules are JSON: they are only read whole.
/// </summary>
public sealed class Segment
{
    public const int NameMaxLength = 100;
    public const int MaxRules = 20;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary><c>all</c>: every rule must hold; <c>any</c>: at least one.</summary>
    public required string Match { get; set; }

    /// <summary>JSON array of <see cref="SegmentRuleView"/>.</summary>
    public string Rules { get; set; } = "[]";

    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> b)
    {
        b.ToTable("segments");
        b.Property(s => s.Name).HasMaxLength(Segment.NameMaxLength);
        b.Property(s => s.Match).HasMaxLength(8);
        b.Property(s => s.Rules).HasMaxLength(20_000);
        b.HasIndex(s => s.Name).IsUnique();
    }
}

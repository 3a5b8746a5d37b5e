using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Campaigns;

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> b)
    {
        b.ToTable("campaigns");
        b.Property(c => c.Name).HasMaxLength(Campaign.NameMaxLength);
        b.Property(c => c.Channel).HasMaxLength(16);
        b.Property(c => c.Subject).HasMaxLength(Campaign.SubjectMaxLength);
        b.Property(c => c.Body).HasMaxLength(Campaign.BodyMaxLength);
        b.Property(c => c.Variants).HasMaxLength(Campaign.BodyMaxLength * (Campaign.MaxVariants + 1));
        b.Property(c => c.Status).AsSnakeCaseString();
        b.HasIndex(c => new { c.Status, c.ScheduledAt });
    }
}

internal sealed class CampaignRecipientConfiguration : IEntityTypeConfiguration<CampaignRecipient>
{
    public void Configure(EntityTypeBuilder<CampaignRecipient> b)
    {
        b.ToTable("campaign_recipients");
        b.HasIndex(r => new { r.CampaignId, r.CustomerId }).IsUnique();
        b.HasIndex(r => new { r.CampaignId, r.Status, r.Id });
        b.HasIndex(r => r.Token).IsUnique();
        b.HasIndex(r => r.ClaimId);
        b.HasIndex(r => new { r.CustomerId, r.ClickedAt });
        b.Property(r => r.VariantKey).HasMaxLength(32);
        b.Property(r => r.Address).HasMaxLength(320);
        b.Property(r => r.Token).HasMaxLength(CampaignRecipient.TokenLength);
        b.Property(r => r.Status).AsSnakeCaseString();
        b.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CampaignId);
    }
}

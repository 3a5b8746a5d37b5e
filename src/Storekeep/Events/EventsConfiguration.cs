using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Events;

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> b)
    {
        b.ToTable("outbox_events");
        b.HasIndex(e => e.Position).IsUnique();
        b.HasIndex(e => e.PublishedAt);
        b.Property(e => e.Type).HasMaxLength(64);
        b.Property(e => e.Payload).HasMaxLength(1_000_000);
    }
}

internal sealed class EventSubscriptionConfiguration : IEntityTypeConfiguration<EventSubscription>
{
    public void Configure(EntityTypeBuilder<EventSubscription> b)
    {
        b.ToTable("event_subscriptions");
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(EventSubscription.MaxNameLength);
        b.Property(s => s.LastError).HasMaxLength(EventSubscription.MaxErrorLength);
    }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> b)
    {
        b.Property(w => w.Url).HasMaxLength(2000);
        b.Property(w => w.Events).HasMaxLength(2000);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasIndex(d => new { d.WebhookId, d.Id });
        b.HasIndex(d => new { d.WebhookId, d.EventId }).IsUnique();
        b.Property(d => d.Status).AsSnakeCaseString();
        b.Property(d => d.LastError).HasMaxLength(2000);
        b.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OutboxEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
    }
}

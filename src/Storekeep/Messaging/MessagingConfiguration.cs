using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Messaging;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.ToTable("messages");
        b.HasIndex(m => new { m.Status, m.NextAttemptAt });
        b.HasIndex(m => new { m.To, m.Id });
        b.HasIndex(m => new { m.Type, m.Id });
        b.HasIndex(m => m.DedupeKey).IsUnique();
        b.HasIndex(m => m.OrderId);
        b.HasIndex(m => m.CampaignId);
        b.Property(m => m.UnsubscribeUrl).HasMaxLength(Message.MaxUrlLength);
        b.Property(m => m.ReplyTo).HasMaxLength(Message.MaxToLength);
        b.Property(m => m.Channel).HasMaxLength(16);
        b.Property(m => m.To).HasMaxLength(Message.MaxToLength);
        b.Property(m => m.Type).HasMaxLength(64);
        b.Property(m => m.Subject).HasMaxLength(Message.MaxSubjectLength);
        b.Property(m => m.HtmlBody).HasMaxLength(Message.MaxHtmlLength);
        b.Property(m => m.TextBody).HasMaxLength(Message.MaxTextLength);
        b.Property(m => m.Status).AsSnakeCaseString();
        b.Property(m => m.LastError).HasMaxLength(Message.MaxErrorLength);
        b.Property(m => m.DedupeKey).HasMaxLength(Message.MaxDedupeKeyLength);
    }
}

internal sealed class MessageTemplateConfiguration : IEntityTypeConfiguration<MessageTemplate>
{
    public void Configure(EntityTypeBuilder<MessageTemplate> b)
    {
        b.ToTable("message_templates");
        b.HasKey(t => t.Key);
        b.Property(t => t.Key).HasMaxLength(64);
        b.Property(t => t.Subject).HasMaxLength(MessageTemplate.MaxSubjectLength);
        b.Property(t => t.Html).HasMaxLength(MessageTemplate.MaxHtmlLength);
        b.Property(t => t.Text).HasMaxLength(MessageTemplate.MaxTextLength);
    }
}

internal sealed class InboundSmsConfiguration : IEntityTypeConfiguration<InboundSms>
{
    public void Configure(EntityTypeBuilder<InboundSms> b)
    {
        b.ToTable("inbound_sms");
        b.HasKey(s => s.MessageSid);
        b.Property(s => s.MessageSid).HasMaxLength(InboundSms.MaxSidLength);
        b.HasIndex(s => s.ReceivedAt); // the daily prune
    }
}

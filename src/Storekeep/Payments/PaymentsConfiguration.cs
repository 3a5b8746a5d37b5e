using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Orders;

namespace Storekeep.Payments;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.HasIndex(p => p.OrderId);
        b.HasIndex(p => p.GatewayReference);
        // The stalled-capture sweep (StalledCaptures) runs on every node each minute: it reads only
        // the few payments mid-capture, never the whole table.
        b.HasIndex(p => p.CreatedAt, "ix_payments_capturing_by_age").HasFilter("status = 'capturing'");
        b.Property(p => p.Method).AsSnakeCaseString();
        b.Property(p => p.Status).AsSnakeCaseString();
        b.Property(p => p.Currency).HasMaxLength(3);
        b.Property(p => p.Last4).HasMaxLength(4);
        b.HasOne<Order>().WithMany().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.ToTable(t => t.HasCheckConstraint("ck_payments_refund_within_capture", "refunded_amount <= captured_amount"));
    }
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> b)
    {
        b.HasIndex(r => r.OrderId);
        b.HasIndex(r => r.CreatedAt);
        b.Property(r => r.Status).AsSnakeCaseString();
        b.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RefundLineConfiguration : IEntityTypeConfiguration<RefundLine>
{
    public void Configure(EntityTypeBuilder<RefundLine> b)
    {
        b.Property(l => l.Sku).HasMaxLength(64);
        b.HasIndex(l => l.RefundId);
        b.HasIndex(l => l.OrderLineId);
        b.HasOne<Refund>().WithMany().HasForeignKey(l => l.RefundId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StripeWebhookEventConfiguration : IEntityTypeConfiguration<StripeWebhookEvent>
{
    public void Configure(EntityTypeBuilder<StripeWebhookEvent> b)
    {
        b.Property(e => e.Id).HasMaxLength(StripeWebhookEvent.MaxIdLength).ValueGeneratedNever();
        b.Property(e => e.Type).HasMaxLength(StripeWebhookEvent.MaxTypeLength);
        b.HasIndex(e => e.ReceivedAt);
    }
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Storekeep.Data;

namespace Storekeep.Orders;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.HasIndex(o => o.Number).IsUnique();
        b.HasIndex(o => new { o.Email, o.Number });
        b.Property(o => o.DiscountTotal).HasDefaultValue(0m);
        b.Property(o => o.ShippingDiscount).HasDefaultValue(0m);
        b.HasIndex(o => new { o.Status, o.Number });

        // The back office's order tabs (OrderSearch): each walks one of these in number order.
        b.HasIndex(o => new { o.FulfillmentStatus, o.Number });
        b.HasIndex(o => new { o.PaymentStatus, o.Number });
        b.HasIndex(o => o.CreatedAt);

        // The dashboard's "waiting to ship" queue (SalesDashboard.WaitingToShip): its count and first
        // page read only the queue, not every open or unfulfilled order (cancelled ones are unfulfilled).
        b.HasIndex(o => o.Number, "ix_orders_waiting_to_ship")
            .HasFilter("status = 'open' AND payment_status IN ('paid', 'partially_refunded') AND fulfillment_status IN ('unfulfilled', 'partially_shipped')");
        b.HasIndex(o => o.CartId).IsUnique();

        // Open unpaid orders (manual methods): the per-client limit counts them by address, the
        // unpaid-order sweep walks them by age.
        const string unpaid = "status = 'open' AND payment_status = 'pending'";
        b.HasIndex(o => o.ClientAddress, "ix_orders_unpaid_by_client").HasFilter(unpaid);
        b.HasIndex(o => o.CreatedAt, "ix_orders_unpaid_by_age").HasFilter(unpaid);
        b.Property(o => o.ClientAddress).HasMaxLength(64);
        b.HasIndex(o => new { o.PlacedByUserId, o.Number });
        // A customer's loyalty spend and account orders (CustomerFigures.Of, LoyaltyLedger): by customer, not email.
        b.HasIndex(o => o.CustomerId);
        b.Property(o => o.Status).AsSnakeCaseString();
        b.Property(o => o.PaymentStatus).AsSnakeCaseString();
        b.Property(o => o.FulfillmentStatus).AsSnakeCaseString();
        b.Property(o => o.Email).HasMaxLength(254);
        b.Property(o => o.Currency).HasMaxLength(3);
        b.Property(o => o.Channel).HasMaxLength(64);
        b.OwnsOne(o => o.ShippingAddress, a =>
        {
            a.Property(x => x.Name).HasColumnName("ship_name");
            a.Property(x => x.Line1).HasColumnName("ship_line1");
            a.Property(x => x.Line2).HasColumnName("ship_line2");
            a.Property(x => x.City).HasColumnName("ship_city");
            a.Property(x => x.Region).HasColumnName("ship_region");
            a.Property(x => x.PostalCode).HasColumnName("ship_postal_code").HasMaxLength(32);
            a.Property(x => x.Country).HasColumnName("ship_country").HasMaxLength(2);
        });
        b.Navigation(o => o.ShippingAddress).IsRequired();
        // Order history import: one order per external number and source, so importing a file twice adds nothing.
        b.HasIndex(o => new { o.Source, o.ExternalNumber }).IsUnique();
        b.Property(o => o.Source).HasMaxLength(16).HasDefaultValue(OrderSources.Checkout);
        b.Property(o => o.ExternalNumber).HasMaxLength(64);
        b.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(o => o.Timeline).WithOne().HasForeignKey(t => t.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> b)
    {
        b.Property(l => l.Sku).HasMaxLength(64);
        b.HasIndex(l => l.Sku);

        // 0 by default, so bulk loads that predate discounts (the importer's COPY, the benches) need not name it.
        b.Property(l => l.DiscountAmount).HasDefaultValue(0m);
        b.Property(l => l.RefundedQuantity).HasDefaultValue(0);

        // Written once at checkout and only read back whole, so one JSON text column.
        b.Property(l => l.DiscountAllocations).HasConversion(
            new ValueConverter<IReadOnlyList<OrderLineDiscount>?, string?>(
                v => v == null ? null : JsonSerializer.Serialize(v, JsonOptions),
                v => v == null ? null : JsonSerializer.Deserialize<List<OrderLineDiscount>>(v, JsonOptions)),
            new ValueComparer<IReadOnlyList<OrderLineDiscount>?>(
                (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
                v => v == null ? 0 : v.Aggregate(0, (h, d) => HashCode.Combine(h, d.GetHashCode())),
                v => v == null ? null : v.ToList()));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

internal sealed class OrderAllocationConfiguration : IEntityTypeConfiguration<OrderAllocation>
{
    public void Configure(EntityTypeBuilder<OrderAllocation> b)
    {
        b.HasIndex(a => a.OrderId);
        b.HasIndex(a => new { a.WarehouseId, a.Sku });
        b.Ignore(a => a.Outstanding);
        b.Property(a => a.Sku).HasMaxLength(64);
    }
}

internal sealed class OrderTimelineConfiguration : IEntityTypeConfiguration<OrderTimelineEntry>
{
    public void Configure(EntityTypeBuilder<OrderTimelineEntry> b)
    {
        b.ToTable("order_timeline");
        b.Property(t => t.Message).HasMaxLength(2000);
    }
}

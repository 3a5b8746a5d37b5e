using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Customers;
using Storekeep.Events;
using Storekeep.Fulfillment;
using Storekeep.Idempotency;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Data;

// One place for the mapping of every table, so the schema can be read top to bottom. Enums are
// stored as their snake_case names so the database reads like the API.
internal static class EnumColumn
{
    public static PropertyBuilder<TEnum> AsSnakeCaseString<TEnum>(this PropertyBuilder<TEnum> property)
        where TEnum : struct, Enum =>
        property.HasConversion(new ValueConverter<TEnum, string>(
            v => StorekeepDbContext.ToSnakeCase(v.ToString()),
            v => Enum.Parse<TEnum>(v.Replace("_", "", StringComparison.Ordinal), true))).HasMaxLength(32);
}

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.HasIndex(c => c.Slug).IsUnique();
        b.Property(c => c.Description).HasMaxLength(4000);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.HasIndex(p => p.Slug).IsUnique();
        b.HasIndex(p => new { p.Status, p.Id });
        b.HasIndex(p => new { p.CategoryId, p.Id });
        b.Property(p => p.Status).AsSnakeCaseString();
        b.Property(p => p.Description).HasMaxLength(20000);
        b.Property(p => p.SearchText).HasMaxLength(30000);
        b.HasOne(p => p.Category).WithMany().HasForeignKey(p => p.CategoryId).OnDelete(DeleteBehavior.SetNull);
        b.HasMany(p => p.Variants).WithOne(v => v.Product).HasForeignKey(v => v.ProductId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProductVariantConfiguration : IEntityTypeConfiguration<ProductVariant>
{
    public void Configure(EntityTypeBuilder<ProductVariant> b)
    {
        b.ToTable("product_variants");
        b.HasIndex(v => v.Sku).IsUnique();
        b.Property(v => v.Sku).HasMaxLength(64);
    }
}

internal sealed class WarehouseConfiguration : IEntityTypeConfiguration<Warehouse>
{
    public void Configure(EntityTypeBuilder<Warehouse> b)
    {
        b.HasIndex(w => w.Code).IsUnique();
        b.Property(w => w.Code).HasMaxLength(32);
    }
}

internal sealed class StockLevelConfiguration : IEntityTypeConfiguration<StockLevel>
{
    public void Configure(EntityTypeBuilder<StockLevel> b)
    {
        b.HasIndex(s => new { s.Sku, s.WarehouseId }).IsUnique();
        b.Property(s => s.Sku).HasMaxLength(64);
        b.Ignore(s => s.Available);
        b.HasOne(s => s.Warehouse).WithMany().HasForeignKey(s => s.WarehouseId).OnDelete(DeleteBehavior.Restrict);
        b.ToTable(t => t.HasCheckConstraint("ck_stock_levels_balances", "reserved >= 0 AND on_hand >= reserved"));
    }
}

internal sealed class StockMovementConfiguration : IEntityTypeConfiguration<StockMovement>
{
    public void Configure(EntityTypeBuilder<StockMovement> b)
    {
        b.HasIndex(m => new { m.Sku, m.Id });
        b.Property(m => m.Sku).HasMaxLength(64);
        b.Property(m => m.Type).AsSnakeCaseString();
        b.HasOne<Warehouse>().WithMany().HasForeignKey(m => m.WarehouseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CartConfiguration : IEntityTypeConfiguration<Cart>
{
    public void Configure(EntityTypeBuilder<Cart> b)
    {
        b.Property(c => c.Status).AsSnakeCaseString();
        b.Property(c => c.Currency).HasMaxLength(3);
        b.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.CartId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.Status, c.UpdatedAt });
    }
}

internal sealed class CartItemConfiguration : IEntityTypeConfiguration<CartItem>
{
    public void Configure(EntityTypeBuilder<CartItem> b)
    {
        b.HasIndex(i => new { i.CartId, i.Sku }).IsUnique();
        b.Property(i => i.Sku).HasMaxLength(64);
    }
}

internal sealed class ShippingMethodConfiguration : IEntityTypeConfiguration<ShippingMethod>
{
    public void Configure(EntityTypeBuilder<ShippingMethod> b) => b.HasIndex(m => m.Code).IsUnique();
}

internal sealed class TaxRateConfiguration : IEntityTypeConfiguration<TaxRate>
{
    public void Configure(EntityTypeBuilder<TaxRate> b)
    {
        // Percent with four decimals, stored as an exact integer (8.875 % → 88750).
        b.Property(t => t.Rate).HasConversion(v => (long)(v * 10000m), v => v / 10000m);
        b.HasIndex(t => new { t.Country, t.Region }).IsUnique();
        b.Property(t => t.Country).HasMaxLength(2);
        b.Property(t => t.Region).HasMaxLength(64);
    }
}

internal sealed class StoreSettingsConfiguration : IEntityTypeConfiguration<StoreSettings>
{
    public void Configure(EntityTypeBuilder<StoreSettings> b)
    {
        b.ToTable("store_settings");
        b.Property(s => s.Id).ValueGeneratedNever();
    }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.HasIndex(c => c.Email).IsUnique();
        b.Property(c => c.Email).HasMaxLength(254);
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.HasIndex(o => o.Number).IsUnique();
        b.HasIndex(o => new { o.Email, o.Number });
        b.HasIndex(o => new { o.Status, o.Number });
        b.HasIndex(o => o.CreatedAt);
        b.HasIndex(o => o.CartId).IsUnique();
        b.Property(o => o.Status).AsSnakeCaseString();
        b.Property(o => o.PaymentStatus).AsSnakeCaseString();
        b.Property(o => o.FulfillmentStatus).AsSnakeCaseString();
        b.Property(o => o.Email).HasMaxLength(254);
        b.Property(o => o.Currency).HasMaxLength(3);
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
    }
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

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.HasIndex(p => p.OrderId);
        b.HasIndex(p => p.GatewayReference);
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
        b.Property(r => r.Status).AsSnakeCaseString();
        b.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ShipmentConfiguration : IEntityTypeConfiguration<Shipment>
{
    public void Configure(EntityTypeBuilder<Shipment> b)
    {
        b.HasIndex(s => s.OrderId);
        b.Property(s => s.Status).AsSnakeCaseString();
        b.HasMany(s => s.Lines).WithOne().HasForeignKey(l => l.ShipmentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Order>().WithMany().HasForeignKey(s => s.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReturnConfiguration : IEntityTypeConfiguration<ReturnRequest>
{
    public void Configure(EntityTypeBuilder<ReturnRequest> b)
    {
        b.ToTable("returns");
        b.HasIndex(r => r.Number).IsUnique();
        b.HasIndex(r => r.OrderId);
        b.Ignore(r => r.RmaNumber);
        b.Property(r => r.Status).AsSnakeCaseString();
        b.Property(r => r.Reason).HasMaxLength(1000);
        b.HasMany(r => r.Lines).WithOne().HasForeignKey(l => l.ReturnId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

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

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.HasIndex(k => k.Hash).IsUnique();
        b.Property(k => k.Role).AsSnakeCaseString();
        b.Property(k => k.Hash).HasMaxLength(64);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.HasIndex(r => new { r.Scope, r.Key }).IsUnique();
        b.HasIndex(r => r.CreatedAt);
        b.Property(r => r.Key).HasMaxLength(255);
        b.Property(r => r.Fingerprint).HasMaxLength(64);
        b.Property(r => r.Body).HasMaxLength(1_000_000);
    }
}

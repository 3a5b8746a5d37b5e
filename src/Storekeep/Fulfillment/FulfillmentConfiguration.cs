using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Orders;

namespace Storekeep.Fulfillment;

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

internal sealed class PickScanConfiguration : IEntityTypeConfiguration<PickScan>
{
    public void Configure(EntityTypeBuilder<PickScan> b)
    {
        b.HasIndex(s => new { s.OrderId, s.WarehouseId });
        b.Property(s => s.Code).HasMaxLength(PickScanning.MaxCodeLength);
        b.Property(s => s.Sku).HasMaxLength(64);
        b.Property(s => s.ScannedBy).HasMaxLength(256);
        b.HasOne<Order>().WithMany().HasForeignKey(s => s.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Inventory.Warehouse>().WithMany().HasForeignKey(s => s.WarehouseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReturnConfiguration : IEntityTypeConfiguration<ReturnRequest>
{
    public void Configure(EntityTypeBuilder<ReturnRequest> b)
    {
        b.ToTable("returns");
        b.HasIndex(r => r.Number).IsUnique();
        b.HasIndex(r => r.OrderId);

        // Orders with a return waiting to be received (the back office's returns tab).
        b.HasIndex(r => new { r.Status, r.OrderId });
        b.Ignore(r => r.RmaNumber);
        b.Property(r => r.Status).AsSnakeCaseString();
        b.Property(r => r.Reason).HasMaxLength(1000);
        b.HasMany(r => r.Lines).WithOne().HasForeignKey(l => l.ReturnId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
    }
}

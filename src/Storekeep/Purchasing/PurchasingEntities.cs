using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Shared;

namespace Storekeep.Purchasing;

/// <summary>Someone the store buys stock from.</summary>
public sealed class Supplier
{
    public const int NameMaxLength = 200;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary>Where purchase orders are emailed.</summary>
    public required string Email { get; set; }

    /// <summary>ISO 4217 code; the supplier's prices and purchase orders are in it.</summary>
    public required string Currency { get; set; }

    /// <summary>Days from sending an order to the goods arriving, unless a product says otherwise.</summary>
    public int LeadTimeDays { get; set; }

    public DateTime CreatedAt { get; init; }
    public List<SupplierProduct> Products { get; init; } = [];
}

/// <summary>A SKU a supplier sells the store, on its terms: cost, minimum order, pack size, lead time.</summary>
public sealed class SupplierProduct
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid SupplierId { get; init; }
    public required string Sku { get; init; }

    /// <summary>The supplier's own code for it, printed on purchase orders.</summary>
    public string? SupplierSku { get; set; }

    /// <summary>What one unit costs, in the supplier's currency.</summary>
    public decimal Cost { get; set; }

    public int MinimumOrderQuantity { get; set; } = 1;
    public int PackSize { get; set; } = 1;

    /// <summary>Overrides the supplier's lead time for this SKU.</summary>
    public int? LeadTimeDays { get; set; }

    public DateTime UpdatedAt { get; set; }
}

public enum PurchaseOrderStatus
{
    /// <summary>Being written; nothing is expected yet.</summary>
    Draft,

    /// <summary>Emailed to the supplier; every line's quantity is incoming.</summary>
    Sent,

    /// <summary>Some units have arrived; the rest are still incoming.</summary>
    PartiallyReceived,

    /// <summary>Every unit ordered has arrived.</summary>
    Received,

    /// <summary>Called off; whatever had not arrived is no longer incoming.</summary>
    Cancelled,
}

/// <summary>
/// An order to a supplier for stock delivered to one warehouse. Its status changes only by guarded
/// UPDATEs (<see cref="PurchaseOrders"/>), and each line's received quantity only by a guarded
/// UPDATE that can never take it past the quantity ordered.
/// </summary>
public sealed class PurchaseOrder
{
    public const string NumberSequence = "purchase_order_numbers";

    public Guid Id { get; init; } = Ids.NewId();

    /// <summary>Shown as PO-1001.</summary>
    public long Number { get; init; }

    public string PoNumber => FormatNumber(Number);
    public Guid SupplierId { get; init; }
    public Guid WarehouseId { get; init; }
    public PurchaseOrderStatus Status { get; set; }

    /// <summary>The supplier's currency when the order was written; unit costs are in it.</summary>
    public required string Currency { get; init; }

    public DateTime? ExpectedAt { get; init; }
    public required string Actor { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? SentAt { get; set; }
    public DateTime? ReceivedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public List<PurchaseOrderLine> Lines { get; init; } = [];

    public static string FormatNumber(long number) => $"PO-{number}";
}

public sealed class PurchaseOrderLine
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid PurchaseOrderId { get; set; }
    public required string Sku { get; init; }
    public int Quantity { get; init; }
    public int ReceivedQuantity { get; set; }

    /// <summary>Per unit, in the order's currency.</summary>
    public decimal UnitCost { get; init; }

    public int Position { get; init; }
}

internal sealed class SupplierConfiguration : IEntityTypeConfiguration<Supplier>
{
    public void Configure(EntityTypeBuilder<Supplier> b)
    {
        b.ToTable("suppliers");
        b.Property(s => s.Name).HasMaxLength(Supplier.NameMaxLength);
        b.Property(s => s.Email).HasMaxLength(254);
        b.Property(s => s.Currency).HasMaxLength(3);
        b.HasIndex(s => s.Name);
        b.HasMany(s => s.Products).WithOne().HasForeignKey(p => p.SupplierId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SupplierProductConfiguration : IEntityTypeConfiguration<SupplierProduct>
{
    public void Configure(EntityTypeBuilder<SupplierProduct> b)
    {
        b.ToTable("supplier_products");
        b.HasIndex(p => new { p.SupplierId, p.Sku }).IsUnique();
        b.HasIndex(p => p.Sku);
        b.Property(p => p.Sku).HasMaxLength(64);
        b.Property(p => p.SupplierSku).HasMaxLength(64);
    }
}

internal sealed class PurchaseOrderConfiguration : IEntityTypeConfiguration<PurchaseOrder>
{
    public void Configure(EntityTypeBuilder<PurchaseOrder> b)
    {
        b.ToTable("purchase_orders");
        b.HasIndex(o => o.Number).IsUnique();
        b.HasIndex(o => new { o.Status, o.WarehouseId });
        b.HasIndex(o => o.SupplierId);
        b.Ignore(o => o.PoNumber);
        b.Property(o => o.Status).AsSnakeCaseString();
        b.Property(o => o.Currency).HasMaxLength(3);
        b.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.PurchaseOrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Supplier>().WithMany().HasForeignKey(o => o.SupplierId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Warehouse>().WithMany().HasForeignKey(o => o.WarehouseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PurchaseOrderLineConfiguration : IEntityTypeConfiguration<PurchaseOrderLine>
{
    public void Configure(EntityTypeBuilder<PurchaseOrderLine> b)
    {
        b.ToTable("purchase_order_lines", t => t.HasCheckConstraint(
            "ck_purchase_order_lines_received", "quantity > 0 AND received_quantity >= 0 AND received_quantity <= quantity"));
        b.HasIndex(l => new { l.PurchaseOrderId, l.Sku }).IsUnique();
        b.HasIndex(l => l.Sku);
        b.Property(l => l.Sku).HasMaxLength(64);
    }
}

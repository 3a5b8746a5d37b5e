using Storekeep.Shared;

namespace Storekeep.Fulfillment;

public enum ShipmentStatus
{
    Shipped,
    Delivered,
}

public sealed class Shipment
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public Guid WarehouseId { get; init; }
    public required string Carrier { get; init; }
    public required string TrackingNumber { get; init; }
    public ShipmentStatus Status { get; set; }
    public DateTime ShippedAt { get; init; }
    public DateTime? DeliveredAt { get; set; }
    public List<ShipmentLine> Lines { get; init; } = [];
}

public sealed class ShipmentLine
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid ShipmentId { get; set; }
    public required string Sku { get; init; }
    public int Quantity { get; init; }
}

/// <summary>
/// One scan while picking an order in a warehouse: what the barcode or SKU read, the SKU it is, how
/// many units, and whether it was right (a unit the order still needed from this warehouse). Wrong
/// scans are kept: they are what pick accuracy counts.
/// </summary>
public sealed class PickScan
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public Guid WarehouseId { get; init; }

    /// <summary>What the scanner read (a SKU or a barcode), as read.</summary>
    public required string Code { get; init; }

    /// <summary>The SKU the code is, when it is one of the catalog's.</summary>
    public string? Sku { get; init; }

    public int Quantity { get; init; }
    public bool Correct { get; init; }
    public required string ScannedBy { get; init; }
    public DateTime ScannedAt { get; init; }
}

public enum ReturnStatus
{
    Requested,
    Received,
}

public sealed class ReturnRequest
{
    public Guid Id { get; init; } = Ids.NewId();

    /// <summary>Shown as RMA-1001.</summary>
    public long Number { get; init; }

    public string RmaNumber => $"RMA-{Number}";
    public Guid OrderId { get; init; }
    public required string Reason { get; init; }
    public bool Restock { get; init; }
    public ReturnStatus Status { get; set; }
    public required string Actor { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ReceivedAt { get; set; }
    public List<ReturnLine> Lines { get; init; } = [];
}

public sealed class ReturnLine
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid ReturnId { get; set; }

    /// <summary>Where these units shipped from, so a restock puts them back where they left.</summary>
    public Guid WarehouseId { get; init; }

    public required string Sku { get; init; }
    public int Quantity { get; init; }
}

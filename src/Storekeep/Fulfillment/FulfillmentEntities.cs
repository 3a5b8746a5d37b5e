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

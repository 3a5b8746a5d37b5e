using Storekeep.Shared;

namespace Storekeep.Inventory;

public sealed class Warehouse
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Code { get; set; }
    public required string Name { get; set; }

    /// <summary>Lower ships first when more than one warehouse can ship a whole order.</summary>
    public int Priority { get; set; }

    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// The balance of one SKU in one warehouse. Never read-modify-written in memory: every change is one
/// guarded UPDATE plus a <see cref="StockMovement"/> row in the same transaction.
/// </summary>
public sealed class StockLevel
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid WarehouseId { get; set; }
    public Warehouse? Warehouse { get; set; }
    public required string Sku { get; set; }
    public long OnHand { get; set; }
    public long Reserved { get; set; }
    public long LowStockThreshold { get; set; }

    /// <summary>
    /// Set by Planning when the SKU has a demand forecast; while set, the low-stock alert fires at
    /// this instead of <see cref="LowStockThreshold"/> (see <see cref="AlertThreshold"/>).
    /// </summary>
    public long? ReorderPoint { get; set; }

    public long Available => OnHand - Reserved;

    /// <summary>The level at or under which the stock is low: the reorder point when Planning set one, else the threshold.</summary>
    public long AlertThreshold => ReorderPoint ?? LowStockThreshold;
}

public enum MovementType
{
    Receipt,
    Adjustment,
    Reservation,
    Release,
    Shipment,
    Return,
    WriteOff,
    TransferOut,
    TransferIn,
}

/// <summary>An append-only ledger row: per SKU and warehouse the deltas sum to the balances.</summary>
public sealed class StockMovement
{
    public Guid Id { get; init; } = Ids.NewId();
    public required string Sku { get; init; }
    public Guid WarehouseId { get; init; }
    public MovementType Type { get; init; }
    public long OnHandDelta { get; init; }
    public long ReservedDelta { get; init; }
    public string? Reason { get; init; }
    public required string Actor { get; init; }

    /// <summary>What caused it, e.g. <c>order:1042</c>, <c>transfer:…</c>, <c>return:RMA-1001</c>.</summary>
    public string? Reference { get; init; }

    public DateTime CreatedAt { get; init; }
}

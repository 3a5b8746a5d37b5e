namespace Storekeep.Inventory;

// Request properties are nullable so a missing field is a validation error, not a JSON error.

public sealed record CreateWarehouseRequest(string? Code, string? Name, int? Priority);

/// <param name="Type">
/// Optional: <c>adjustment</c> (default, either sign), <c>receipt</c> (goods in, positive) or
/// <c>write_off</c> (damaged or lost, negative). It only labels the ledger row.
/// </param>
public sealed record AdjustStockRequest(string? Sku, string? Warehouse, int? Quantity, string? Reason, string? Type);

public sealed record TransferStockRequest(string? Sku, string? From, string? To, int? Quantity, string? Reason);

public sealed record SetLowStockThresholdRequest(long? LowStockThreshold);

public sealed record WarehouseView(Guid Id, string Code, string Name, int Priority, DateTime CreatedAt);

public sealed record MovementView(
    Guid Id,
    string Sku,
    string Warehouse,
    MovementType Type,
    long OnHandDelta,
    long ReservedDelta,
    string? Reason,
    string Actor,
    string? Reference,
    DateTime CreatedAt);

/// <param name="Reference">The <c>reference</c> both ledger rows carry: <c>transfer:&lt;id&gt;</c>.</param>
public sealed record TransferView(Guid Id, string Reference, string Sku, string From, string To, int Quantity, IReadOnlyList<MovementView> Movements);

/// <param name="Incoming">Ordered from suppliers and not yet received (sent or partially received purchase orders).</param>
/// <param name="ReorderPoint">Planning's reorder point from the demand forecast; while set, the stock is low at or under it instead of the threshold.</param>
public sealed record WarehouseStockView(string Warehouse, long OnHand, long Reserved, long Available, long LowStockThreshold, long Incoming = 0, long? ReorderPoint = null);

/// <param name="Incoming">Ordered from suppliers and not yet received, over all warehouses.</param>
public sealed record SkuStockView(string Sku, long OnHand, long Reserved, long Available, IReadOnlyList<WarehouseStockView> Warehouses, long Incoming = 0);

/// <param name="Incoming">Ordered from suppliers for this warehouse and not yet received.</param>
/// <param name="ReorderPoint">Planning's reorder point from the demand forecast; while set, the stock is low at or under it instead of the threshold.</param>
public sealed record StockLevelView(Guid Id, string Sku, string Warehouse, long OnHand, long Reserved, long Available, long LowStockThreshold, long Incoming = 0, long? ReorderPoint = null);

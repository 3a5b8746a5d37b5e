using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Shared;

namespace Storekeep.Inventory;

public sealed record StockRequest(string Sku, int Quantity);

/// <summary>Units of one SKU reserved (or to be acted on) in one warehouse.</summary>
public sealed record StockAllocation(Guid WarehouseId, string Sku, int Quantity);

public sealed record LowStockEvent(string Sku, string Warehouse, long Available, long Threshold);

/// <summary>
/// Every stock change. Each is one guarded UPDATE (the balance can never go below what it guards,
/// whatever runs beside it) plus a ledger row, inside the caller's transaction. Nothing here reads
/// a balance, changes it in memory and writes it back.
/// </summary>
public sealed class InventoryService(StorekeepDbContext db, TimeProvider clock)
{
    private const int PlanAttempts = 3;

    /// <summary>
    /// Reserves the lines across warehouses: the highest-priority warehouse that can ship the whole
    /// order; when none can, each line from warehouses in priority order, split as needed.
    /// Throws <c>insufficient_stock</c> when the stores together do not have enough.
    /// Must run inside a transaction.
    /// </summary>
    public async Task<IReadOnlyList<StockAllocation>> ReserveAsync(IReadOnlyList<StockRequest> lines, string reference, Actor actor, CancellationToken ct)
    {
        var requested = lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => new StockRequest(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.Sku, StringComparer.Ordinal)
            .ToList();
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("ReserveAsync must run inside a transaction.");

        for (var attempt = 1; ; attempt++)
        {
            var levels = await LoadLevelsAsync(requested.Select(r => r.Sku).ToList(), ct);
            var plan = Plan(requested, levels);

            // A plan from a snapshot can be beaten by a concurrent checkout; the guarded updates
            // decide. On a miss, undo this attempt's updates and plan again from fresh balances.
            await transaction.CreateSavepointAsync("reserve", ct);
            var failed = false;
            var lowStock = new List<LowStockEvent>();
            foreach (var allocation in plan.OrderBy(a => a.Sku, StringComparer.Ordinal).ThenBy(a => a.WarehouseId))
            {
                var after = await GuardedUpdateAsync(
                    $"UPDATE stock_levels SET reserved = reserved + {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND on_hand - reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", low_stock_threshold AS \"LowStockThreshold\"",
                    ct);
                if (after is null)
                {
                    failed = true;
                    break;
                }

                CollectLowStock(lowStock, allocation, after, levels);
            }

            if (!failed)
            {
                foreach (var allocation in plan)
                {
                    AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Reservation, 0, allocation.Quantity, null, actor, reference);
                }

                RaiseLowStock(lowStock);
                await transaction.ReleaseSavepointAsync("reserve", ct);
                return plan;
            }

            await transaction.RollbackToSavepointAsync("reserve", ct);
            if (attempt >= PlanAttempts)
            {
                var fresh = await LoadLevelsAsync(requested.Select(r => r.Sku).ToList(), ct);
                var shortLine = requested.FirstOrDefault(r => fresh.Where(l => l.Sku == r.Sku).Sum(l => l.Available) < r.Quantity) ?? requested[0];
                throw Errors.InsufficientStock(shortLine.Sku, shortLine.Quantity, fresh.Where(l => l.Sku == shortLine.Sku).Sum(l => l.Available));
            }
        }
    }

    /// <summary>Gives reserved units back to available (cancellation).</summary>
    public async Task ReleaseAsync(StockAllocation allocation, string reference, Actor actor, CancellationToken ct)
    {
        var after = await GuardedUpdateAsync(
            $"UPDATE stock_levels SET reserved = reserved - {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", low_stock_threshold AS \"LowStockThreshold\"",
            ct) ?? throw Errors.Conflict("reservation_missing", $"No reservation of {allocation.Quantity} × '{allocation.Sku}' to release.");
        _ = after;
        AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Release, 0, -allocation.Quantity, null, actor, reference);
    }

    /// <summary>Reserved units leave the building: on hand and reserved both fall.</summary>
    public async Task ShipAsync(StockAllocation allocation, string reference, Actor actor, CancellationToken ct)
    {
        _ = await GuardedUpdateAsync(
            $"UPDATE stock_levels SET on_hand = on_hand - {allocation.Quantity}, reserved = reserved - {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", low_stock_threshold AS \"LowStockThreshold\"",
            ct) ?? throw Errors.Conflict("reservation_missing", $"No reservation of {allocation.Quantity} × '{allocation.Sku}' to ship.");
        AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Shipment, -allocation.Quantity, -allocation.Quantity, null, actor, reference);
    }

    /// <summary>Returned units: back on hand when restocked, otherwise written off (recorded, no change).</summary>
    public async Task ReceiveReturnAsync(StockAllocation allocation, bool restock, string reference, Actor actor, CancellationToken ct)
    {
        if (restock)
        {
            await EnsureLevelAsync(allocation.WarehouseId, allocation.Sku, ct);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE stock_levels SET on_hand = on_hand + {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId}", ct);
            AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Return, allocation.Quantity, 0, "returned to stock", actor, reference);
        }
        else
        {
            AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.WriteOff, 0, 0, "returned, written off", actor, reference);
        }
    }

    /// <summary>
    /// Adds to or takes from on-hand stock. Taking more than is available (on hand less reserved)
    /// is <c>insufficient_stock</c>. Must run inside a transaction.
    /// </summary>
    public async Task<StockMovement> AdjustAsync(Guid warehouseId, string sku, int quantity, MovementType type, string? reason, Actor actor, string? reference, CancellationToken ct)
    {
        await EnsureLevelAsync(warehouseId, sku, ct);
        var after = await GuardedUpdateAsync(
            $"UPDATE stock_levels SET on_hand = on_hand + {quantity} WHERE sku = {sku} AND warehouse_id = {warehouseId} AND on_hand - reserved + {quantity} >= 0 RETURNING on_hand - reserved AS \"Available\", low_stock_threshold AS \"LowStockThreshold\"",
            ct);
        if (after is null)
        {
            var available = await db.StockLevels.Where(s => s.Sku == sku && s.WarehouseId == warehouseId)
                .Select(s => s.OnHand - s.Reserved).FirstOrDefaultAsync(ct);
            throw Errors.InsufficientStock(sku, -quantity, available);
        }

        if (quantity < 0 && after.Available <= after.LowStockThreshold && after.Available - quantity > after.LowStockThreshold)
        {
            var code = await db.Warehouses.Where(w => w.Id == warehouseId).Select(w => w.Code).SingleAsync(ct);
            RaiseLowStock([new LowStockEvent(sku, code, after.Available, after.LowStockThreshold)]);
        }

        return AddMovement(warehouseId, sku, type, quantity, 0, reason, actor, reference);
    }

    /// <summary>
    /// Moves units between warehouses: out of <paramref name="fromWarehouseId"/>, guarded like a
    /// negative adjustment (never more than is available there), and into <paramref name="toWarehouseId"/>:
    /// two ledger rows sharing <paramref name="reference"/>. Must run inside a transaction.
    /// </summary>
    public async Task<(StockMovement Out, StockMovement In)> TransferAsync(Guid fromWarehouseId, Guid toWarehouseId, string sku, int quantity, string? reason, Actor actor, string reference, CancellationToken ct)
    {
        if (fromWarehouseId == toWarehouseId || quantity <= 0)
        {
            throw new ArgumentException("A transfer moves a positive quantity between two different warehouses.");
        }

        var taken = await AdjustAsync(fromWarehouseId, sku, -quantity, MovementType.TransferOut, reason, actor, reference, ct);
        var added = await AdjustAsync(toWarehouseId, sku, quantity, MovementType.TransferIn, reason, actor, reference, ct);
        return (taken, added);
    }

    /// <summary>Creates the (zero) balance row for a SKU in a warehouse if there is none yet.</summary>
    public async Task EnsureLevelAsync(Guid warehouseId, string sku, CancellationToken ct)
    {
        var id = Ids.NewId();
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO stock_levels (id, warehouse_id, sku, on_hand, reserved, low_stock_threshold) VALUES ({id}, {warehouseId}, {sku}, 0, 0, {DefaultLowStockThreshold}) ON CONFLICT (sku, warehouse_id) DO NOTHING",
            ct);
    }

    public const long DefaultLowStockThreshold = 5;

    private async Task<StockAfterUpdate?> GuardedUpdateAsync(FormattableString sql, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<StockAfterUpdate>(sql).ToListAsync(ct);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<List<LevelSnapshot>> LoadLevelsAsync(List<string> skus, CancellationToken ct) =>
        await db.StockLevels.AsNoTracking()
            .Where(s => skus.Contains(s.Sku))
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new LevelSnapshot(s.Sku, s.WarehouseId, w.Code, w.Priority, s.OnHand - s.Reserved))
            .ToListAsync(ct);

    internal static List<StockAllocation> Plan(IReadOnlyList<StockRequest> requested, IReadOnlyList<LevelSnapshot> levels)
    {
        var warehouses = levels.Select(l => (l.WarehouseId, l.Priority, l.Code)).Distinct()
            .OrderBy(w => w.Priority).ThenBy(w => w.Code, StringComparer.Ordinal).ToList();
        long AvailableAt(Guid warehouseId, string sku) =>
            levels.Where(l => l.WarehouseId == warehouseId && l.Sku == sku).Sum(l => l.Available);

        // One warehouse that can ship everything avoids split parcels.
        foreach (var warehouse in warehouses)
        {
            if (requested.All(r => AvailableAt(warehouse.WarehouseId, r.Sku) >= r.Quantity))
            {
                return requested.Select(r => new StockAllocation(warehouse.WarehouseId, r.Sku, r.Quantity)).ToList();
            }
        }

        var plan = new List<StockAllocation>();
        foreach (var line in requested)
        {
            var remaining = (long)line.Quantity;
            foreach (var warehouse in warehouses)
            {
                var take = Math.Min(remaining, Math.Max(0, AvailableAt(warehouse.WarehouseId, line.Sku)));
                if (take > 0)
                {
                    plan.Add(new StockAllocation(warehouse.WarehouseId, line.Sku, (int)take));
                    remaining -= take;
                }

                if (remaining == 0)
                {
                    break;
                }
            }

            if (remaining > 0)
            {
                throw Errors.InsufficientStock(line.Sku, line.Quantity, line.Quantity - remaining);
            }
        }

        return plan;
    }

    private static void CollectLowStock(List<LowStockEvent> events, StockAllocation allocation, StockAfterUpdate after, List<LevelSnapshot> levels)
    {
        // Raised once, when this change crosses the threshold, not on every sale below it.
        if (after.Available <= after.LowStockThreshold && after.Available + allocation.Quantity > after.LowStockThreshold)
        {
            var code = levels.First(l => l.WarehouseId == allocation.WarehouseId).Code;
            events.Add(new LowStockEvent(allocation.Sku, code, after.Available, after.LowStockThreshold));
        }
    }

    private void RaiseLowStock(IEnumerable<LowStockEvent> events)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var e in events)
        {
            db.AddEvent(EventTypes.InventoryLowStock, e, now);
        }
    }

    private StockMovement AddMovement(Guid warehouseId, string sku, MovementType type, long onHandDelta, long reservedDelta, string? reason, Actor actor, string? reference)
    {
        var movement = new StockMovement
        {
            WarehouseId = warehouseId,
            Sku = sku,
            Type = type,
            OnHandDelta = onHandDelta,
            ReservedDelta = reservedDelta,
            Reason = reason,
            Actor = actor.Name,
            Reference = reference,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.StockMovements.Add(movement);
        return movement;
    }

    internal sealed record LevelSnapshot(string Sku, Guid WarehouseId, string Code, int Priority, long Available);

    private sealed record StockAfterUpdate(long Available, long LowStockThreshold);
}

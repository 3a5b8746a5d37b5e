using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Shared;

namespace Storekeep.Inventory;

public sealed record StockRequest(string Sku, int Quantity);

/// <summary>Units of one SKU reserved (or to be acted on) in one warehouse.</summary>
public sealed record StockAllocation(Guid WarehouseId, string Sku, int Quantity);

/// <summary>inventory.low_stock: a SKU's available stock in a warehouse fell to its threshold or below.</summary>
public sealed record StockLow(string Sku, string Warehouse, long Available, long Threshold) : Events.IEvent
{
    public static string EventType => Events.EventTypes.InventoryLowStock;
}

/// <summary>The available stock (on hand less reserved) a SKU should have in a warehouse.</summary>
public sealed record StockTarget(string Sku, long Available);

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
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("ReserveAsync must run inside a transaction.");
        }

        if (requested.Count == 1 && await ReserveOneLineAsync(requested[0], ct) is { } single)
        {
            var line = requested[0];
            AddMovement(single.WarehouseId, line.Sku, MovementType.Reservation, 0, line.Quantity, null, actor, reference);
            if (single.Available <= single.LowStockThreshold && single.Available + line.Quantity > single.LowStockThreshold)
            {
                RaiseLowStock([new StockLow(line.Sku, single.Code, single.Available, single.LowStockThreshold)]);
            }

            return [new StockAllocation(single.WarehouseId, line.Sku, line.Quantity)];
        }

        for (var attempt = 1; ; attempt++)
        {
            var levels = await LoadLevelsAsync(requested.Select(r => r.Sku).ToList(), ct);
            var plan = Plan(requested, levels);

            // A plan from a snapshot can be beaten by a concurrent checkout; the guarded updates
            // decide. On a miss, this attempt's earlier updates are undone by the opposite update
            // (their rows are still locked by this transaction) and the plan is made again from
            // fresh balances. No savepoint: a reservation that succeeds costs no extra round trips.
            var reserved = new List<StockAllocation>();
            var lowStock = new List<StockLow>();
            foreach (var allocation in plan.OrderBy(a => a.Sku, StringComparer.Ordinal).ThenBy(a => a.WarehouseId))
            {
                var after = await GuardedUpdateAsync(
                    $"UPDATE stock_levels SET reserved = reserved + {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND on_hand - reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\"",
                    ct);
                if (after is null)
                {
                    break;
                }

                reserved.Add(allocation);
                CollectLowStock(lowStock, allocation, after, levels);
            }

            if (reserved.Count == plan.Count)
            {
                foreach (var allocation in plan)
                {
                    AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Reservation, 0, allocation.Quantity, null, actor, reference);
                }

                RaiseLowStock(lowStock);
                return plan;
            }

            foreach (var undo in reserved)
            {
                await db.Database.ExecuteSqlAsync(
                    $"UPDATE stock_levels SET reserved = reserved - {undo.Quantity} WHERE sku = {undo.Sku} AND warehouse_id = {undo.WarehouseId}", ct);
            }

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
            $"UPDATE stock_levels SET reserved = reserved - {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\"",
            ct) ?? throw Errors.Conflict("reservation_missing", $"No reservation of {allocation.Quantity} × '{allocation.Sku}' to release.");
        _ = after;
        AddMovement(allocation.WarehouseId, allocation.Sku, MovementType.Release, 0, -allocation.Quantity, null, actor, reference);
    }

    /// <summary>Reserved units leave the building: on hand and reserved both fall.</summary>
    public async Task ShipAsync(StockAllocation allocation, string reference, Actor actor, CancellationToken ct)
    {
        _ = await GuardedUpdateAsync(
            $"UPDATE stock_levels SET on_hand = on_hand - {allocation.Quantity}, reserved = reserved - {allocation.Quantity} WHERE sku = {allocation.Sku} AND warehouse_id = {allocation.WarehouseId} AND reserved >= {allocation.Quantity} RETURNING on_hand - reserved AS \"Available\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\"",
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
            $"UPDATE stock_levels SET on_hand = on_hand + {quantity} WHERE sku = {sku} AND warehouse_id = {warehouseId} AND on_hand - reserved + {quantity} >= 0 RETURNING on_hand - reserved AS \"Available\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\"",
            ct);
        if (after is null)
        {
            var available = await db.StockLevels.Where(s => s.Sku == sku && s.WarehouseId == warehouseId)
                .WithAvailable().Select(s => s.Available).FirstOrDefaultAsync(ct);
            throw Errors.InsufficientStock(sku, -quantity, available);
        }

        if (quantity < 0 && after.Available <= after.LowStockThreshold && after.Available - quantity > after.LowStockThreshold)
        {
            var code = await db.Warehouses.Where(w => w.Id == warehouseId).Select(w => w.Code).SingleAsync(ct);
            RaiseLowStock([new StockLow(sku, code, after.Available, after.LowStockThreshold)]);
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

    /// <summary>
    /// Sets the available stock (on hand less reserved) of many SKUs in one warehouse, a few
    /// set-based statements per thousand SKUs instead of a round trip or two per SKU: missing balance
    /// rows are created (none for a target of 0), the rows are locked in SKU order as checkout locks
    /// them (PostgreSQL; SQLite has one writer), and one guarded UPDATE moves on hand by the exact
    /// difference, so reserved units stay reserved. Each SKU that changes gets a ledger row of
    /// <paramref name="type"/> with its on-hand delta; one that falls to its low-stock threshold raises
    /// <c>inventory.low_stock</c> as <see cref="AdjustAsync"/> does. Must run inside a transaction;
    /// the ledger rows are saved with the caller's SaveChanges, or, with <paramref name="writeLedgerNow"/>,
    /// written at once with <see cref="BulkInsert"/> (for imports of thousands of SKUs; no commit
    /// notification runs for them, so the caller signals the catalog after its commit). Returns them.
    /// </summary>
    public async Task<IReadOnlyList<StockMovement>> SetAvailableAsync(
        Guid warehouseId, IReadOnlyList<StockTarget> targets, MovementType type, Func<StockTarget, string?> reason, Actor actor, string? reference, CancellationToken ct,
        bool writeLedgerNow = false)
    {
        _ = db.Database.CurrentTransaction ?? throw new InvalidOperationException("SetAvailableAsync must run inside a transaction.");
        if (targets.FirstOrDefault(t => t.Available < 0) is { } negative)
        {
            throw new ArgumentOutOfRangeException(nameof(targets), $"Available stock cannot be negative ('{negative.Sku}': {negative.Available}).");
        }

        var sorted = targets.OrderBy(t => t.Sku, StringComparer.Ordinal).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (string.Equals(sorted[i].Sku, sorted[i - 1].Sku, StringComparison.Ordinal))
            {
                throw new ArgumentException($"SKU '{sorted[i].Sku}' is given twice.", nameof(targets));
            }
        }

        var movements = new List<StockMovement>();
        var lowStock = new List<StockLow>();
        string? warehouseCode = null;
        foreach (var chunk in sorted.Chunk(BulkChunk))
        {
            await EnsureLevelsAsync(warehouseId, chunk.Where(t => t.Available != 0).Select(t => t.Sku).ToList(), ct);
            var levels = (await LockLevelsAsync(warehouseId, chunk.Select(t => t.Sku).ToList(), ct)).ToDictionary(l => l.Sku, StringComparer.Ordinal);
            var changes = new List<(StockTarget Target, long Delta, LockedLevel? Before)>();
            foreach (var target in chunk)
            {
                var before = levels.GetValueOrDefault(target.Sku);
                var delta = target.Available - (before is null ? 0 : before.OnHand - before.Reserved);
                if (delta != 0)
                {
                    changes.Add((target, delta, before));
                }
            }

            if (changes.Count == 0)
            {
                continue;
            }

            var updated = await UpdateOnHandAsync(warehouseId, changes.Select(c => (c.Target.Sku, c.Delta)).ToList(), ct);
            if (updated != changes.Count)
            {
                // Cannot happen with the rows locked; never write a ledger that disagrees with the balances.
                throw Errors.Conflict("stock_changed", $"Stock of {changes.Count - updated} SKU(s) changed while it was being set; nothing was written.");
            }

            foreach (var (target, delta, before) in changes)
            {
                movements.Add(AddMovement(warehouseId, target.Sku, type, delta, 0, reason(target), actor, reference, track: !writeLedgerNow));
                if (delta < 0 && before is not null && target.Available <= before.LowStockThreshold && target.Available - delta > before.LowStockThreshold)
                {
                    warehouseCode ??= await db.Warehouses.Where(w => w.Id == warehouseId).Select(w => w.Code).SingleAsync(ct);
                    lowStock.Add(new StockLow(target.Sku, warehouseCode, target.Available, before.LowStockThreshold));
                }
            }
        }

        if (writeLedgerNow)
        {
            await BulkInsert.WriteAsync(db, movements, ct);
        }

        RaiseLowStock(lowStock);
        return movements;
    }

    /// <summary>SKUs per statement of <see cref="SetAvailableAsync"/>: well inside SQLite's 32,766 parameters.</summary>
    internal const int BulkChunk = 1000;

    /// <summary>Zero balance rows for the SKUs (in SKU order) that have none in the warehouse yet.</summary>
    private async Task EnsureLevelsAsync(Guid warehouseId, List<string> skus, CancellationToken ct)
    {
        if (skus.Count == 0)
        {
            return;
        }

        var ids = skus.Select(_ => Ids.NewId()).ToArray();
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO stock_levels (id, warehouse_id, sku, on_hand, reserved, low_stock_threshold) SELECT t.id, {warehouseId}, t.sku, 0, 0, {DefaultLowStockThreshold} FROM unnest({ids}, {skus.ToArray()}) WITH ORDINALITY AS t(id, sku, n) ORDER BY t.n ON CONFLICT (sku, warehouse_id) DO NOTHING",
                ct);
            return;
        }

        var sql = new StringBuilder("INSERT INTO stock_levels (id, warehouse_id, sku, on_hand, reserved, low_stock_threshold) VALUES ");
        var args = new List<object?> { warehouseId, DefaultLowStockThreshold };
        for (var i = 0; i < skus.Count; i++)
        {
            sql.Append(i == 0 ? "(" : ", (").Append('{').Append(args.Count).Append("}, {0}, {").Append(args.Count + 1).Append("}, 0, 0, {1})");
            args.Add(ids[i]);
            args.Add(skus[i]);
        }

        sql.Append(" ON CONFLICT (sku, warehouse_id) DO NOTHING");
        await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(sql.ToString(), args.ToArray()), ct);
    }

    /// <summary>The warehouse's balance rows of the SKUs, locked in SKU order on PostgreSQL.</summary>
    private async Task<List<LockedLevel>> LockLevelsAsync(Guid warehouseId, List<string> skus, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return await db.Database.SqlQuery<LockedLevel>(
                $"SELECT sku AS \"Sku\", on_hand AS \"OnHand\", reserved AS \"Reserved\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\" FROM stock_levels WHERE warehouse_id = {warehouseId} AND sku = ANY({skus.ToArray()}) ORDER BY sku COLLATE \"C\" FOR UPDATE")
                .ToListAsync(ct);
        }

        var args = new List<object?> { warehouseId };
        args.AddRange(skus);
        var list = string.Join(", ", skus.Select((_, i) => $"{{{i + 1}}}"));
        return await db.Database.SqlQuery<LockedLevel>(FormattableStringFactory.Create(
                $"SELECT sku AS \"Sku\", on_hand AS \"OnHand\", reserved AS \"Reserved\", COALESCE(reorder_point, low_stock_threshold) AS \"LowStockThreshold\" FROM stock_levels WHERE warehouse_id = {{0}} AND sku IN ({list})",
                args.ToArray()))
            .ToListAsync(ct);
    }

    /// <summary>One guarded UPDATE moving on hand by each SKU's delta; the number of rows it changed.</summary>
    private async Task<int> UpdateOnHandAsync(Guid warehouseId, List<(string Sku, long Delta)> changes, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            return await db.Database.ExecuteSqlAsync(
                $"UPDATE stock_levels AS s SET on_hand = s.on_hand + t.delta FROM unnest({changes.Select(c => c.Sku).ToArray()}, {changes.Select(c => c.Delta).ToArray()}) AS t(sku, delta) WHERE s.warehouse_id = {warehouseId} AND s.sku = t.sku AND s.on_hand - s.reserved + t.delta >= 0",
                ct);
        }

        var args = new List<object?> { warehouseId };
        var values = new StringBuilder();
        foreach (var (sku, delta) in changes)
        {
            values.Append(values.Length == 0 ? "" : ", ").Append("({").Append(args.Count).Append("}, {").Append(args.Count + 1).Append("})");
            args.Add(sku);
            args.Add(delta);
        }

        return await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(
            $"WITH t(sku, delta) AS (VALUES {values}) UPDATE stock_levels SET on_hand = on_hand + t.delta FROM t WHERE stock_levels.warehouse_id = {{0}} AND stock_levels.sku = t.sku AND stock_levels.on_hand - stock_levels.reserved + t.delta >= 0",
            args.ToArray()), ct);
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

    /// <summary>
    /// One line reserved by one statement: <see cref="Plan"/>'s choice for a single line (the
    /// highest-priority warehouse that has all of it, by code on a tie) is made inside the guarded
    /// update, so no levels are read first. Null when no warehouse has all of it, or a concurrent
    /// change took it between the choice and the row's lock: the caller then plans from the levels.
    /// </summary>
    private async Task<OneLineReserved?> ReserveOneLineAsync(StockRequest line, CancellationToken ct)
    {
        // Plan orders codes ordinally; PostgreSQL's default collation may not.
        var byCode = db.IsPostgres ? "w.code COLLATE \"C\"" : "w.code";
        var sql = $$"""
            UPDATE stock_levels SET reserved = reserved + {0}
            WHERE id = (SELECT s.id FROM stock_levels AS s INNER JOIN warehouses AS w ON w.id = s.warehouse_id
                        WHERE s.sku = {1} AND s.on_hand - s.reserved >= {0}
                        ORDER BY w.priority, {{byCode}} LIMIT 1)
              AND on_hand - reserved >= {0}
            RETURNING warehouse_id AS "WarehouseId", (SELECT code FROM warehouses WHERE warehouses.id = stock_levels.warehouse_id) AS "Code",
                      on_hand - reserved AS "Available", COALESCE(reorder_point, low_stock_threshold) AS "LowStockThreshold"
            """;
        var rows = await db.Database.SqlQueryRaw<OneLineReserved>(sql, line.Quantity, line.Sku).ToListAsync(ct);
        return rows is [var row] ? row : null;
    }

    /// <summary>Where a one-line reservation was taken, with the warehouse's balance after it (see <see cref="ReserveOneLineAsync"/>).</summary>
    private sealed record OneLineReserved(Guid WarehouseId, string Code, long Available, long LowStockThreshold);

    private async Task<List<LevelSnapshot>> LoadLevelsAsync(List<string> skus, CancellationToken ct) =>
        await db.StockLevels.AsNoTracking()
            .Where(s => skus.Contains(s.Sku)).WithAvailable()
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new LevelSnapshot(s.Sku, s.WarehouseId, w.Code, w.Priority, s.Available))
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

    private static void CollectLowStock(List<StockLow> events, StockAllocation allocation, StockAfterUpdate after, List<LevelSnapshot> levels)
    {
        // Raised once, when this change crosses the threshold, not on every sale below it.
        if (after.Available <= after.LowStockThreshold && after.Available + allocation.Quantity > after.LowStockThreshold)
        {
            var code = levels.First(l => l.WarehouseId == allocation.WarehouseId).Code;
            events.Add(new StockLow(allocation.Sku, code, after.Available, after.LowStockThreshold));
        }
    }

    private void RaiseLowStock(IEnumerable<StockLow> events)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var e in events)
        {
            db.Raise(e, now);
        }
    }

    private StockMovement AddMovement(Guid warehouseId, string sku, MovementType type, long onHandDelta, long reservedDelta, string? reason, Actor actor, string? reference, bool track = true)
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
        if (track)
        {
            db.StockMovements.Add(movement);
        }

        return movement;
    }

    internal sealed record LevelSnapshot(string Sku, Guid WarehouseId, string Code, int Priority, long Available);

    private sealed record StockAfterUpdate(long Available, long LowStockThreshold);

    private sealed record LockedLevel(string Sku, long OnHand, long Reserved, long LowStockThreshold);
}

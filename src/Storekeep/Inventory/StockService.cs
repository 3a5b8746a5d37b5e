using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Inventory;

/// <summary>
/// What people do with stock by hand (adjust, transfer, set thresholds) and what they read (balances,
/// the ledger, low stock). Every change goes through <see cref="InventoryService"/>'s guarded updates.
/// </summary>
public sealed class StockService(StorekeepDbContext db, InventoryService inventory, IEnumerable<IIncomingStock> incomingSources)
{
    public const int ReasonMaxLength = 500;
    private const int SkuMaxLength = 64;

    public async Task<MovementView> AdjustAsync(AdjustStockRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var sku = v.Code("sku", request.Sku, SkuMaxLength);
        var warehouseCode = v.Code("warehouse", request.Warehouse, WarehouseService.CodeMaxLength);
        var quantity = v.Quantity("quantity", request.Quantity, allowNegative: true);
        var reason = v.Required("reason", request.Reason, ReasonMaxLength);
        var type = AdjustmentType(v, request.Type, quantity);
        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            var warehouse = await WarehouseService.KnownAsync(db, warehouseCode, "warehouse", token);
            await EnsureKnownSkuAsync(sku, token);
            var movement = await inventory.AdjustAsync(warehouse.Id, sku, quantity, type, reason, actor, reference: null, token);
            return ToView(movement, warehouse.Code);
        }, ct);
    }

    public async Task<TransferView> TransferAsync(TransferStockRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var sku = v.Code("sku", request.Sku, SkuMaxLength);
        var fromCode = v.Code("from", request.From, WarehouseService.CodeMaxLength);
        var toCode = v.Code("to", request.To, WarehouseService.CodeMaxLength);
        var quantity = v.Quantity("quantity", request.Quantity);
        var reason = v.Text("reason", request.Reason, ReasonMaxLength);
        if (fromCode.Length > 0 && fromCode == toCode)
        {
            v.Add("to", "'to' must be a different warehouse from 'from'.");
        }

        v.ThrowIfInvalid();

        var id = Ids.NewId();
        var reference = $"transfer:{id}";
        return await db.InTransactionAsync(async token =>
        {
            var from = await WarehouseService.KnownAsync(db, fromCode, "from", token);
            var to = await WarehouseService.KnownAsync(db, toCode, "to", token);
            await EnsureKnownSkuAsync(sku, token);
            var (taken, added) = await inventory.TransferAsync(from.Id, to.Id, sku, quantity, reason, actor, reference, token);
            return new TransferView(id, reference, sku, from.Code, to.Code, quantity, [ToView(taken, from.Code), ToView(added, to.Code)]);
        }, ct);
    }

    /// <summary>Sets the level at or under which <c>inventory.low_stock</c> is raised and the level is listed as low.</summary>
    public async Task<StockLevelView> SetLowStockThresholdAsync(string sku, string warehouseCode, SetLowStockThresholdRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.LowStockThreshold is not { } threshold)
        {
            v.Add("lowStockThreshold", "'lowStockThreshold' is required.");
            threshold = 0;
        }
        else if (threshold is < 0 or > Validation.MaxQuantity)
        {
            v.Add("lowStockThreshold", $"'lowStockThreshold' must be between 0 and {Validation.MaxQuantity}.");
        }

        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            var warehouse = await db.Warehouses.AsNoTracking().FirstOrDefaultAsync(w => w.Code == warehouseCode, token)
                ?? throw Errors.NotFound("Warehouse", warehouseCode);
            if (!await IsKnownSkuAsync(sku, token))
            {
                throw Errors.NotFound("SKU", sku);
            }

            await inventory.EnsureLevelAsync(warehouse.Id, sku, token);
            await db.StockLevels.Where(s => s.Sku == sku && s.WarehouseId == warehouse.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.LowStockThreshold, threshold), token);
            var level = await db.StockLevels.AsNoTracking().SingleAsync(s => s.Sku == sku && s.WarehouseId == warehouse.Id, token);
            return new StockLevelView(level.Id, sku, warehouse.Code, level.OnHand, level.Reserved, level.Available, level.LowStockThreshold, ReorderPoint: level.ReorderPoint);
        }, ct);
    }

    public async Task<SkuStockView> GetAsync(string sku, CancellationToken ct)
    {
        var levels = await db.StockLevels.AsNoTracking().Where(s => s.Sku == sku).WithAvailable()
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { s.WarehouseId, w.Code, w.Priority, s.OnHand, s.Reserved, s.Available, s.LowStockThreshold, s.ReorderPoint })
            .ToListAsync(ct);
        if (levels.Count == 0 && !await db.Variants.AnyAsync(x => x.Sku == sku, ct))
        {
            throw Errors.NotFound("SKU", sku);
        }

        var incoming = await incomingSources.IncomingByLevelAsync([sku], ct);

        // A warehouse with units on the way but no balance row yet still shows, with nothing on hand.
        var waiting = incoming.Keys.Select(k => k.WarehouseId).Where(id => levels.All(l => l.WarehouseId != id)).ToList();
        var extra = waiting.Count == 0 ? [] : await db.Warehouses.AsNoTracking().Where(w => waiting.Contains(w.Id))
            .Select(w => new { WarehouseId = w.Id, w.Code, w.Priority, OnHand = 0L, Reserved = 0L, Available = 0L, LowStockThreshold = 0L, ReorderPoint = (long?)null })
            .ToListAsync(ct);
        var warehouses = levels.Concat(extra).OrderBy(l => l.Priority).ThenBy(l => l.Code, StringComparer.Ordinal)
            .Select(l => new WarehouseStockView(l.Code, l.OnHand, l.Reserved, l.Available, l.LowStockThreshold, incoming.GetValueOrDefault((sku, l.WarehouseId)), l.ReorderPoint))
            .ToList();
        var onHand = warehouses.Sum(w => w.OnHand);
        var reserved = warehouses.Sum(w => w.Reserved);
        return new SkuStockView(sku, onHand, reserved, onHand - reserved, warehouses, warehouses.Sum(w => w.Incoming));
    }

    /// <summary>The ledger, newest first, keyset on the (time-ordered) id.</summary>
    public async Task<Page<MovementView>> ListMovementsAsync(string? sku, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.StockMovements.AsNoTracking();
        if (!string.IsNullOrEmpty(sku))
        {
            query = query.Where(m => m.Sku == sku);
        }

        if (after is { } c)
        {
            query = query.Where(m => m.Id.CompareTo(c) < 0);
        }

        var rows = await query.OrderByDescending(m => m.Id).Take(take + 1)
            .Join(db.Warehouses, m => m.WarehouseId, w => w.Id, (m, w) => new { Movement = m, w.Code })
            .ToListAsync(ct);
        var items = rows.OrderByDescending(r => r.Movement.Id).Take(take).Select(r => ToView(r.Movement, r.Code)).ToList();
        return new Page<MovementView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>
    /// Sets the reorder points Planning computed for a warehouse's stock levels (null clears one, so
    /// the threshold applies again). Only rows whose value changes are written; SKUs without a level
    /// in the warehouse are skipped. Returns the number of levels changed.
    /// </summary>
    public async Task<int> SetReorderPointsAsync(Guid warehouseId, IReadOnlyDictionary<string, long?> reorderPoints, CancellationToken ct)
    {
        var current = await db.StockLevels.AsNoTracking().Where(s => s.WarehouseId == warehouseId)
            .Select(s => new { s.Sku, s.ReorderPoint }).ToListAsync(ct);
        var changed = 0;
        foreach (var level in current)
        {
            if (reorderPoints.TryGetValue(level.Sku, out var point) && point != level.ReorderPoint)
            {
                changed += await db.StockLevels.Where(s => s.WarehouseId == warehouseId && s.Sku == level.Sku)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.ReorderPoint, point), ct);
            }
        }

        return changed;
    }

    /// <summary>Levels whose available stock is at or under their alert level (reorder point, else threshold), keyset on the level's id.</summary>
    public async Task<Page<StockLevelView>> ListLowStockAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.StockLevels.AsNoTracking().AtOrBelowThreshold();
        if (after is { } c)
        {
            query = query.Where(s => s.Id.CompareTo(c) > 0);
        }

        var rows = await query.OrderBy(s => s.Id).Take(take + 1)
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { Level = s, w.Code })
            .ToListAsync(ct);
        var page = rows.OrderBy(r => r.Level.Id).Take(take).ToList();
        var incoming = await incomingSources.IncomingByLevelAsync(page.Select(r => r.Level.Sku).Distinct(StringComparer.Ordinal).ToList(), ct);
        var items = page
            .Select(r => new StockLevelView(r.Level.Id, r.Level.Sku, r.Code, r.Level.OnHand, r.Level.Reserved, r.Level.Available, r.Level.LowStockThreshold,
                incoming.GetValueOrDefault((r.Level.Sku, r.Level.WarehouseId)), r.Level.ReorderPoint))
            .ToList();
        return new Page<StockLevelView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    private static MovementType AdjustmentType(Validation v, string? text, int quantity)
    {
        switch (text?.Trim())
        {
            case null or "adjustment":
                return MovementType.Adjustment;
            case "receipt" when quantity >= 0:
                return MovementType.Receipt;
            case "write_off" when quantity <= 0:
                return MovementType.WriteOff;
            case "receipt" or "write_off":
                v.Add("type", "A 'receipt' adds stock (positive quantity); a 'write_off' removes it (negative quantity).");
                return MovementType.Adjustment;
            default:
                v.Add("type", "'type' must be 'adjustment', 'receipt' or 'write_off'.");
                return MovementType.Adjustment;
        }
    }

    /// <summary>A SKU is known when a product variant has it, or stock of it is already recorded.</summary>
    private async Task<bool> IsKnownSkuAsync(string sku, CancellationToken ct) =>
        await db.Variants.AnyAsync(x => x.Sku == sku, ct) || await db.StockLevels.AnyAsync(s => s.Sku == sku, ct);

    private async Task EnsureKnownSkuAsync(string sku, CancellationToken ct)
    {
        if (!await IsKnownSkuAsync(sku, ct))
        {
            throw new StorekeepException(ErrorKind.Unprocessable, "unknown_sku", $"No product variant has SKU '{sku}'.")
            {
                Extensions = new Dictionary<string, object?> { ["sku"] = sku },
            };
        }
    }

    private static MovementView ToView(StockMovement m, string warehouseCode) =>
        new(m.Id, m.Sku, warehouseCode, m.Type, m.OnHandDelta, m.ReservedDelta, m.Reason, m.Actor, m.Reference, m.CreatedAt);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;

namespace Storekeep.Planning;

/// <summary>
/// Moves the low-stock alert to the reorder point where a forecast exists: for every warehouse, the
/// replenishment figures of each SKU whose demand comes from its forecast set the stock level's
/// reorder point (Inventory then raises <c>inventory.low_stock</c> at it); other SKUs' reorder
/// points are cleared, so their fixed threshold applies. Idempotent: running it twice, or on two
/// nodes at once, writes the same values.
/// </summary>
public sealed class ReorderPointAlerts(StorekeepDbContext db, Replenishment replenishment, StockService stock)
{
    /// <summary>Recomputes every warehouse's reorder points; returns how many stock levels changed.</summary>
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        var changed = 0;
        // Demand, ABC classes and offers are store-wide: read once, applied to every warehouse's stock.
        var store = await replenishment.StoreWideAsync(ct);
        foreach (var warehouse in await db.Warehouses.AsNoTracking().OrderBy(w => w.Code).Select(w => new { w.Id, w.Code }).ToListAsync(ct))
        {
            var rows = await replenishment.SuggestAsync(warehouse.Id, store, ct);
            var points = rows.ToDictionary(r => r.Sku, r => r.DemandSource == DemandSources.Forecast ? r.ReorderPoint : (long?)null, StringComparer.Ordinal);
            changed += await stock.SetReorderPointsAsync(warehouse.Id, points, ct);
        }

        return changed;
    }
}

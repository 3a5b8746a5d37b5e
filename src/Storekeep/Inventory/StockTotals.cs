using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Inventory;

/// <summary>Available stock summed over warehouses, for a page of SKUs at a time (product lists).</summary>
public sealed class StockTotals(StorekeepDbContext db, IEnumerable<IIncomingStock> incomingSources)
{
    public async Task<IReadOnlyDictionary<string, long>> AvailableAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        if (skus.Count == 0)
        {
            return new Dictionary<string, long>();
        }

        var rows = await db.StockLevels.AsNoTracking().Where(s => skus.Contains(s.Sku))
            .WithAvailable().Select(s => new { s.Sku, s.Available }).ToListAsync(ct);
        return rows.GroupBy(r => r.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(r => r.Available), StringComparer.Ordinal);
    }

    /// <summary>Stock levels per warehouse, keyset on the level id; <paramref name="skuPrefix"/> filters by SKU prefix.</summary>
    public async Task<Shared.Page<StockLevelView>> LevelsAsync(string? skuPrefix, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Shared.Cursor.Limit(limit);
        var after = Shared.Cursor.DecodeGuid(cursor);
        var query = db.StockLevels.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(skuPrefix))
        {
            var prefix = skuPrefix.Trim();
            query = query.Where(s => s.Sku.StartsWith(prefix));
        }

        if (after is { } a)
        {
            query = query.Where(s => s.Id.CompareTo(a) > 0);
        }

        var rows = await query.OrderBy(s => s.Id).Take(take + 1).WithAvailable()
            .Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { s.Id, s.Sku, s.WarehouseId, w.Code, s.OnHand, s.Reserved, s.Available, s.LowStockThreshold, s.ReorderPoint })
            .ToListAsync(ct);
        var page = rows.OrderBy(r => r.Id).Take(take).ToList();
        var incoming = await incomingSources.IncomingByLevelAsync(page.Select(r => r.Sku).Distinct(StringComparer.Ordinal).ToList(), ct);
        var items = page
            .Select(r => new StockLevelView(r.Id, r.Sku, r.Code, r.OnHand, r.Reserved, r.Available, r.LowStockThreshold, incoming.GetValueOrDefault((r.Sku, r.WarehouseId)), r.ReorderPoint)).ToList();
        return new Shared.Page<StockLevelView>(items, rows.Count > take ? Shared.Cursor.Encode(items[^1].Id.ToString()) : null);
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Planning;

/// <summary>The knobs of the inventory health report (configuration section Planning:InventoryHealth).</summary>
public sealed class InventoryHealthSettings
{
    /// <summary>Stock on hand with no sale for at least this many days is dead stock.</summary>
    public int DeadStockDays { get; set; } = 90;
}

/// <summary>A SKU with stock and no recent sale; <paramref name="DaysSinceLastSale"/> is null when it never sold.</summary>
public sealed record DeadStockRow(string Sku, long OnHand, decimal Value, DateOnly? LastSaleOn, int? DaysSinceLastSale);

/// <summary>Inventory health over [from, to) (definitions in docs/planning.md, "Inventory health").</summary>
public sealed record InventoryHealthView(
    string Currency,
    DateOnly From,
    DateOnly To,
    string? Warehouse,
    int Days,
    decimal AverageInventoryCost,
    decimal CostOfGoodsSold,
    double? Turnover,
    double? DaysOfInventory,
    long OpeningUnits,
    long UnitsReceived,
    long UnitsSold,
    double? SellThroughRate,
    decimal ClosingInventoryCost,
    int UnvaluedSkus,
    int DeadStockDays,
    decimal DeadStockValue,
    IReadOnlyList<DeadStockRow> DeadStock);

/// <summary>
/// Average inventory at cost from daily ledger balances, cost of goods sold, turnover, days of
/// inventory, sell-through and dead stock. Balances are walked back from today's stock levels
/// through the ledger (a day's closing balance = today's − every movement after that day), so a
/// store whose ledger starts after its stock (a bulk load) still has exact balances. Stock is valued
/// at each variant's current (moving-average) cost.
/// </summary>
public sealed class InventoryHealth(StorekeepDbContext db, InventoryHealthSettings settings, TimeProvider clock)
{
    /// <summary>Movements that take sold goods out (shipments) or bring them back (returns).</summary>
    private static readonly MovementType[] Sales = [MovementType.Shipment, MovementType.Return];

    public async Task<InventoryHealthView> GetAsync(string? from, string? to, string? warehouse, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var range = ReportRange.Parse(from, to, now, defaultDays: 365);
        var warehouseId = await Replenishment.WarehouseIdAsync(db, warehouse, ct);
        var today = DateOnly.FromDateTime(now);

        // Days after today have no balance yet: the average runs over the days that have been.
        var lastDay = range.To.AddDays(-1) < today ? range.To.AddDays(-1) : today;
        var days = Math.Max(0, lastDay.DayNumber - range.From.DayNumber + 1);

        var current = await db.StockLevels.AsNoTracking()
            .Where(l => warehouseId == null || l.WarehouseId == warehouseId)
            .GroupBy(l => l.Sku)
            .Select(g => new { Sku = g.Key, OnHand = g.Sum(l => l.OnHand) })
            .ToDictionaryAsync(l => l.Sku, l => l.OnHand, StringComparer.Ordinal, ct);
        var movements = await db.StockMovements.AsNoTracking()
            .Where(m => m.CreatedAt >= range.Start && m.OnHandDelta != 0 && (warehouseId == null || m.WarehouseId == warehouseId))
            .GroupBy(m => new { m.Sku, m.CreatedAt.Date, m.Type })
            .Select(g => new { g.Key.Sku, g.Key.Date, g.Key.Type, Delta = g.Sum(m => m.OnHandDelta) })
            .ToListAsync(ct);
        var costs = await db.Variants.AsNoTracking().Where(v => v.Cost != null)
            .Select(v => new { v.Sku, v.Cost }).ToDictionaryAsync(v => v.Sku, v => v.Cost!.Value, StringComparer.Ordinal, ct);

        var deltas = movements.GroupBy(m => m.Sku, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(m => DateOnly.FromDateTime(m.Date)).ToDictionary(d => d.Key, d => d.Sum(m => m.Delta)), StringComparer.Ordinal);

        // Σ over SKUs and days of the closing balance × cost; the opening balance is the closing one of the day before from.
        var inventoryDays = 0m;
        var closingValue = 0m;
        long opening = 0;
        var unvalued = 0;
        foreach (var sku in current.Keys.Union(deltas.Keys, StringComparer.Ordinal))
        {
            var cost = costs.TryGetValue(sku, out var c) ? c : (decimal?)null;
            var byDay = deltas.GetValueOrDefault(sku);
            var balance = current.GetValueOrDefault(sku);
            var last = byDay is { Count: > 0 } ? Max(byDay.Keys.Max(), today) : today;
            long unitDays = 0;
            for (var day = last; day >= range.From; day = day.AddDays(-1))
            {
                if (day <= lastDay)
                {
                    unitDays += balance;
                }

                // Before this day's movements: the closing balance of the day before.
                balance -= byDay?.GetValueOrDefault(day) ?? 0;
            }

            opening += balance;
            if (cost is null)
            {
                unvalued += unitDays != 0 || current.GetValueOrDefault(sku) != 0 ? 1 : 0;
                continue;
            }

            inventoryDays += unitDays * cost.Value;
            closingValue += current.GetValueOrDefault(sku) * cost.Value;
        }

        var inRange = movements.Where(m => m.Date >= range.Start && m.Date < range.End).ToList();
        var sold = -inRange.Where(m => Sales.Contains(m.Type)).Sum(m => m.Delta);
        var cogs = inRange.Where(m => Sales.Contains(m.Type)).Sum(m => -m.Delta * costs.GetValueOrDefault(m.Sku));
        var received = inRange.Where(m => m.Type == MovementType.Receipt || (warehouseId != null && m.Type is MovementType.TransferIn or MovementType.TransferOut)).Sum(m => m.Delta);

        var average = days == 0 ? 0m : ReportMath.Money(inventoryDays / days);
        cogs = ReportMath.Money(cogs);
        double? turnover = average > 0 ? Math.Round((double)(cogs / average), 4) : null;
        double? daysOfInventory = turnover is > 0 ? Math.Round(days / turnover.Value, 1) : null;
        var available = opening + received;
        double? sellThrough = available > 0 ? Math.Round((double)sold / available, 4) : null;

        var dead = await DeadStockAsync(current, costs, today, ct);
        return new InventoryHealthView(
            await StoreSettingsService.CurrencyAsync(db, ct), range.From, range.To, warehouse is null ? null : warehouse.Trim(), days,
            average, cogs, turnover, daysOfInventory, opening, received, sold, sellThrough, ReportMath.Money(closingValue), unvalued,
            settings.DeadStockDays, dead.Sum(d => d.Value), dead);
    }

    /// <summary>SKUs on hand whose last sale (an order that is not cancelled) is at least DeadStockDays ago, or that never sold; most value first.</summary>
    private async Task<List<DeadStockRow>> DeadStockAsync(Dictionary<string, long> current, Dictionary<string, decimal> costs, DateOnly today, CancellationToken ct)
    {
        var lastSales = await (from line in db.OrderLines.AsNoTracking()
                               join order in db.Orders.AsNoTracking() on line.OrderId equals order.Id
                               where order.Status != OrderStatus.Cancelled
                               group order.CreatedAt by line.Sku into g
                               select new { Sku = g.Key, Last = g.Max() })
            .ToDictionaryAsync(s => s.Sku, s => DateOnly.FromDateTime(s.Last), StringComparer.Ordinal, ct);
        var rows = new List<DeadStockRow>();
        foreach (var (sku, onHand) in current.Where(c => c.Value > 0))
        {
            DateOnly? last = lastSales.TryGetValue(sku, out var l) ? l : null;
            int? since = last is { } d ? today.DayNumber - d.DayNumber : null;
            if (since is null || since >= settings.DeadStockDays)
            {
                rows.Add(new DeadStockRow(sku, onHand, onHand * costs.GetValueOrDefault(sku), last, since));
            }
        }

        return [.. rows.OrderByDescending(r => r.Value).ThenBy(r => r.Sku, StringComparer.Ordinal)];
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}

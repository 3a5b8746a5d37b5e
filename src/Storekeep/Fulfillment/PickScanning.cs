using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Fulfillment;

/// <summary>
/// Scanning while picking: each scan of a SKU or barcode for an order in a warehouse is recorded,
/// right or wrong. Right means a unit the order still needs from that warehouse: reserved there and
/// not released, less what was already scanned right. Wrong scans change nothing but their record,
/// which is what pick accuracy (docs/analytics.md, "Fulfillment") counts. Scans of one order are
/// serialised by the order's row lock, so two pickers cannot both take the last unit.
/// </summary>
public sealed class PickScanning(StorekeepDbContext db, OrderQueries orders, TimeProvider clock)
{
    public const int MaxCodeLength = 128;
    public const int MaxQuantity = 1000;

    public async Task<PickScanView> ScanAsync(PickScanRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var warehouseCode = v.Code("warehouse", request.Warehouse, 32);
        var orderRef = v.Required("order", request.Order, 40);
        var code = v.Required("code", request.Code, MaxCodeLength);
        var quantity = request.Quantity ?? 1;
        if (quantity is < 1 or > MaxQuantity)
        {
            v.Add("quantity", $"quantity must be between 1 and {MaxQuantity}.");
        }

        v.ThrowIfInvalid();
        var warehouse = await FindWarehouseAsync(warehouseCode, ct);
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var sku = await SkuOfAsync(code, ct);

        return await db.InTransactionAsync(async token =>
        {
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var before = await ProgressAsync(orderId, warehouse.Id, order, token);
            var line = sku is null ? null : before.FirstOrDefault(l => string.Equals(l.Sku, sku, StringComparison.OrdinalIgnoreCase));
            var correct = line is not null && line.Picked + quantity <= line.ToPick;
            var scan = new PickScan
            {
                OrderId = orderId,
                WarehouseId = warehouse.Id,
                Code = code,
                Sku = line?.Sku ?? sku,
                Quantity = quantity,
                Correct = correct,
                ScannedBy = actor.Name,
                ScannedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.PickScans.Add(scan);
            await db.SaveChangesAsync(token);

            var after = correct
                ? [.. before.Select(l => l == line ? l with { Picked = l.Picked + quantity } : l)]
                : before;
            var message = (sku, line, correct) switch
            {
                (null, _, _) => $"'{code}' is no SKU or barcode of the catalog: put it back.",
                (_, null, _) => $"{sku} is not on order #{order.Number}'s pick list in {warehouse.Code}: put it back.",
                (_, _, false) => $"Order #{order.Number} needs {line!.ToPick - line.Picked} more of {line.Sku} from {warehouse.Code}, not {quantity}: put the extra back.",
                _ => after.All(l => l.Picked >= l.ToPick)
                    ? $"{line!.Sku} × {quantity}: right. Order #{order.Number} is picked."
                    : $"{line!.Sku} × {quantity}: right. {after.Sum(l => l.ToPick - l.Picked)} unit(s) left to pick.",
            };
            return new PickScanView(scan.Id, correct, code, scan.Sku, quantity, message, order.Number, warehouse.Code, scan.ScannedAt,
                after, after.Count > 0 && after.All(l => l.Picked >= l.ToPick));
        }, ct);
    }

    /// <summary>The order's lines to pick in the warehouse and what has been scanned right, for the scanning screen.</summary>
    public async Task<(long OrderNumber, IReadOnlyList<PickProgressLineView> Lines)> ProgressAsync(string? warehouseCode, string orderRef, CancellationToken ct)
    {
        var v = new Validation();
        var code = v.Code("warehouse", warehouseCode, 32);
        v.ThrowIfInvalid();
        var warehouse = await FindWarehouseAsync(code, ct);
        var order = await orders.GetAsync(orderRef, ct);
        return (order.Number, await ProgressAsync(order.Id, warehouse.Id, order, ct));
    }

    private async Task<List<PickProgressLineView>> ProgressAsync(Guid orderId, Guid warehouseId, Order order, CancellationToken ct)
    {
        var toPick = await db.OrderAllocations.AsNoTracking()
            .Where(a => a.OrderId == orderId && a.WarehouseId == warehouseId)
            .GroupBy(a => a.Sku)
            .Select(g => new { Sku = g.Key, Units = g.Sum(a => a.Quantity - a.ReleasedQuantity) })
            .ToListAsync(ct);
        var picked = await db.PickScans.AsNoTracking()
            .Where(s => s.OrderId == orderId && s.WarehouseId == warehouseId && s.Correct)
            .GroupBy(s => s.Sku)
            .Select(g => new { Sku = g.Key!, Units = g.Sum(s => s.Quantity) })
            .ToListAsync(ct);
        return [.. toPick.Where(t => t.Units > 0)
            .OrderBy(t => t.Sku, StringComparer.Ordinal)
            .Select(t => new PickProgressLineView(
                t.Sku,
                order.Lines.FirstOrDefault(l => l.Sku == t.Sku)?.Title ?? t.Sku,
                t.Units,
                picked.Where(p => p.Sku == t.Sku).Sum(p => p.Units)))];
    }

    private async Task<Inventory.Warehouse> FindWarehouseAsync(string code, CancellationToken ct)
    {
        var warehouses = await db.Warehouses.AsNoTracking().ToListAsync(ct);
        return warehouses.FirstOrDefault(w => string.Equals(w.Code, code, StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.Unprocessable("unknown_warehouse", $"There is no warehouse '{code}'.");
    }

    /// <summary>The catalog SKU a scanned code is: the SKU itself (any case) or a variant's barcode.</summary>
    private async Task<string?> SkuOfAsync(string code, CancellationToken ct)
    {
        var upper = code.ToUpperInvariant();
        var matches = await db.Variants.AsNoTracking()
            .Where(x => x.Sku.ToUpper() == upper || x.Barcode == code)
            .Select(x => x.Sku)
            .ToListAsync(ct);
        return matches.FirstOrDefault(m => string.Equals(m, code, StringComparison.OrdinalIgnoreCase)) ?? matches.FirstOrDefault();
    }
}

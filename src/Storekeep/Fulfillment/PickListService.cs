using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Fulfillment;

/// <summary>
/// What to take off the shelves in one warehouse: the units reserved there (not yet shipped or
/// released) for open orders that may ship, i.e. paid or cash on delivery, gathered per SKU.
/// </summary>
public sealed class PickListService(StorekeepDbContext db, TimeProvider clock)
{
    public async Task<PickListView> GetAsync(string? warehouseCode, CancellationToken ct)
    {
        var v = new Validation();
        var code = v.Code("warehouse", warehouseCode, 32);
        v.ThrowIfInvalid();
        var warehouses = await db.Warehouses.AsNoTracking().ToListAsync(ct);
        var warehouse = warehouses.FirstOrDefault(w => string.Equals(w.Code, code, StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.Unprocessable("unknown_warehouse", $"There is no warehouse '{code}'.");

        var rows = await (
            from a in db.OrderAllocations
            join o in db.Orders on a.OrderId equals o.Id
            join l in db.OrderLines on a.OrderLineId equals l.Id
            where a.WarehouseId == warehouse.Id
                && a.Quantity - a.ShippedQuantity - a.ReleasedQuantity > 0
                && o.Status == OrderStatus.Open
                && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded
                    || (o.PaymentStatus == PaymentStatus.Pending && db.Payments.Any(p => p.OrderId == o.Id && p.Method == PaymentMethod.CashOnDelivery)))
            select new { a.Sku, l.Title, o.Id, o.Number, Outstanding = a.Quantity - a.ShippedQuantity - a.ReleasedQuantity })
            .AsNoTracking().ToListAsync(ct);

        var lines = rows
            .GroupBy(r => r.Sku, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PickListLineView(
                g.Key,
                g.First().Title,
                g.Sum(r => r.Outstanding),
                g.GroupBy(r => (r.Id, r.Number)).OrderBy(o => o.Key.Number)
                    .Select(o => new PickListOrderView(o.Key.Id, o.Key.Number, o.Sum(r => r.Outstanding))).ToList()))
            .ToList();
        return new PickListView(warehouse.Code, clock.GetUtcNow().UtcDateTime, lines);
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;
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
        return (await BuildAsync([warehouse], null, ct))[0];
    }

    /// <summary>
    /// Pick lists for the printed page: one per warehouse (all of them when <paramref name="warehouseCode"/>
    /// is empty), limited to <paramref name="orderNumbers"/> when given (staff picking a batch of orders).
    /// Warehouses with nothing to pick are left out.
    /// </summary>
    public async Task<IReadOnlyList<PickListView>> ForOrdersAsync(string? warehouseCode, IReadOnlyCollection<long>? orderNumbers, CancellationToken ct)
    {
        var v = new Validation();
        var code = v.Code("warehouse", warehouseCode, 32, required: false);
        if (orderNumbers is { Count: > MaxOrders })
        {
            v.Add("orders", $"A pick list covers at most {MaxOrders} orders.");
        }

        v.ThrowIfInvalid();
        var warehouses = await db.Warehouses.AsNoTracking().OrderBy(w => w.Priority).ThenBy(w => w.Code).ToListAsync(ct);
        if (code.Length > 0)
        {
            warehouses = [warehouses.FirstOrDefault(w => string.Equals(w.Code, code, StringComparison.OrdinalIgnoreCase))
                ?? throw Errors.Unprocessable("unknown_warehouse", $"There is no warehouse '{code}'.")];
        }

        var lists = await BuildAsync(warehouses, orderNumbers, ct);
        return lists.Where(l => l.Lines.Count > 0).ToList();
    }

    public const int MaxOrders = 500;

    private async Task<List<PickListView>> BuildAsync(List<Warehouse> warehouses, IReadOnlyCollection<long>? orderNumbers, CancellationToken ct)
    {
        var ids = warehouses.Select(w => w.Id).ToList();
        var orders = db.Orders.AsQueryable();
        if (orderNumbers is not null)
        {
            var numbers = orderNumbers.Distinct().ToList();
            orders = orders.Where(o => numbers.Contains(o.Number));
        }

        var rows = await (
            from a in db.OrderAllocations
            join o in orders on a.OrderId equals o.Id
            join l in db.OrderLines on a.OrderLineId equals l.Id
            where ids.Contains(a.WarehouseId)
                && a.Quantity - a.ShippedQuantity - a.ReleasedQuantity > 0
                && o.Status == OrderStatus.Open
                && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded
                    || (o.PaymentStatus == PaymentStatus.Pending && db.Payments.Any(p => p.OrderId == o.Id && (p.Method == PaymentMethod.CashOnDelivery || p.Method == PaymentMethod.Terms))))
            select new { a.WarehouseId, a.Sku, l.Title, o.Id, o.Number, Outstanding = a.Quantity - a.ShippedQuantity - a.ReleasedQuantity })
            .AsNoTracking().ToListAsync(ct);

        var now = clock.GetUtcNow().UtcDateTime;
        return warehouses.Select(w => new PickListView(
            w.Code,
            now,
            rows.Where(r => r.WarehouseId == w.Id)
                .GroupBy(r => r.Sku, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new PickListLineView(
                    g.Key,
                    g.First().Title,
                    g.Sum(r => r.Outstanding),
                    g.GroupBy(r => (r.Id, r.Number)).OrderBy(o => o.Key.Number)
                        .Select(o => new PickListOrderView(o.Key.Id, o.Key.Number, o.Sum(r => r.Outstanding))).ToList()))
                .ToList())).ToList();
    }
}

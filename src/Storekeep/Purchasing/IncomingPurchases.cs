using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;

namespace Storekeep.Purchasing;

/// <summary>
/// Incoming stock as Inventory shows it: per SKU and warehouse, the quantity ordered and not yet
/// received on purchase orders that are sent or partially received. Drafts are not promised yet;
/// cancelled and received orders promise nothing more.
/// </summary>
public sealed class IncomingPurchases(StorekeepDbContext db) : IIncomingStock
{
    public async Task<IReadOnlyList<IncomingQuantity>> IncomingAsync(IReadOnlyCollection<string>? skus, CancellationToken ct)
    {
        var lines =
            from l in db.Set<PurchaseOrderLine>()
            join o in db.Set<PurchaseOrder>() on l.PurchaseOrderId equals o.Id
            where (o.Status == PurchaseOrderStatus.Sent || o.Status == PurchaseOrderStatus.PartiallyReceived) && l.ReceivedQuantity < l.Quantity
            select new { l.Sku, o.WarehouseId, Outstanding = l.Quantity - l.ReceivedQuantity };
        if (skus is not null)
        {
            lines = lines.Where(l => skus.Contains(l.Sku));
        }

        var rows = await lines.GroupBy(l => new { l.Sku, l.WarehouseId })
            .Select(g => new { g.Key.Sku, g.Key.WarehouseId, Quantity = g.Sum(l => (long)l.Outstanding) })
            .ToListAsync(ct);
        return rows.Select(r => new IncomingQuantity(r.Sku, r.WarehouseId, r.Quantity)).ToList();
    }
}

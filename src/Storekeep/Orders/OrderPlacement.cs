using Storekeep.Data;
using Storekeep.Inventory;

namespace Storekeep.Orders;

/// <summary>
/// Adds a placed order (<see cref="Order.Place"/>) and the stock reserved for it to the unit of work:
/// checkout, and later a won quote, ask Orders to write its tables rather than writing them.
/// </summary>
public static class OrderPlacement
{
    public static void Add(StorekeepDbContext db, Order order, IEnumerable<StockAllocation> reserved)
    {
        db.Orders.Add(order);
        foreach (var allocation in reserved)
        {
            var line = order.Lines.First(l => l.Sku == allocation.Sku);
            db.OrderAllocations.Add(new OrderAllocation
            {
                OrderId = order.Id,
                OrderLineId = line.Id,
                WarehouseId = allocation.WarehouseId,
                Sku = allocation.Sku,
                Quantity = allocation.Quantity,
            });
        }
    }
}

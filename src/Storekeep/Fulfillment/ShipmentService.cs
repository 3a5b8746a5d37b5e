using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Fulfillment;

/// <summary>
/// Shipping consumes an order's reservation: one transaction moves the reserved units out of the
/// warehouse (on hand and reserved both fall), counts them on the order and its allocations, and
/// records the shipment and its event. A shipment leaves from one warehouse.
/// </summary>
public sealed class ShipmentService(
    StorekeepDbContext db,
    OrderQueries orders,
    InventoryService inventory,
    TimeProvider clock)
{
    public async Task<ShipmentView> CreateAsync(string orderRef, CreateShipmentRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var warehouseCode = v.Code("warehouse", request.Warehouse, 32, required: false);
        var lines = ItemLines.Validate(v, request.Lines);
        var carrier = v.Required("carrier", request.Carrier, 100);
        var tracking = v.Required("trackingNumber", request.TrackingNumber, 100);
        v.ThrowIfInvalid();

        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var warehouses = await db.Warehouses.AsNoTracking().OrderBy(w => w.Priority).ThenBy(w => w.Code).ToListAsync(ct);
        Warehouse? requested = null;
        if (warehouseCode.Length > 0)
        {
            requested = warehouses.FirstOrDefault(w => string.Equals(w.Code, warehouseCode, StringComparison.OrdinalIgnoreCase))
                ?? throw Errors.Unprocessable("unknown_warehouse", $"There is no warehouse '{warehouseCode}'.");
        }

        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            // Cash on delivery and terms (paid later by invoice) ship before their payment.
            var shipsUnpaid = await db.Payments.AnyAsync(p => p.OrderId == orderId && (p.Method == PaymentMethod.CashOnDelivery || p.Method == PaymentMethod.Terms), token);
            order.EnsureMayShip(shipsUnpaid);

            // Validates SKUs and quantities against what is left to ship (409 shipment_exceeds_order).
            order.RecordShipment(lines, carrier, tracking, actor, now);
            var canonical = lines.Select(l => (Sku: order.Lines.First(o => string.Equals(o.Sku, l.Sku, StringComparison.OrdinalIgnoreCase)).Sku, l.Quantity)).ToList();

            var allocations = await db.OrderAllocations.Where(a => a.OrderId == orderId).ToListAsync(token);
            var origin = requested ?? ChooseOrigin(warehouses, allocations, canonical)
                ?? throw Errors.Conflict("shipment_spans_warehouses",
                    "No single warehouse holds all of these units for this order; ship them in one shipment per warehouse (name the 'warehouse').");
            var shipment = new Shipment
            {
                OrderId = orderId,
                WarehouseId = origin.Id,
                Carrier = carrier,
                TrackingNumber = tracking,
                Status = ShipmentStatus.Shipped,
                ShippedAt = now,
            };
            foreach (var (sku, quantity) in canonical)
            {
                var parts = allocations.Where(a => a.WarehouseId == origin.Id && a.Sku == sku && a.Outstanding > 0).ToList();
                if (parts.Sum(a => a.Outstanding) < quantity)
                {
                    throw Errors.Conflict("not_allocated_in_warehouse",
                        $"Only {parts.Sum(a => a.Outstanding)} of '{sku}' for order #{order.Number} are held in {origin.Code}; {quantity} requested.");
                }

                var left = quantity;
                foreach (var part in parts)
                {
                    var take = Math.Min(left, part.Outstanding);
                    await inventory.ShipAsync(new StockAllocation(origin.Id, sku, take), $"order:{order.Number}", actor, token);
                    part.Ship(take);
                    left -= take;
                    if (left == 0)
                    {
                        break;
                    }
                }

                shipment.Lines.Add(new ShipmentLine { ShipmentId = shipment.Id, Sku = sku, Quantity = quantity });
            }

            db.Shipments.Add(shipment);
            var result = ShipmentView.From(shipment, origin.Code);
            db.Raise(new OrderShipped(order.Id, order.Number, order.Email, order.FulfillmentStatus, result), now);
            return result;
        }, ct);
        return view;
    }

    /// <summary>The carrier handed the parcel over. The order is delivered once everything shipped has arrived.</summary>
    public async Task<ShipmentView> DeliverAsync(string orderRef, Guid shipmentId, Actor actor, CancellationToken ct)
    {
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var shipment = await db.Shipments.Include(s => s.Lines).FirstOrDefaultAsync(s => s.Id == shipmentId && s.OrderId == orderId, token)
                ?? throw Errors.NotFound("Shipment", shipmentId.ToString());
            if (shipment.Status == ShipmentStatus.Delivered)
            {
                throw Errors.Conflict("shipment_already_delivered", "This shipment is already recorded as delivered.");
            }

            shipment.Status = ShipmentStatus.Delivered;
            shipment.DeliveredAt = now;
            var othersInTransit = await db.Shipments.AnyAsync(s => s.OrderId == orderId && s.Id != shipmentId && s.Status != ShipmentStatus.Delivered, token);
            order.MarkDelivered(!othersInTransit, actor, now); // raises order.delivered when it is the last

            var code = await db.Warehouses.Where(w => w.Id == shipment.WarehouseId).Select(w => w.Code).SingleAsync(token);
            return ShipmentView.From(shipment, code);
        }, ct);
        return view;
    }

    public async Task<IReadOnlyList<ShipmentView>> ListAsync(string orderRef, CancellationToken ct)
    {
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var shipments = await db.Shipments.AsNoTracking().Include(s => s.Lines)
            .Where(s => s.OrderId == orderId).OrderBy(s => s.ShippedAt).ThenBy(s => s.Id).ToListAsync(ct);
        var codes = await db.Warehouses.AsNoTracking().ToDictionaryAsync(w => w.Id, w => w.Code, ct);
        return shipments.Select(s => ShipmentView.From(s, codes[s.WarehouseId])).ToList();
    }

    /// <summary>What is still reserved for the order and not shipped, per warehouse and SKU: where it can ship from.</summary>
    public async Task<IReadOnlyList<OutstandingAllocationView>> OutstandingAsync(string orderRef, CancellationToken ct)
    {
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var rows = await (
            from a in db.OrderAllocations
            join w in db.Warehouses on a.WarehouseId equals w.Id
            where a.OrderId == orderId && a.Quantity - a.ShippedQuantity - a.ReleasedQuantity > 0
            select new { w.Code, w.Priority, a.Sku, Outstanding = a.Quantity - a.ShippedQuantity - a.ReleasedQuantity })
            .AsNoTracking().ToListAsync(ct);
        return rows.GroupBy(r => (r.Code, r.Priority, r.Sku))
            .OrderBy(g => g.Key.Priority).ThenBy(g => g.Key.Code, StringComparer.Ordinal).ThenBy(g => g.Key.Sku, StringComparer.Ordinal)
            .Select(g => new OutstandingAllocationView(g.Key.Code, g.Key.Sku, g.Sum(r => r.Outstanding))).ToList();
    }

    /// <summary>Without a named warehouse: the highest-priority one whose reservation covers every line.</summary>
    private static Warehouse? ChooseOrigin(List<Warehouse> warehouses, List<OrderAllocation> allocations, List<(string Sku, int Quantity)> lines) =>
        warehouses.FirstOrDefault(w => lines.All(l =>
            allocations.Where(a => a.WarehouseId == w.Id && a.Sku == l.Sku).Sum(a => a.Outstanding) >= l.Quantity));
}

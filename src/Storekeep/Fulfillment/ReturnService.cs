using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Fulfillment;

/// <summary>
/// Returns (RMAs): requested against what was shipped and not yet returned or requested back, then
/// received, which restocks the units in the warehouse they shipped from or writes them off.
/// </summary>
public sealed class ReturnService(
    StorekeepDbContext db,
    OrderQueries orders,
    InventoryService inventory,
    TimeProvider clock)
{
    public async Task<ReturnView> CreateAsync(string orderRef, CreateReturnRequest request, Actor actor, CancellationToken ct)
    {
        CardNumbers.Refuse(request.Reason);
        var v = new Validation();
        var lines = ItemLines.Validate(v, request.Lines);
        var reason = v.Required("reason", request.Reason, 1000);
        if (request.Restock is null)
        {
            v.Add("restock", "'restock' is required: true puts the units back on hand, false writes them off.");
        }

        v.ThrowIfInvalid();
        var orderId = await orders.ResolveIdAsync(orderRef, ct);

        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var shipped = await (
                from s in db.Shipments
                join l in db.ShipmentLines on s.Id equals l.ShipmentId
                where s.OrderId == orderId
                select new { s.WarehouseId, l.Sku, l.Quantity }).ToListAsync(token);
            var requestedBefore = await (
                from r in db.Returns
                join l in db.ReturnLines on r.Id equals l.ReturnId
                where r.OrderId == orderId
                select new { l.WarehouseId, l.Sku, l.Quantity }).ToListAsync(token);

            var returnLines = new List<ReturnLine>();
            foreach (var (sku, quantity) in lines)
            {
                var line = order.Lines.FirstOrDefault(l => string.Equals(l.Sku, sku, StringComparison.OrdinalIgnoreCase))
                    ?? throw Errors.Unprocessable("sku_not_in_order", $"SKU '{sku}' is not on order #{order.Number}.");

                // Per origin warehouse: shipped from there less what earlier returns already claimed.
                var open = shipped.Where(s => s.Sku == line.Sku).GroupBy(s => s.WarehouseId)
                    .Select(g => (WarehouseId: g.Key, Left: g.Sum(s => s.Quantity) - requestedBefore.Where(r => r.Sku == line.Sku && r.WarehouseId == g.Key).Sum(r => r.Quantity)))
                    .Where(w => w.Left > 0).OrderBy(w => w.WarehouseId).ToList();
                var returnable = open.Sum(w => w.Left);
                if (quantity > returnable)
                {
                    throw new StorekeepException(ErrorKind.Conflict, "return_exceeds_shipped",
                        $"Only {returnable} of '{line.Sku}' were shipped on order #{order.Number} and are not already returned or requested back; {quantity} requested.")
                    {
                        Extensions = new Dictionary<string, object?> { ["sku"] = line.Sku, ["returnable"] = returnable },
                    };
                }

                var left = quantity;
                foreach (var (warehouseId, available) in open)
                {
                    var take = Math.Min(left, available);
                    returnLines.Add(new ReturnLine { WarehouseId = warehouseId, Sku = line.Sku, Quantity = take });
                    left -= take;
                    if (left == 0)
                    {
                        break;
                    }
                }
            }

            var rma = new ReturnRequest
            {
                Number = await db.NextReturnNumberAsync(token),
                OrderId = orderId,
                Reason = reason,
                Restock = request.Restock!.Value,
                Status = ReturnStatus.Requested,
                Actor = actor.Name,
                CreatedAt = now,
            };
            foreach (var line in returnLines)
            {
                line.ReturnId = rma.Id;
                rma.Lines.Add(line);
            }

            db.Returns.Add(rma);
            order.Note("return_requested", $"{rma.RmaNumber}: {returnLines.Sum(l => l.Quantity)} unit(s) to come back ({reason}).", actor, now);
            var result = ReturnView.From(rma);
            db.Raise(new ReturnCreated(order.Id, order.Number, order.Email, result), now);
            return result;
        }, ct);
        return view;
    }

    /// <summary>The parcel came back: restock or write off each line, count it on the order. Only once.</summary>
    public async Task<ReturnView> ReceiveAsync(Guid returnId, Actor actor, CancellationToken ct)
    {
        var orderId = await db.Returns.Where(r => r.Id == returnId).Select(r => (Guid?)r.OrderId).FirstOrDefaultAsync(ct)
            ?? throw Errors.NotFound("Return", returnId.ToString());

        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var claimed = await db.Returns
                .Where(r => r.Id == returnId && r.Status == ReturnStatus.Requested)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, ReturnStatus.Received).SetProperty(r => r.ReceivedAt, now), token);
            if (claimed == 0)
            {
                throw Errors.Conflict("return_already_received", "This return has already been received.");
            }

            var rma = await db.Returns.AsNoTracking().Include(r => r.Lines).SingleAsync(r => r.Id == returnId, token);
            foreach (var line in rma.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ThenBy(l => l.WarehouseId))
            {
                await inventory.ReceiveReturnAsync(new StockAllocation(line.WarehouseId, line.Sku, line.Quantity), rma.Restock, $"return:{rma.RmaNumber}", actor, token);
            }

            order.RecordReturn(rma.Lines.GroupBy(l => l.Sku, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(l => l.Quantity))).ToList(), actor, now);
            order.Note(rma.Restock ? "return_restocked" : "return_written_off",
                $"{rma.RmaNumber} received; {(rma.Restock ? "units back on hand" : "units written off")}.", actor, now);
            var result = ReturnView.From(rma);
            db.Raise(new ReturnReceived(order.Id, order.Number, order.Email, result), now);
            return result;
        }, ct);
        return view;
    }

    public async Task<ReturnView> GetAsync(Guid returnId, CancellationToken ct)
    {
        var rma = await db.Returns.AsNoTracking().Include(r => r.Lines).FirstOrDefaultAsync(r => r.Id == returnId, ct)
            ?? throw Errors.NotFound("Return", returnId.ToString());
        return ReturnView.From(rma);
    }

    public async Task<IReadOnlyList<ReturnView>> ListForOrderAsync(string orderRef, CancellationToken ct)
    {
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var returns = await db.Returns.AsNoTracking().Include(r => r.Lines)
            .Where(r => r.OrderId == orderId).OrderBy(r => r.Number).ToListAsync(ct);
        return returns.Select(ReturnView.From).ToList();
    }
}

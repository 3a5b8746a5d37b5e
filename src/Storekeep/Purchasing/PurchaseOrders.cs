using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Messaging;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Purchasing;

/// <summary>
/// Purchase orders: written as drafts, emailed to the supplier once (the message is queued in the
/// same transaction as the status change and delivered after commit), received into stock in one or
/// more receipts through the Inventory capability's ledger, or cancelled. Every status change is a
/// guarded UPDATE, every receipt a guarded UPDATE per line that can never take the received quantity
/// past what was ordered, whatever runs beside it.
/// </summary>
public sealed class PurchaseOrders(
    StorekeepDbContext db,
    InventoryService inventory,
    CatalogService catalog,
    MessageQueue messages,
    TimeProvider clock)
{
    public const int MaxLines = 500;
    private const int SkuMaxLength = 64;

    /// <summary>The checks every list of lines gets (present, not too long, no null line), then <paramref name="check"/> per line.</summary>
    private static void ForEachLine<T>(Validation v, IReadOnlyList<T?>? lines, Action<T, int> check)
        where T : class
    {
        if (lines is null || lines.Count == 0)
        {
            v.Add("lines", "'lines' needs at least one line.");
            return;
        }

        if (lines.Count > MaxLines)
        {
            v.Add("lines", $"'lines' may have at most {MaxLines} lines.");
            return;
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is { } line)
            {
                check(line, i);
            }
            else
            {
                v.Add($"lines[{i}]", "A line must be an object.");
            }
        }
    }

    public async Task<PurchaseOrderView> CreateAsync(CreatePurchaseOrderRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        if (request.SupplierId is null || request.SupplierId == Guid.Empty)
        {
            v.Add("supplierId", "'supplierId' is required.");
        }

        var warehouseCode = v.Code("warehouse", request.Warehouse, WarehouseService.CodeMaxLength);
        var lines = new List<(string Sku, int Quantity, decimal? UnitCost, int Index)>();
        ForEachLine(v, request.Lines, (line, i) =>
        {
            var sku = v.Code($"lines[{i}].sku", line.Sku, SkuMaxLength);
            var quantity = v.Quantity($"lines[{i}].quantity", line.Quantity);
            decimal? unitCost = line.UnitCost is null ? null : v.Money($"lines[{i}].unitCost", line.UnitCost);
            if (sku.Length > 0 && lines.Any(l => string.Equals(l.Sku, sku, StringComparison.Ordinal)))
            {
                v.Add($"lines[{i}].sku", $"SKU '{sku}' is on more than one line; order it on one line.");
            }

            lines.Add((sku, quantity, unitCost, i));
        });

        if (request.ExpectedAt is { } expected && (expected.Year < 2000 || expected.Year > 2200))
        {
            v.Add("expectedAt", "'expectedAt' must be a date between the years 2000 and 2200.");
        }

        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            var supplier = await db.Set<Supplier>().AsNoTracking().Include(s => s.Products)
                .FirstOrDefaultAsync(s => s.Id == request.SupplierId, token)
                ?? throw new StorekeepException(ErrorKind.Unprocessable, "unknown_supplier", $"There is no supplier with id '{request.SupplierId}'.")
                {
                    Extensions = new Dictionary<string, object?> { ["field"] = "supplierId" },
                };
            var warehouse = await WarehouseService.KnownAsync(db, warehouseCode, "warehouse", token);
            var orderLines = new List<PurchaseOrderLine>();
            foreach (var line in lines)
            {
                await EnsureKnownSkuAsync(db, line.Sku, $"lines[{line.Index}].sku", token);
                var unitCost = line.UnitCost
                    ?? supplier.Products.FirstOrDefault(p => p.Sku == line.Sku)?.Cost
                    ?? throw new RequestValidationException(new Dictionary<string, string[]>
                    {
                        [$"lines[{line.Index}].unitCost"] = [$"'unitCost' is required: the supplier has no cost for SKU '{line.Sku}'."],
                    });
                orderLines.Add(new PurchaseOrderLine { Sku = line.Sku, Quantity = line.Quantity, UnitCost = unitCost, Position = orderLines.Count });
            }

            var order = new PurchaseOrder
            {
                Number = await NextNumberAsync(token),
                SupplierId = supplier.Id,
                WarehouseId = warehouse.Id,
                Status = PurchaseOrderStatus.Draft,
                Currency = supplier.Currency,
                ExpectedAt = request.ExpectedAt?.ToUniversalTime(),
                Actor = actor.Name,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            foreach (var line in orderLines)
            {
                line.PurchaseOrderId = order.Id;
                order.Lines.Add(line);
            }

            db.Set<PurchaseOrder>().Add(order);
            db.Raise(EventOf<PurchaseOrderCreated>(order, warehouse.Code, null), order.CreatedAt);
            return ToView(order, supplier, warehouse.Code);
        }, ct);
    }

    /// <summary>Newest first, keyset on the (time-ordered) id; filter by status and supplier.</summary>
    public async Task<Page<PurchaseOrderView>> ListAsync(PurchaseOrderListFilter filter, CancellationToken ct)
    {
        var take = Cursor.Limit(filter.Limit);
        var after = Cursor.DecodeGuid(filter.Cursor);
        var v = new Validation();
        var status = ParseStatus(v, filter.Status);
        Guid? supplierId = null;
        if (filter.SupplierId is not null)
        {
            if (Guid.TryParse(filter.SupplierId, out var parsed))
            {
                supplierId = parsed;
            }
            else
            {
                v.Add("supplierId", "'supplierId' must be a supplier's id.");
            }
        }

        v.ThrowIfInvalid();

        var query = db.Set<PurchaseOrder>().AsNoTracking();
        if (status is { } s)
        {
            query = query.Where(o => o.Status == s);
        }

        if (supplierId is { } sid)
        {
            query = query.Where(o => o.SupplierId == sid);
        }

        if (after is { } a)
        {
            query = query.Where(o => o.Id.CompareTo(a) < 0);
        }

        var orders = await query.OrderByDescending(o => o.Id).Take(take + 1).Include(o => o.Lines).ToListAsync(ct);
        var page = orders.OrderByDescending(o => o.Id).Take(take).ToList();
        var views = await ToViewsAsync(page, ct);
        return new Page<PurchaseOrderView>(views, orders.Count > take ? Cursor.Encode(page[^1].Id.ToString()) : null);
    }

    /// <summary>By id or by number (<c>PO-1001</c>).</summary>
    public async Task<PurchaseOrderView> GetAsync(string idOrNumber, CancellationToken ct)
    {
        var id = await ResolveIdAsync(idOrNumber, ct);
        var order = await db.Set<PurchaseOrder>().AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id, ct);
        return (await ToViewsAsync([order], ct))[0];
    }

    /// <summary>
    /// Draft → sent, and the order emailed to the supplier: the message is queued in this
    /// transaction (dedupe key <c>purchase_order:&lt;id&gt;</c>) and delivered only after it commits,
    /// so a failed send emails nothing and a repeated one is refused before it could email twice.
    /// </summary>
    public async Task<PurchaseOrderView> SendAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        var id = await ResolveIdAsync(idOrNumber, ct);
        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var sent = await db.Set<PurchaseOrder>()
                .Where(o => o.Id == id && o.Status == PurchaseOrderStatus.Draft)
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, PurchaseOrderStatus.Sent).SetProperty(o => o.SentAt, now), token);
            if (sent == 0)
            {
                var status = await db.Set<PurchaseOrder>().Where(o => o.Id == id).Select(o => o.Status).SingleAsync(token);
                throw new StorekeepException(ErrorKind.Conflict, "purchase_order_not_draft",
                    $"Only a draft purchase order can be sent; this one is {Name(status)}.")
                {
                    Extensions = new Dictionary<string, object?> { ["purchaseOrderStatus"] = Name(status) },
                };
            }

            var order = await db.Set<PurchaseOrder>().AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id, token);
            var supplier = await db.Set<Supplier>().AsNoTracking().Include(s => s.Products).SingleAsync(s => s.Id == order.SupplierId, token);
            var warehouse = await db.Warehouses.AsNoTracking().SingleAsync(w => w.Id == order.WarehouseId, token);

            // A balance row for each line, so the units on their way show in stock lists at once.
            foreach (var line in order.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
            {
                await inventory.EnsureLevelAsync(order.WarehouseId, line.Sku, token);
            }

            await messages.QueueAsync(MessageTypes.PurchaseOrder, supplier.Email, EmailValues(order, supplier, warehouse), $"purchase_order:{order.Id}", token);
            db.Raise(EventOf<PurchaseOrderSent>(order, warehouse.Code, null), now);
        }, ct);
        return await GetAsync(id.ToString(), ct);
    }

    /// <summary>
    /// Calls the order off: a draft, a sent order, or the rest of a partially received one (what
    /// arrived stays in stock; what did not is no longer incoming). A received order cannot be cancelled.
    /// </summary>
    public async Task<PurchaseOrderView> CancelAsync(string idOrNumber, Actor actor, CancellationToken ct)
    {
        var id = await ResolveIdAsync(idOrNumber, ct);
        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var cancelled = await db.Set<PurchaseOrder>()
                .Where(o => o.Id == id && (o.Status == PurchaseOrderStatus.Draft || o.Status == PurchaseOrderStatus.Sent || o.Status == PurchaseOrderStatus.PartiallyReceived))
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, PurchaseOrderStatus.Cancelled).SetProperty(o => o.CancelledAt, now), token);
            if (cancelled == 0)
            {
                var status = await db.Set<PurchaseOrder>().Where(o => o.Id == id).Select(o => o.Status).SingleAsync(token);
                throw new StorekeepException(ErrorKind.Conflict, "purchase_order_not_cancellable",
                    $"This purchase order is {Name(status)} and can no longer be cancelled.")
                {
                    Extensions = new Dictionary<string, object?> { ["purchaseOrderStatus"] = Name(status) },
                };
            }

            await RaiseAsync<PurchaseOrderCancelled>(id, null, now, token);
        }, ct);
        return await GetAsync(id.ToString(), ct);
    }

    /// <summary>
    /// Goods arrived: per line, a guarded UPDATE adds the quantity to what was received only while it
    /// stays within what was ordered (so two receipts at once can never over-receive), a receipt row
    /// on the stock ledger (reference <c>po:PO-1001</c>) adds it to the warehouse's stock, and the
    /// variant's moving-average cost is updated. All in one transaction: a line that does not fit
    /// changes nothing at all.
    /// </summary>
    public async Task<PurchaseOrderView> ReceiveAsync(string idOrNumber, ReceivePurchaseOrderRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var received = new Dictionary<string, int>(StringComparer.Ordinal);
        ForEachLine(v, request.Lines, (line, i) =>
        {
            var sku = v.Code($"lines[{i}].sku", line.Sku, SkuMaxLength);
            var quantity = v.Quantity($"lines[{i}].quantity", line.Quantity);
            if (sku.Length > 0 && quantity is > 0 and <= Validation.MaxQuantity)
            {
                received[sku] = (int)Math.Min((long)received.GetValueOrDefault(sku) + quantity, int.MaxValue);
            }
        });

        v.ThrowIfInvalid();
        var id = await ResolveIdAsync(idOrNumber, ct);

        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;

            // The order's row lock: concurrent receipts and a cancel queue here (SQLite already
            // holds the write lock), and each then reads what the previous one committed.
            await db.Database.ExecuteSqlAsync($"UPDATE purchase_orders SET number = number WHERE id = {id}", token);
            var order = await db.Set<PurchaseOrder>().AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id, token);
            if (order.Status is not (PurchaseOrderStatus.Sent or PurchaseOrderStatus.PartiallyReceived))
            {
                throw new StorekeepException(ErrorKind.Conflict, "purchase_order_not_receivable",
                    order.Status == PurchaseOrderStatus.Draft
                        ? "This purchase order is a draft: send it before receiving goods against it."
                        : $"This purchase order is {Name(order.Status)}; nothing more can be received against it.")
                {
                    Extensions = new Dictionary<string, object?> { ["purchaseOrderStatus"] = Name(order.Status) },
                };
            }

            var reference = $"po:{order.PoNumber}";
            var reason = $"received on purchase order {order.PoNumber}";
            var costCurrency = await StoreSettingsService.CurrencyAsync(db, token);
            foreach (var (sku, quantity) in received.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                var line = order.Lines.FirstOrDefault(l => l.Sku == sku)
                    ?? throw new StorekeepException(ErrorKind.Unprocessable, "sku_not_on_purchase_order",
                        $"SKU '{sku}' is not on purchase order {order.PoNumber}.")
                    {
                        Extensions = new Dictionary<string, object?> { ["sku"] = sku },
                    };
                var fits = await db.Database.ExecuteSqlAsync(
                    $"UPDATE purchase_order_lines SET received_quantity = received_quantity + {quantity} WHERE id = {line.Id} AND received_quantity + {quantity} <= quantity",
                    token);
                if (fits == 0)
                {
                    var outstanding = await db.Set<PurchaseOrderLine>().Where(l => l.Id == line.Id).Select(l => l.Quantity - l.ReceivedQuantity).SingleAsync(token);
                    throw new StorekeepException(ErrorKind.Conflict, "receipt_exceeds_outstanding",
                        $"Only {outstanding} of SKU '{sku}' are outstanding on purchase order {order.PoNumber}; {quantity} received.")
                    {
                        Extensions = new Dictionary<string, object?> { ["sku"] = sku, ["outstanding"] = outstanding },
                    };
                }

                await inventory.AdjustAsync(order.WarehouseId, sku, quantity, MovementType.Receipt, reason, actor, reference, token);
                if (string.Equals(order.Currency, costCurrency, StringComparison.Ordinal))
                {
                    await catalog.ApplyReceivedCostAsync(sku, quantity, line.UnitCost, token);
                }
            }

            var complete = await db.Set<PurchaseOrderLine>().Where(l => l.PurchaseOrderId == id).AllAsync(l => l.ReceivedQuantity == l.Quantity, token);
            var next = complete ? PurchaseOrderStatus.Received : PurchaseOrderStatus.PartiallyReceived;
            await db.Set<PurchaseOrder>()
                .Where(o => o.Id == id && (o.Status == PurchaseOrderStatus.Sent || o.Status == PurchaseOrderStatus.PartiallyReceived))
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, next).SetProperty(o => o.ReceivedAt, complete ? now : (DateTime?)null), token);
            await RaiseAsync<PurchaseOrderReceived>(id, received, now, token);
        }, ct);
        return await GetAsync(id.ToString(), ct);
    }

    /// <summary>Raises a purchase order event with the order as the transaction now sees it.</summary>
    private async Task RaiseAsync<T>(Guid id, IReadOnlyDictionary<string, int>? receivedNow, DateTime now, CancellationToken ct)
        where T : PurchaseOrderChanged, Events.IEvent, new()
    {
        var order = await db.Set<PurchaseOrder>().AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id, ct);
        var warehouse = await db.Warehouses.AsNoTracking().Where(w => w.Id == order.WarehouseId).Select(w => w.Code).SingleAsync(ct);
        db.Raise(EventOf<T>(order, warehouse, receivedNow), now);
    }

    private static T EventOf<T>(PurchaseOrder order, string warehouse, IReadOnlyDictionary<string, int>? receivedNow)
        where T : PurchaseOrderChanged, new() => new()
    {
        PurchaseOrderId = order.Id,
        Number = order.PoNumber,
        SupplierId = order.SupplierId,
        Warehouse = warehouse,
        Status = Name(order.Status),
        Currency = order.Currency,
        Total = order.Lines.Sum(l => l.Quantity * l.UnitCost),
        Lines = [.. order.Lines.OrderBy(l => l.Position).Select(l => new PurchaseOrderEventLine(l.Sku, l.Quantity, l.ReceivedQuantity, receivedNow?.GetValueOrDefault(l.Sku) ?? 0))],
    };

    /// <summary>By id, or by number as <c>PO-1001</c> or <c>1001</c>; 404 otherwise.</summary>
    public async Task<Guid> ResolveIdAsync(string idOrNumber, CancellationToken ct)
    {
        Guid? found = null;
        if (Guid.TryParse(idOrNumber, out var id))
        {
            found = await db.Set<PurchaseOrder>().Where(o => o.Id == id).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
        }
        else
        {
            var text = idOrNumber.StartsWith("PO-", StringComparison.OrdinalIgnoreCase) ? idOrNumber[3..] : idOrNumber;
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                found = await db.Set<PurchaseOrder>().Where(o => o.Number == number).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
            }
        }

        return found ?? throw Errors.NotFound("Purchase order", idOrNumber.Length > 64 ? idOrNumber[..64] : idOrNumber);
    }

    /// <summary>A SKU may be bought when a product variant has it.</summary>
    internal static async Task EnsureKnownSkuAsync(StorekeepDbContext db, string sku, string field, CancellationToken ct)
    {
        if (!await db.Variants.AnyAsync(x => x.Sku == sku, ct))
        {
            throw new StorekeepException(ErrorKind.Unprocessable, "unknown_sku", $"No product variant has SKU '{sku}'.")
            {
                Extensions = new Dictionary<string, object?> { ["field"] = field, ["sku"] = sku },
            };
        }
    }

    public static string Name(PurchaseOrderStatus status) => StorekeepDbContext.ToSnakeCase(status.ToString());

    /// <summary>
    /// PostgreSQL: a sequence (gaps after a rollback are fine). SQLite: the transaction already holds
    /// the write lock, so MAX + 1 is safe. Call inside the transaction that inserts the order.
    /// </summary>
    private async Task<long> NextNumberAsync(CancellationToken ct) =>
        db.IsPostgres
            ? await db.Database.SqlQueryRaw<long>($"SELECT nextval('{PurchaseOrder.NumberSequence}') AS \"Value\"").SingleAsync(ct)
            : (await db.Set<PurchaseOrder>().MaxAsync(o => (long?)o.Number, ct) ?? 1000) + 1;

    private static PurchaseOrderStatus? ParseStatus(Validation v, string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var status in Enum.GetValues<PurchaseOrderStatus>())
        {
            if (Name(status) == text)
            {
                return status;
            }
        }

        v.Add("status", $"'status' must be one of: {string.Join(", ", Enum.GetValues<PurchaseOrderStatus>().Select(Name))}.");
        return null;
    }

    private async Task<List<PurchaseOrderView>> ToViewsAsync(IReadOnlyList<PurchaseOrder> orders, CancellationToken ct)
    {
        var supplierIds = orders.Select(o => o.SupplierId).Distinct().ToList();
        var warehouseIds = orders.Select(o => o.WarehouseId).Distinct().ToList();
        var suppliers = await db.Set<Supplier>().AsNoTracking().Include(s => s.Products).Where(s => supplierIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var warehouses = await db.Warehouses.AsNoTracking().Where(w => warehouseIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.Code, ct);
        return orders.Select(o => ToView(o, suppliers[o.SupplierId], warehouses[o.WarehouseId])).ToList();
    }

    private static PurchaseOrderView ToView(PurchaseOrder o, Supplier supplier, string warehouseCode)
    {
        var lines = o.Lines.OrderBy(l => l.Position)
            .Select(l => new PurchaseOrderLineView(
                l.Sku,
                supplier.Products.FirstOrDefault(p => p.Sku == l.Sku)?.SupplierSku,
                l.Quantity,
                l.ReceivedQuantity,
                l.Quantity - l.ReceivedQuantity,
                l.UnitCost,
                l.UnitCost * l.Quantity))
            .ToList();
        return new PurchaseOrderView(o.Id, o.PoNumber, o.Status, o.SupplierId, supplier.Name, warehouseCode, o.Currency, lines.Sum(l => l.LineTotal),
            o.ExpectedAt, o.Actor, o.CreatedAt, o.SentAt, o.ReceivedAt, o.CancelledAt, lines);
    }

    private static Dictionary<string, string?> EmailValues(PurchaseOrder order, Supplier supplier, Warehouse warehouse)
    {
        string Money(decimal amount) => $"{amount.ToString("0.00", CultureInfo.InvariantCulture)} {order.Currency}";
        var lines = order.Lines.OrderBy(l => l.Position).Select(l =>
        {
            var theirs = supplier.Products.FirstOrDefault(p => p.Sku == l.Sku)?.SupplierSku;
            var reference = theirs is null ? "" : $" (your ref. {theirs})";
            return $"{l.Quantity} × {l.Sku}{reference} at {Money(l.UnitCost)} — {Money(l.UnitCost * l.Quantity)}";
        });
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["supplier.name"] = supplier.Name,
            ["po.number"] = order.PoNumber,
            ["po.lines"] = string.Join("\n", lines),
            ["po.total"] = Money(order.Lines.Sum(l => l.UnitCost * l.Quantity)),
            ["po.warehouse"] = $"{warehouse.Name} ({warehouse.Code})",
            ["po.expected"] = order.ExpectedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "as soon as possible",
        };
    }
}

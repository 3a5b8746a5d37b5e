using Storekeep.Inventory;
using Storekeep.Purchasing;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// Two suppliers sharing the sellable catalog; a received purchase order (the last weekly restock
    /// of the main warehouse, whose receipt the ledger already holds under its number) and an open one,
    /// sent four days ago and partly received yesterday, so incoming stock shows.
    /// </summary>
    private void BuildPurchasing()
    {
        if (_variants.Count == 0 || _data.Warehouses.Count == 0)
        {
            return;
        }

        var main = _data.Warehouses[0];
        Supplier[] suppliers =
        [
            new() { Name = "Northwind Trading Co.", Email = "orders@northwind-trading.example", Currency = Currency, LeadTimeDays = 10, CreatedAt = _start },
            new() { Name = "Cascade Goods Ltd.", Email = "purchasing@cascade-goods.example", Currency = Currency, LeadTimeDays = 21, CreatedAt = _start.AddDays(3) },
        ];
        var index = 0;
        foreach (var sellable in _variants.Where(v => v.ArchivedAt is null))
        {
            var supplier = suppliers[index % suppliers.Length];
            var variant = sellable.Variant;
            supplier.Products.Add(new SupplierProduct
            {
                SupplierId = supplier.Id,
                Sku = variant.Sku,
                SupplierSku = $"{(index % 2 == 0 ? "NW" : "CG")}-{1000 + index}",
                Cost = variant.Cost ?? Math.Round(variant.Price * 0.45m, 2, MidpointRounding.AwayFromZero),
                MinimumOrderQuantity = index % 3 == 0 ? 12 : 1,
                PackSize = index % 3 == 0 ? 6 : 1,
                LeadTimeDays = index % 5 == 0 ? 30 : null,
                UpdatedAt = supplier.CreatedAt,
            });
            index++;
        }

        _data.Suppliers.AddRange(suppliers);

        // Received: the last restock of the main warehouse, as the ledger recorded it.
        var restock = _data.Movements
            .Where(m => m.Type == MovementType.Receipt && m.WarehouseId == main.Id && m.Reason != "initial stock" && m.Reference?.StartsWith("po:PO-", StringComparison.Ordinal) == true)
            .OrderByDescending(m => m.CreatedAt).FirstOrDefault();
        var restockSupplier = restock is null ? null : suppliers.FirstOrDefault(s => s.Products.Any(p => p.Sku == restock.Sku));
        if (restock is not null && restockSupplier is not null && long.TryParse(restock.Reference!["po:PO-".Length..], out var restockNumber))
        {
            var cost = restockSupplier.Products.First(p => p.Sku == restock.Sku).Cost;
            var received = new PurchaseOrder
            {
                Number = restockNumber,
                SupplierId = restockSupplier.Id,
                WarehouseId = main.Id,
                Status = PurchaseOrderStatus.Received,
                Currency = Currency,
                ExpectedAt = restock.CreatedAt.Date,
                Actor = PurchasingActor.Name,
                CreatedAt = restock.CreatedAt.AddDays(-restockSupplier.LeadTimeDays - 1),
                SentAt = restock.CreatedAt.AddDays(-restockSupplier.LeadTimeDays),
                ReceivedAt = restock.CreatedAt,
            };
            received.Lines.Add(new PurchaseOrderLine
            {
                PurchaseOrderId = received.Id,
                Sku = restock.Sku,
                Quantity = (int)restock.OnHandDelta,
                ReceivedQuantity = (int)restock.OnHandDelta,
                UnitCost = cost,
            });
            _data.PurchaseOrders.Add(received);
        }

        // Open: three lines from the first supplier, sent four days ago, the first line half received yesterday.
        var supplierOpen = suppliers[0];
        var lines = supplierOpen.Products.Take(3).ToList();
        if (lines.Count == 0)
        {
            return;
        }

        var open = new PurchaseOrder
        {
            Number = _nextPurchaseOrder++,
            SupplierId = supplierOpen.Id,
            WarehouseId = main.Id,
            Status = PurchaseOrderStatus.PartiallyReceived,
            Currency = Currency,
            ExpectedAt = _end.AddDays(supplierOpen.LeadTimeDays - 4),
            Actor = PurchasingActor.Name,
            CreatedAt = _end.AddDays(-4).AddHours(9),
            SentAt = _end.AddDays(-4).AddHours(10),
        };
        int[] quantities = [24, 36, 12];
        for (var i = 0; i < lines.Count; i++)
        {
            open.Lines.Add(new PurchaseOrderLine
            {
                PurchaseOrderId = open.Id,
                Sku = lines[i].Sku,
                Quantity = quantities[i],
                ReceivedQuantity = i == 0 ? quantities[i] / 2 : 0,
                UnitCost = lines[i].Cost,
                Position = i,
            });
        }

        var first = open.Lines[0];
        _available[(first.Sku, 0)] = _available.GetValueOrDefault((first.Sku, 0)) + first.ReceivedQuantity;
        Move(0, first.Sku, MovementType.Receipt, first.ReceivedQuantity, 0, $"received on purchase order {open.PoNumber}", PurchasingActor, $"po:{open.PoNumber}", _end.AddDays(-1).AddHours(7));
        _data.PurchaseOrders.Add(open);
    }
}

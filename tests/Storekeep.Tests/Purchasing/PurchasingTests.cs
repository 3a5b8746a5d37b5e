using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Purchasing;

/// <summary>
/// Suppliers and purchase orders over the API, on both databases: one email per sent order after
/// commit, receipts on the stock ledger that sum to the balances, the moving-average cost to the
/// cent, over-receipts and concurrent receipts refused without a trace, incoming stock.
/// </summary>
public sealed class PurchasingTests
{
    /// <summary>MUG: 10 on hand in MAIN at cost 4.00; TOWEL: none on hand, no cost. A supplier selling both.</summary>
    private static async Task<(TestStore Store, string SupplierId)> StoreWithSupplierAsync(string database, IDictionary<string, string?>? settings = null)
    {
        var store = await TestStore.StartAsync(database, settings: settings);
        await store.AddProductAsync("MUG", 12m, main: 10, title: "Blue mug");
        await store.AddProductAsync("TOWEL", 8m, main: 0, title: "Tea towel");
        await using (var db = store.Db())
        {
            await db.Variants.Where(v => v.Sku == "MUG").ExecuteUpdateAsync(u => u.SetProperty(v => v.Cost, 4.00m));
        }

        var supplier = await store.Client.PostJson("/api/v1/suppliers", new { name = "Acme Ceramics", email = "orders@acme.example", currency = "usd", leadTimeDays = 14 })
            .Expect(HttpStatusCode.Created);
        var id = supplier["id"].Str();
        Assert.Equal("USD", supplier["currency"].Str());
        await store.Client.PostJson($"/api/v1/suppliers/{id}/products", new { sku = "MUG", supplierSku = "AC-77", cost = 5.00m, minimumOrderQuantity = 6, packSize = 6 })
            .Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/suppliers/{id}/products", new { sku = "TOWEL", cost = 2.00m }).Expect(HttpStatusCode.Created);
        return (store, id);
    }

    private static Task<JsonNode> CreateOrderAsync(TestStore store, string supplierId, params (string Sku, int Quantity, decimal? UnitCost)[] lines) =>
        store.Client.PostJson("/api/v1/purchase-orders", new
        {
            supplierId,
            warehouse = "MAIN",
            lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity, unitCost = l.UnitCost }).ToArray(),
            expectedAt = "2027-01-15T00:00:00Z",
        }).Expect(HttpStatusCode.Created);

    private static async Task<JsonNode> SentOrderAsync(TestStore store, string supplierId, params (string Sku, int Quantity, decimal? UnitCost)[] lines)
    {
        var order = await CreateOrderAsync(store, supplierId, lines);
        return await store.Client.PostAsync($"/api/v1/purchase-orders/{order["id"].Str()}/send", null).Expect(HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> ReceiveAsync(HttpClient client, string orderId, params (string Sku, int Quantity)[] lines) =>
        client.PostJson($"/api/v1/purchase-orders/{orderId}/receipts", new { lines = lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }).ToArray() });

    private static async Task<long> ScalarAsync(TestStore store, string sql)
    {
        await using var db = store.Db();
        return await db.Database.SqlQueryRaw<long>(sql).SingleAsync();
    }

    /// <summary>On hand of a SKU in MAIN, and the ledger's sum for it, read with plain SQL.</summary>
    private static async Task<(long Balance, long Ledger)> MainStockAsync(TestStore store, string sku) =>
        (await ScalarAsync(store, $"SELECT s.on_hand AS \"Value\" FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id WHERE w.code = 'MAIN' AND s.sku = '{sku}'"),
         await ScalarAsync(store, $"SELECT COALESCE(SUM(m.on_hand_delta), 0) AS \"Value\" FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id WHERE w.code = 'MAIN' AND m.sku = '{sku}'"));

    /// <summary>The variant's cost in cents, as stored.</summary>
    private static Task<long> CostCentsAsync(TestStore store, string sku) =>
        ScalarAsync(store, $"SELECT cost AS \"Value\" FROM product_variants WHERE sku = '{sku}'");

    private static async Task<JsonNode> StockAsync(TestStore store, string sku) =>
        await store.Client.GetAsync($"/api/v1/inventory/{sku}").Expect(HttpStatusCode.OK);

    private static long MainIncoming(JsonNode stock) =>
        stock["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == "MAIN")!["incoming"]!.GetValue<long>();

    private static decimal Expected(long onHandBefore, decimal oldCost, long received, decimal unitCost) =>
        Math.Round((onHandBefore * oldCost + received * unitCost) / (onHandBefore + received), 2, MidpointRounding.AwayFromZero);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_purchase_order_is_sent_once_by_email_then_received_in_two_receipts_onto_the_ledger_at_moving_average_cost(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var (store, supplierId) = await StoreWithSupplierAsync(database, smtp.Settings());
        await using var _ = store;

        var draft = await CreateOrderAsync(store, supplierId, ("MUG", 30, 5.00m), ("TOWEL", 10, null));
        var id = draft["id"].Str();
        var number = draft["number"].Str();
        Assert.Equal("PO-1001", number);
        Assert.Equal("draft", draft["status"].Str());
        Assert.Equal(170.00m, draft["total"].Dec()); // 30 × 5.00 + 10 × 2.00 (the supplier's cost)
        Assert.Equal("AC-77", draft["lines"]![0]!["supplierSku"].Str());
        Assert.Equal(0, MainIncoming(await StockAsync(store, "MUG"))); // a draft promises nothing yet

        var sent = await store.Client.PostAsync($"/api/v1/purchase-orders/{id}/send", null).Expect(HttpStatusCode.OK);
        Assert.Equal("sent", sent["status"].Str());
        await store.Client.PostAsync($"/api/v1/purchase-orders/{number}/send", null).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_draft");

        var email = await smtp.WaitForAsync("orders@acme.example", $"Purchase order {number}");
        Assert.Contains("30 × MUG (your ref. AC-77) at 5.00 USD — 150.00 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Total: 170.00 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("2027-01-15", email.TextBody, StringComparison.Ordinal);
        await using (var db = store.Db())
        {
            var message = await db.Messages.SingleAsync(m => m.Type == MessageTypes.PurchaseOrder);
            Assert.Equal($"purchase_order:{id}", message.DedupeKey);
            await Eventually.HoldsAsync(async () =>
            {
                await using var check = store.Db();
                return await check.Messages.AnyAsync(m => m.Id == message.Id && m.Status == MessageStatus.Sent);
            }, "the message recorded as sent");
        }

        await Task.Delay(300);
        Assert.Single(smtp.Received);

        var stock = await StockAsync(store, "MUG");
        Assert.Equal(30, stock["incoming"]!.GetValue<long>());
        Assert.Equal(30, MainIncoming(stock));
        Assert.Equal(10, MainIncoming(await StockAsync(store, "TOWEL")));

        // First receipt: 12 mugs. On hand before (all warehouses) 10 at 4.00.
        var partial = await ReceiveAsync(store.Client, id, ("MUG", 12)).Expect(HttpStatusCode.Created);
        Assert.Equal("partially_received", partial["status"].Str());
        Assert.Equal(12, partial["lines"]![0]!["receivedQuantity"].Int());
        Assert.Equal(18, partial["lines"]![0]!["outstanding"].Int());
        var (balance, ledger) = await MainStockAsync(store, "MUG");
        Assert.Equal(22, balance);
        Assert.Equal(balance, ledger);
        var firstCost = Expected(10, 4.00m, 12, 5.00m);
        Assert.Equal(4.55m, firstCost); // 100.00 / 22 = 4.5454…
        Assert.Equal(455, await CostCentsAsync(store, "MUG"));
        Assert.Equal(18, MainIncoming(await StockAsync(store, "MUG")));

        // Second receipt: the rest, both lines at once.
        var full = await ReceiveAsync(store.Client, number, ("MUG", 18), ("TOWEL", 10)).Expect(HttpStatusCode.Created);
        Assert.Equal("received", full["status"].Str());
        Assert.NotNull(full["receivedAt"]?.GetValue<DateTime>());
        (balance, ledger) = await MainStockAsync(store, "MUG");
        Assert.Equal(40, balance);
        Assert.Equal(balance, ledger);
        Assert.Equal(Expected(22, firstCost, 18, 5.00m), await CostCentsAsync(store, "MUG") / 100m); // 190.10 / 40 = 4.7525 → 4.75
        Assert.Equal(475, await CostCentsAsync(store, "MUG"));
        Assert.Equal(200, await CostCentsAsync(store, "TOWEL")); // no cost before: the unit cost
        Assert.Equal(10, (await MainStockAsync(store, "TOWEL")).Balance);
        Assert.Equal(0, (await StockAsync(store, "MUG"))["incoming"]!.GetValue<long>());

        await using (var db = store.Db())
        {
            var receipts = await db.StockMovements.Where(m => m.Reference == $"po:{number}").ToListAsync();
            Assert.Equal(3, receipts.Count);
            Assert.All(receipts, m => Assert.Equal(Storekeep.Inventory.MovementType.Receipt, m.Type));
            Assert.Equal(30, receipts.Where(m => m.Sku == "MUG").Sum(m => m.OnHandDelta));
        }

        await ReceiveAsync(store.Client, id, ("MUG", 1)).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_receivable");
        await store.Client.PostAsync($"/api/v1/purchase-orders/{id}/cancel", null).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_cancellable");
        await store.AssertLedgerMatchesBalancesAsync();

        // One event per change, in order, each with the order as it stood; the refused send, receipt and cancel raised none.
        await using (var db = store.Db())
        {
            var events = await db.OutboxEvents.Where(e => e.Type.StartsWith("purchase_order.")).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(["purchase_order.created", "purchase_order.sent", "purchase_order.received", "purchase_order.received"], events.Select(e => e.Type));
            var payloads = events.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Payload)!).ToList();
            Assert.All(payloads, p => Assert.Equal((id, number, "MAIN"), (p["purchaseOrderId"].Str(), p["number"].Str(), p["warehouse"].Str())));
            Assert.Equal(["draft", "sent", "partially_received", "received"], payloads.Select(p => p["status"].Str()));
            Assert.Equal(170.00m, payloads[0]["total"].Dec());
            var mugLines = payloads.Select(p => p["lines"]!.AsArray().Single(l => l!["sku"].Str() == "MUG")!).ToList();
            Assert.Equal([(0, 0), (0, 0), (12, 12), (30, 18)], mugLines.Select(l => (l["receivedQuantity"].Int(), l["receivedNow"].Int())));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Receiving_more_than_is_outstanding_is_409_and_changes_nothing(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        var order = await SentOrderAsync(store, supplierId, ("MUG", 5, 5.00m), ("TOWEL", 3, 2.00m));
        var id = order["id"].Str();
        await ReceiveAsync(store.Client, id, ("MUG", 2)).Expect(HttpStatusCode.Created);
        var before = await SnapshotAsync(store);

        var problem = await ReceiveAsync(store.Client, id, ("MUG", 4)).ExpectProblem(HttpStatusCode.Conflict, "receipt_exceeds_outstanding");
        Assert.Equal(3, problem["outstanding"]!.GetValue<int>());

        // The towels fit, the mugs do not: neither is received (one transaction).
        await ReceiveAsync(store.Client, id, ("TOWEL", 3), ("MUG", 4)).ExpectProblem(HttpStatusCode.Conflict, "receipt_exceeds_outstanding");

        // Two lines of one SKU add up: 2 + 2 > 3.
        await ReceiveAsync(store.Client, id, ("MUG", 2), ("MUG", 2)).ExpectProblem(HttpStatusCode.Conflict, "receipt_exceeds_outstanding");
        await ReceiveAsync(store.Client, id, ("VASE", 1)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "sku_not_on_purchase_order");
        Assert.Equal(before, await SnapshotAsync(store));

        var after = await store.Client.GetAsync($"/api/v1/purchase-orders/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("partially_received", after["status"].Str());
        Assert.Equal(2, after["lines"]![0]!["receivedQuantity"].Int());
        Assert.Equal(0, after["lines"]![1]!["receivedQuantity"].Int());
    }

    /// <summary>Everything a receipt could touch: balances, ledger, received quantities, statuses, costs.</summary>
    private static async Task<string> SnapshotAsync(TestStore store)
    {
        await using var db = store.Db();
        var levels = await db.StockLevels.OrderBy(s => s.Sku).ThenBy(s => s.WarehouseId).Select(s => $"{s.Sku}:{s.OnHand}:{s.Reserved}").ToListAsync();
        var movements = await db.StockMovements.CountAsync();
        var lines = await db.Set<Storekeep.Purchasing.PurchaseOrderLine>().OrderBy(l => l.Id).Select(l => $"{l.Sku}:{l.ReceivedQuantity}").ToListAsync();
        var statuses = await db.Set<Storekeep.Purchasing.PurchaseOrder>().OrderBy(o => o.Id).Select(o => o.Status.ToString()).ToListAsync();
        var costs = await db.Variants.OrderBy(v => v.Sku).Select(v => $"{v.Sku}:{v.Cost}").ToListAsync();
        return string.Join("|", levels) + $"#{movements}#" + string.Join("|", lines) + "#" + string.Join("|", statuses) + "#" + string.Join("|", costs);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_receipts_of_the_last_units_at_once_receive_them_exactly_once(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        for (var round = 0; round < 3; round++)
        {
            var order = await SentOrderAsync(store, supplierId, ("MUG", 10, 5.00m));
            var id = order["id"].Str();
            await ReceiveAsync(store.Client, id, ("MUG", 7)).Expect(HttpStatusCode.Created);
            var onHandBefore = (await MainStockAsync(store, "MUG")).Balance;

            var attempts = await Task.WhenAll(ReceiveAsync(store.Client, id, ("MUG", 3)), ReceiveAsync(store.Client, id, ("MUG", 3)));
            Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.Created);
            var refused = Assert.Single(attempts, r => r.StatusCode != HttpStatusCode.Created);
            await refused.ExpectProblem(HttpStatusCode.Conflict);

            var (balance, ledger) = await MainStockAsync(store, "MUG");
            Assert.Equal(onHandBefore + 3, balance);
            Assert.Equal(balance, ledger);
            var number = order["number"].Str();
            Assert.Equal(10, await ScalarAsync(store, $"SELECT COALESCE(SUM(on_hand_delta), 0) AS \"Value\" FROM stock_movements WHERE reference = 'po:{number}'"));
            var after = await store.Client.GetAsync($"/api/v1/purchase-orders/{id}").Expect(HttpStatusCode.OK);
            Assert.Equal("received", after["status"].Str());
        }

        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_receipt_retried_with_its_idempotency_key_is_received_once(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        var order = await SentOrderAsync(store, supplierId, ("MUG", 10, 5.00m));
        var id = order["id"].Str();
        var body = new { lines = new[] { new { sku = "MUG", quantity = 4 } } };

        var first = await store.Client.PostJson($"/api/v1/purchase-orders/{id}/receipts", body, idempotencyKey: "receipt-1");
        var again = await store.Client.PostJson($"/api/v1/purchase-orders/{id}/receipts", body, idempotencyKey: "receipt-1");

        await first.Expect(HttpStatusCode.Created);
        var replay = await again.Expect(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(4, replay["lines"]![0]!["receivedQuantity"].Int());
        Assert.Equal(14, (await MainStockAsync(store, "MUG")).Balance);
        Assert.Equal(6, MainIncoming(await StockAsync(store, "MUG")));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Incoming_counts_sent_and_partially_received_orders_only_and_a_cancelled_order_cannot_be_received(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        var draft = await CreateOrderAsync(store, supplierId, ("MUG", 100, 5.00m));
        await ReceiveAsync(store.Client, draft["id"].Str(), ("MUG", 1)).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_receivable");
        var sent = await SentOrderAsync(store, supplierId, ("MUG", 20, 5.00m));
        var partial = await SentOrderAsync(store, supplierId, ("MUG", 8, 5.00m));
        await ReceiveAsync(store.Client, partial["id"].Str(), ("MUG", 5)).Expect(HttpStatusCode.Created);
        var toCancel = await SentOrderAsync(store, supplierId, ("MUG", 50, 5.00m));

        Assert.Equal(20 + 3 + 50, MainIncoming(await StockAsync(store, "MUG")));
        var cancelled = await store.Client.PostAsync($"/api/v1/purchase-orders/{toCancel["id"].Str()}/cancel", null).Expect(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled["status"].Str());
        Assert.Equal(20 + 3, MainIncoming(await StockAsync(store, "MUG")));

        var before = await SnapshotAsync(store);
        await ReceiveAsync(store.Client, toCancel["id"].Str(), ("MUG", 1)).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_receivable");
        await store.Client.PostAsync($"/api/v1/purchase-orders/{toCancel["id"].Str()}/cancel", null).ExpectProblem(HttpStatusCode.Conflict, "purchase_order_not_cancellable");
        Assert.Equal(before, await SnapshotAsync(store));

        // Incoming shows on the stock list too, per warehouse level.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var page = await scope.ServiceProvider.GetRequiredService<Storekeep.Inventory.StockTotals>().LevelsAsync("MUG", 50, null, CancellationToken.None);
            Assert.Equal(23, page.Items.Single(l => l.Warehouse == "MAIN").Incoming);
            Assert.Equal(0, page.Items.Single(l => l.Warehouse == "WEST").Incoming);
        }

        // Filters: by status and by supplier.
        var sentList = await store.Client.GetAsync("/api/v1/purchase-orders?status=sent").Expect(HttpStatusCode.OK);
        Assert.Equal([sent["number"].Str()], sentList["items"]!.AsArray().Select(o => o!["number"].Str()));
        var bySupplier = await store.Client.GetAsync($"/api/v1/purchase-orders?supplierId={supplierId}&limit=2").Expect(HttpStatusCode.OK);
        Assert.Equal(2, bySupplier["items"]!.AsArray().Count);
        var next = await store.Client.GetAsync($"/api/v1/purchase-orders?supplierId={supplierId}&limit=2&cursor={bySupplier["nextCursor"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(2, next["items"]!.AsArray().Count);
        Assert.Empty((await store.Client.GetAsync($"/api/v1/purchase-orders?supplierId={Guid.NewGuid()}").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        await store.Client.GetAsync("/api/v1/purchase-orders?status=shipped").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_suppliers_products_and_orders_are_refused_with_clear_problems(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        var suppliersBefore = await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM suppliers");

        var bad = await store.Client.PostJson("/api/v1/suppliers", new { name = "", email = "not-an-email", currency = "US", leadTimeDays = -1 })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["currency", "email", "leadTimeDays", "name"], bad["errors"]!.AsObject().Select(e => e.Key).Order());
        await store.Client.PostJson("/api/v1/suppliers", new { name = "X", email = "x@example.com", currency = "U5D" }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(suppliersBefore, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM suppliers"));

        await store.Client.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "NOPE", cost = 1m }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_sku");
        await store.Client.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "MUG", cost = -1m }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson($"/api/v1/suppliers/{Guid.NewGuid()}/products", new { sku = "MUG", cost = 1m }).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await store.Client.GetAsync($"/api/v1/suppliers/{Guid.NewGuid()}").ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await store.Client.GetAsync("/api/v1/purchase-orders/PO-99999").ExpectProblem(HttpStatusCode.NotFound, "not_found");

        object Order(object supplier, string warehouse, string sku, int quantity, decimal? unitCost) =>
            new { supplierId = supplier, warehouse, lines = new[] { new { sku, quantity, unitCost } } };
        await store.Client.PostJson("/api/v1/purchase-orders", Order(Guid.NewGuid(), "MAIN", "MUG", 1, 1m)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_supplier");
        await store.Client.PostJson("/api/v1/purchase-orders", Order(supplierId, "MOON", "MUG", 1, 1m)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        await store.Client.PostJson("/api/v1/purchase-orders", Order(supplierId, "MAIN", "NOPE", 1, 1m)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_sku");
        await store.Client.PostJson("/api/v1/purchase-orders", Order(supplierId, "MAIN", "MUG", 0, 1m)).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/purchase-orders", Order(supplierId, "MAIN", "MUG", -3, 1m)).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/purchase-orders", Order(supplierId, "MAIN", "MUG", 1, -0.01m)).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/purchase-orders", new { supplierId, warehouse = "MAIN", lines = Array.Empty<object>() }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/purchase-orders", new { supplierId, warehouse = "MAIN", lines = new[] { new { sku = "MUG", quantity = 1 }, new { sku = "MUG", quantity = 2 } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        var order = await SentOrderAsync(store, supplierId, ("MUG", 5, 5.00m));
        await store.Client.PostJson($"/api/v1/purchase-orders/{order["id"].Str()}/receipts", new { lines = new[] { new { sku = "MUG", quantity = 0 } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM purchase_orders WHERE status <> 'sent'"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_supplier_lists_its_products_and_setting_a_sku_again_changes_its_terms(string database)
    {
        var (store, supplierId) = await StoreWithSupplierAsync(database);
        await using var _ = store;
        var changed = await store.Client.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "TOWEL", cost = 2.25m, leadTimeDays = 3 }).Expect(HttpStatusCode.OK);
        Assert.Equal(2.25m, changed["cost"].Dec());

        var supplier = await store.Client.GetAsync($"/api/v1/suppliers/{supplierId}").Expect(HttpStatusCode.OK);
        var products = supplier["products"]!.AsArray();
        Assert.Equal(["MUG", "TOWEL"], products.Select(p => p!["sku"].Str()));
        Assert.Equal(6, products[0]!["packSize"].Int());
        Assert.Equal(3, products[1]!["leadTimeDays"].Int());
        Assert.Equal(14, supplier["leadTimeDays"].Int());

        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var list = await warehouse.GetAsync("/api/v1/suppliers").Expect(HttpStatusCode.OK);
        Assert.Equal("Acme Ceramics", Assert.Single(list["items"]!.AsArray())!["name"].Str());
        await warehouse.PostJson("/api/v1/suppliers", new { name = "B", email = "b@example.com", currency = "USD", leadTimeDays = 1 }).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void The_moving_average_cost_rounds_half_away_from_zero_and_starts_from_the_unit_cost()
    {
        Assert.Equal(1.01m, CatalogService.MovingAverageCost(1.00m, 1, 1, 1.01m)); // 1.005 exactly: away from zero, not to even
        Assert.Equal(3.33m, CatalogService.MovingAverageCost(0m, 2, 1, 10.00m)); // 3.333…
        Assert.Equal(6.67m, CatalogService.MovingAverageCost(10.00m, 2, 1, 0m)); // 6.666…
        Assert.Equal(7.50m, CatalogService.MovingAverageCost(null, 100, 5, 7.50m));
        Assert.Equal(7.50m, CatalogService.MovingAverageCost(3.00m, 0, 5, 7.50m));
        Assert.Equal(7.50m, CatalogService.MovingAverageCost(3.00m, -4, 5, 7.50m));
        Assert.Equal(999_999_999.99m, CatalogService.MovingAverageCost(999_999_999.99m, 1_000_000, 1_000_000, 999_999_999.99m));
    }
}

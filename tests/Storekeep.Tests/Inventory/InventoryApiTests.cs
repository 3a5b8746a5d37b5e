using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.CatalogTestData;

namespace Storekeep.Tests.Inventory;

public sealed class InventoryApiTests
{
    /// <summary>A product with SKU "MUG" and warehouses EAST (priority 1) and WEST (priority 2).</summary>
    private static async Task<TestStore> StoreWithMugAsync(string database)
    {
        var store = await TestStore.StartAsync(database);
        await CreateProductAsync(store.Client, "Mug", "MUG");
        await CreateWarehouseAsync(store.Client, "EAST", 1);
        await CreateWarehouseAsync(store.Client, "WEST", 2);
        return store;
    }

    private static async Task<JsonNode> StockAsync(TestStore store, string sku) =>
        await (await store.Client.GetAsync($"/api/v1/inventory/{Uri.EscapeDataString(sku)}")).Expect(HttpStatusCode.OK);

    private static long At(JsonNode stock, string warehouse, string field) =>
        stock["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == warehouse)![field]!.GetValue<long>();

    /// <summary>Per SKU and warehouse, the ledger's deltas sum to the balances.</summary>
    private static async Task AssertLedgerMatchesBalancesAsync(TestStore store)
    {
        await using var db = store.Db();
        var levels = await db.StockLevels.AsNoTracking().ToListAsync();
        var sums = await db.StockMovements.GroupBy(m => new { m.Sku, m.WarehouseId })
            .Select(g => new { g.Key.Sku, g.Key.WarehouseId, OnHand = g.Sum(m => m.OnHandDelta), Reserved = g.Sum(m => m.ReservedDelta) })
            .ToListAsync();
        Assert.NotEmpty(levels);
        foreach (var level in levels)
        {
            var sum = sums.SingleOrDefault(s => s.Sku == level.Sku && s.WarehouseId == level.WarehouseId);
            Assert.Equal(level.OnHand, sum?.OnHand ?? 0);
            Assert.Equal(level.Reserved, sum?.Reserved ?? 0);
        }

        Assert.All(sums, s => Assert.Contains(levels, l => l.Sku == s.Sku && l.WarehouseId == s.WarehouseId));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Warehouses_are_created_listed_and_their_codes_are_unique(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var created = await (await store.Client.PostJson("/api/v1/warehouses", new { code = "MAIN", name = "Main", priority = 3 })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson("/api/v1/warehouses", new { code = "ANNEX", name = "Annex" })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson("/api/v1/warehouses", new { code = "MAIN", name = "Again" })).ExpectProblem(HttpStatusCode.Conflict, "warehouse_code_taken");

        Assert.Equal(3, created["priority"].Int());
        var support = await store.ClientForAsync(Role.Support);
        var list = await (await support.GetAsync("/api/v1/warehouses")).Expect(HttpStatusCode.OK);
        Assert.Equal(["ANNEX", "MAIN"], list["items"]!.AsArray().Select(w => w!["code"].Str()));
        Assert.Equal(0, list["items"]![0]!["priority"].Int());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Adjustments_change_on_hand_and_return_the_ledger_row(string database)
    {
        await using var store = await StoreWithMugAsync(database);

        var response = await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "MUG", warehouse = "EAST", quantity = 12, reason = "delivery from supplier", type = "receipt" });
        var movement = await response.Expect(HttpStatusCode.Created);
        await AdjustAsync(store.Client, "MUG", "WEST", 4);
        await AdjustAsync(store.Client, "MUG", "EAST", -2, "broken in storage");

        Assert.Equal("MUG", movement["sku"].Str());
        Assert.Equal("EAST", movement["warehouse"].Str());
        Assert.Equal("receipt", movement["type"].Str());
        Assert.Equal(12, movement["onHandDelta"].Int());
        Assert.Equal(0, movement["reservedDelta"].Int());
        Assert.Equal("delivery from supplier", movement["reason"].Str());
        Assert.StartsWith("api-key:", movement["actor"].Str(), StringComparison.Ordinal);
        var stock = await StockAsync(store, "MUG");
        Assert.Equal(14, stock["onHand"]!.GetValue<long>());
        Assert.Equal(0, stock["reserved"]!.GetValue<long>());
        Assert.Equal(14, stock["available"]!.GetValue<long>());
        Assert.Equal(["EAST", "WEST"], stock["warehouses"]!.AsArray().Select(w => w!["warehouse"].Str()));
        Assert.Equal(10, At(stock, "EAST", "available"));
        Assert.Equal(InventoryService.DefaultLowStockThreshold, At(stock, "WEST", "lowStockThreshold"));
        await AssertLedgerMatchesBalancesAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Removing_more_than_is_available_is_409_and_changes_nothing(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        await AdjustAsync(store.Client, "MUG", "EAST", 10);
        await using (var db = store.Db())
        {
            await db.InTransactionAsync(ct => new InventoryService(db, TimeProvider.System).ReserveAsync([new StockRequest("MUG", 7)], "order:1", Actor.System, ct));
        }

        var before = await FingerprintAsync(store);

        var problem = await (await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "MUG", warehouse = "EAST", quantity = -4, reason = "count" }))
            .ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");
        await (await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "MUG", warehouse = "WEST", quantity = -1, reason = "count" }))
            .ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");

        Assert.Equal(3, problem["available"]!.GetValue<long>());
        Assert.Equal(before, await FingerprintAsync(store));
        await AdjustAsync(store.Client, "MUG", "EAST", -3);
        var stock = await StockAsync(store, "MUG");
        Assert.Equal((7L, 7L, 0L), (At(stock, "EAST", "onHand"), At(stock, "EAST", "reserved"), At(stock, "EAST", "available")));
        await AssertLedgerMatchesBalancesAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Transfers_move_only_available_stock_and_keep_the_ledger_balanced(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        await AdjustAsync(store.Client, "MUG", "EAST", 10);
        await using (var db = store.Db())
        {
            await db.InTransactionAsync(ct => new InventoryService(db, TimeProvider.System).ReserveAsync([new StockRequest("MUG", 4)], "order:1", Actor.System, ct));
        }

        var transfer = await (await store.Client.PostJson("/api/v1/inventory/transfers", new { sku = "MUG", from = "EAST", to = "WEST", quantity = 5 })).Expect(HttpStatusCode.Created);
        var before = await FingerprintAsync(store);
        await (await store.Client.PostJson("/api/v1/inventory/transfers", new { sku = "MUG", from = "EAST", to = "WEST", quantity = 2 }))
            .ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");
        await (await store.Client.PostJson("/api/v1/inventory/transfers", new { sku = "MUG", from = "EAST", to = "EAST", quantity = 1 }))
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Client.PostJson("/api/v1/inventory/transfers", new { sku = "MUG", from = "EAST", to = "NORTH", quantity = 1 }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        Assert.Equal(before, await FingerprintAsync(store));

        var movements = transfer["movements"]!.AsArray();
        Assert.Equal([("transfer_out", "EAST", -5), ("transfer_in", "WEST", 5)], movements.Select(m => (m!["type"].Str(), m["warehouse"].Str(), m["onHandDelta"].Int())));
        Assert.All(movements, m => Assert.Equal(transfer["reference"].Str(), m!["reference"].Str()));
        var stock = await StockAsync(store, "MUG");
        Assert.Equal((5L, 4L, 1L), (At(stock, "EAST", "onHand"), At(stock, "EAST", "reserved"), At(stock, "EAST", "available")));
        Assert.Equal(5, At(stock, "WEST", "onHand"));
        Assert.Equal(10, stock["onHand"]!.GetValue<long>());
        await AssertLedgerMatchesBalancesAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Movements_are_listed_newest_first_per_sku_in_pages(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        await CreateProductAsync(store.Client, "Plate", "PLATE");
        for (var i = 1; i <= 5; i++)
        {
            await AdjustAsync(store.Client, "MUG", "EAST", i, $"count {i}");
        }

        await AdjustAsync(store.Client, "PLATE", "WEST", 9);

        var reasons = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await store.Client.GetAsync($"/api/v1/inventory/movements?sku=MUG&limit=2{(cursor is null ? "" : "&cursor=" + cursor)}")).Expect(HttpStatusCode.OK);
            reasons.AddRange(page["items"]!.AsArray().Select(m => m!["reason"].Str()));
            Assert.All(page["items"]!.AsArray(), m => Assert.Equal("adjustment", m!["type"].Str()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(["count 5", "count 4", "count 3", "count 2", "count 1"], reasons);
        var all = await (await store.Client.GetAsync("/api/v1/inventory/movements")).Expect(HttpStatusCode.OK);
        Assert.Equal(6, all["items"]!.AsArray().Count);
        Assert.Equal("PLATE", all["items"]![0]!["sku"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Falling_to_the_threshold_raises_a_low_stock_event_and_lists_the_level(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        await AdjustAsync(store.Client, "MUG", "EAST", 20);
        await AdjustAsync(store.Client, "MUG", "WEST", 20);
        var level = await (await store.Client.PatchJson("/api/v1/inventory/MUG/warehouses/EAST", new { lowStockThreshold = 8 })).Expect(HttpStatusCode.OK);
        Assert.Equal(8, level["lowStockThreshold"]!.GetValue<long>());
        var empty = await (await store.Client.GetAsync("/api/v1/inventory/low-stock")).Expect(HttpStatusCode.OK);
        Assert.Empty(empty["items"]!.AsArray());

        await AdjustAsync(store.Client, "MUG", "EAST", -12); // 8 left: at the threshold
        await AdjustAsync(store.Client, "MUG", "EAST", -1); // already low: no second event

        await using var db = store.Db();
        var events = await db.OutboxEvents.Where(e => e.Type == EventTypes.InventoryLowStock).ToListAsync();
        var payload = Assert.Single(events).Payload;
        Assert.Contains("\"warehouse\":\"EAST\"", payload, StringComparison.Ordinal);
        Assert.Contains("\"available\":8", payload, StringComparison.Ordinal);
        var low = await (await store.Client.GetAsync("/api/v1/inventory/low-stock")).Expect(HttpStatusCode.OK);
        var item = Assert.Single(low["items"]!.AsArray());
        Assert.Equal(("MUG", "EAST", 7L), (item!["sku"].Str(), item["warehouse"].Str(), item["available"]!.GetValue<long>()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Unknown_skus_and_warehouses_are_reported_clearly(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        var before = await FingerprintAsync(store);

        await (await store.Client.GetAsync("/api/v1/inventory/NOPE")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "NOPE", warehouse = "EAST", quantity = 1, reason = "x" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_sku");
        await (await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "MUG", warehouse = "NORTH", quantity = 1, reason = "x" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        await (await store.Client.PatchJson("/api/v1/inventory/MUG/warehouses/NORTH", new { lowStockThreshold = 1 })).ExpectProblem(HttpStatusCode.NotFound);
        await (await store.Client.PatchJson("/api/v1/inventory/NOPE/warehouses/EAST", new { lowStockThreshold = 1 })).ExpectProblem(HttpStatusCode.NotFound);

        Assert.Equal(before, await FingerprintAsync(store));
        var fresh = await StockAsync(store, "MUG"); // a product without stock yet is known, with nothing on hand
        Assert.Equal(0, fresh["onHand"]!.GetValue<long>());
        Assert.Empty(fresh["warehouses"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_sku_with_a_slash_is_addressed_by_escaping_it(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await CreateProductAsync(store.Client, "Bolt", "BOLT/M8");
        await CreateWarehouseAsync(store.Client, "MAIN");
        await AdjustAsync(store.Client, "BOLT/M8", "MAIN", 3);

        var stock = await StockAsync(store, "BOLT/M8");
        await (await store.Client.PatchJson("/api/v1/inventory/BOLT%2FM8/warehouses/MAIN", new { lowStockThreshold = 1 })).Expect(HttpStatusCode.OK);

        Assert.Equal("BOLT/M8", stock["sku"].Str());
        Assert.Equal(3, stock["onHand"]!.GetValue<long>());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Inventory_needs_a_key_and_writes_need_inventory_write(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        var marketing = await store.ClientForAsync(Role.Marketing);
        var support = await store.ClientForAsync(Role.Support);
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var adjustment = new { sku = "MUG", warehouse = "EAST", quantity = 5, reason = "count" };
        var before = await FingerprintAsync(store);

        await (await store.Anonymous.GetAsync("/api/v1/inventory/MUG")).ExpectProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await store.Anonymous.GetAsync("/api/v1/warehouses")).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await store.Anonymous.GetAsync("/api/v1/inventory/movements")).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await store.Anonymous.PostJson("/api/v1/inventory/adjustments", adjustment)).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await marketing.GetAsync("/api/v1/inventory/MUG")).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await support.PostJson("/api/v1/inventory/adjustments", adjustment)).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await support.PostJson("/api/v1/warehouses", new { code = "X", name = "X" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await support.PostJson("/api/v1/inventory/transfers", new { sku = "MUG", from = "EAST", to = "WEST", quantity = 1 })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await support.PatchJson("/api/v1/inventory/MUG/warehouses/EAST", new { lowStockThreshold = 1 })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(before, await FingerprintAsync(store));

        await (await support.GetAsync("/api/v1/inventory/MUG")).Expect(HttpStatusCode.OK);
        var movement = await (await warehouse.PostJson("/api/v1/inventory/adjustments", adjustment)).Expect(HttpStatusCode.Created);
        Assert.Equal("api-key:test-Warehouse", movement["actor"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Malformed_or_invalid_inventory_requests_are_4xx_problems_and_change_nothing(string database)
    {
        await using var store = await StoreWithMugAsync(database);
        await AdjustAsync(store.Client, "MUG", "EAST", 5);
        var client = store.Client;
        const string warehouses = "/api/v1/warehouses";
        const string adjustments = "/api/v1/inventory/adjustments";
        const string transfers = "/api/v1/inventory/transfers";
        const string threshold = "/api/v1/inventory/MUG/warehouses/EAST";

        await ExpectAllRejectedAsync(store,
        [
            ("warehouse: malformed json", () => client.PostRaw(warehouses, "{\"code\":")),
            ("warehouse: code wrong type", () => client.PostRaw(warehouses, """{"code": {}, "name": "x"}""")),
            ("warehouse: priority beyond int", () => client.PostRaw(warehouses, """{"code": "N", "name": "x", "priority": 1e20}""")),
            ("warehouse: missing fields", () => client.PostJson(warehouses, new { })),
            ("warehouse: code with spaces", () => client.PostJson(warehouses, new { code = "NO RTH", name = "x" })),
            ("warehouse: code too long", () => client.PostJson(warehouses, new { code = new string('C', 33), name = "x" })),
            ("warehouse: name too long", () => client.PostJson(warehouses, new { code = "N", name = new string('n', 201) })),
            ("warehouse: negative priority", () => client.PostJson(warehouses, new { code = "N", name = "x", priority = -1 })),
            ("warehouse: code taken", () => client.PostJson(warehouses, new { code = "EAST", name = "x" })),
            ("adjust: malformed json", () => client.PostRaw(adjustments, "{\"sku\": \"MUG\",, }")),
            ("adjust: quantity wrong type", () => client.PostRaw(adjustments, """{"sku": "MUG", "warehouse": "EAST", "quantity": [1], "reason": "x"}""")),
            ("adjust: fractional quantity", () => client.PostRaw(adjustments, """{"sku": "MUG", "warehouse": "EAST", "quantity": 1.5, "reason": "x"}""")),
            ("adjust: quantity beyond int", () => client.PostRaw(adjustments, """{"sku": "MUG", "warehouse": "EAST", "quantity": 1e20, "reason": "x"}""")),
            ("adjust: missing fields", () => client.PostJson(adjustments, new { })),
            ("adjust: zero quantity", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = 0, reason = "x" })),
            ("adjust: huge quantity", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = 2_000_000_000, reason = "x" })),
            ("adjust: huge negative quantity", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = int.MinValue, reason = "x" })),
            ("adjust: missing reason", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = 1 })),
            ("adjust: reason too long", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = 1, reason = new string('r', 501) })),
            ("adjust: sku too long", () => client.PostJson(adjustments, new { sku = new string('S', 65), warehouse = "EAST", quantity = 1, reason = "x" })),
            ("adjust: negative receipt", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = -1, reason = "x", type = "receipt" })),
            ("adjust: unknown type", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = 1, reason = "x", type = "shipment" })),
            ("adjust: beyond available", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "EAST", quantity = -6, reason = "x" })),
            ("adjust: unknown sku", () => client.PostJson(adjustments, new { sku = "NOPE", warehouse = "EAST", quantity = 1, reason = "x" })),
            ("adjust: unknown warehouse", () => client.PostJson(adjustments, new { sku = "MUG", warehouse = "NORTH", quantity = 1, reason = "x" })),
            ("transfer: malformed json", () => client.PostRaw(transfers, "{")),
            ("transfer: quantity wrong type", () => client.PostRaw(transfers, """{"sku": "MUG", "from": "EAST", "to": "WEST", "quantity": "many"}""")),
            ("transfer: missing fields", () => client.PostJson(transfers, new { sku = "MUG" })),
            ("transfer: negative quantity", () => client.PostJson(transfers, new { sku = "MUG", from = "EAST", to = "WEST", quantity = -1 })),
            ("transfer: huge quantity", () => client.PostJson(transfers, new { sku = "MUG", from = "EAST", to = "WEST", quantity = 5_000_000 })),
            ("transfer: same warehouse", () => client.PostJson(transfers, new { sku = "MUG", from = "EAST", to = "EAST", quantity = 1 })),
            ("transfer: beyond available", () => client.PostJson(transfers, new { sku = "MUG", from = "EAST", to = "WEST", quantity = 6 })),
            ("transfer: nothing at source", () => client.PostJson(transfers, new { sku = "MUG", from = "WEST", to = "EAST", quantity = 1 })),
            ("transfer: reason too long", () => client.PostJson(transfers, new { sku = "MUG", from = "EAST", to = "WEST", quantity = 1, reason = new string('r', 501) })),
            ("threshold: malformed json", () => client.SendRaw(HttpMethod.Patch, threshold, "{lowStockThreshold: 1}")),
            ("threshold: wrong type", () => client.SendRaw(HttpMethod.Patch, threshold, """{"lowStockThreshold": "lots"}""")),
            ("threshold: missing", () => client.PatchJson(threshold, new { })),
            ("threshold: negative", () => client.PatchJson(threshold, new { lowStockThreshold = -1 })),
            ("threshold: huge", () => client.PatchJson(threshold, new { lowStockThreshold = long.MaxValue })),
        ]);
    }
}

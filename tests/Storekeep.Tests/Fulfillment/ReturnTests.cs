using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Fulfillment;

public sealed class ReturnTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_restocked_return_puts_units_back_on_hand_in_the_warehouse_they_shipped_from(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEE-1", 20m, main: 1, west: 2);
        var order = await store.PlaceOrderAsync(("TEE-1", 3));
        await store.ShipAsync(order, "MAIN", ("TEE-1", 1));
        await store.ShipAsync(order, "WEST", ("TEE-1", 2));

        var created = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", new
        {
            lines = new[] { new { sku = "TEE-1", quantity = 3 } },
            reason = "Wrong size",
            restock = true,
        })).Expect(HttpStatusCode.Created);
        Assert.Matches("^RMA-1\\d{3}$", created["rmaNumber"].Str());
        Assert.Equal("requested", created["status"].Str());
        Assert.True(created["restock"]!.GetValue<bool>());
        Assert.Equal(3, Assert.Single(created["lines"]!.AsArray())!["quantity"].Int());
        Assert.Equal((0L, 0L), await store.StockAsync("TEE-1", "MAIN"));

        var received = await (await store.Client.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("received", received["status"].Str());
        Assert.Equal((1L, 0L), await store.StockAsync("TEE-1", "MAIN"));
        Assert.Equal((2L, 0L), await store.StockAsync("TEE-1", "WEST"));
        var after = await store.GetOrderAsync(order);
        Assert.Equal(3, after["lines"]![0]!["returnedQuantity"].Int());

        await (await store.Client.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).ExpectProblem(HttpStatusCode.Conflict, "return_already_received");
        Assert.Equal((1L, 0L), await store.StockAsync("TEE-1", "MAIN"));
        var fetched = await (await store.Client.GetAsync($"/api/v1/returns/{created["id"].Str()}")).Expect(HttpStatusCode.OK);
        Assert.Equal("received", fetched["status"].Str());
        var listed = await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}/returns")).Expect(HttpStatusCode.OK);
        Assert.Single(listed.AsArray());
        await using var db = store.Db();
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.ReturnReceived));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_written_off_return_leaves_on_hand_unchanged_and_records_a_ledger_row(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        await store.ShipAsync(order, null, ("MUG-1", 2));
        var created = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", new
        {
            lines = new[] { new { sku = "MUG-1", quantity = 1 } },
            reason = "Broken in transit",
            restock = false,
        })).Expect(HttpStatusCode.Created);

        await (await store.Client.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).Expect(HttpStatusCode.OK);

        Assert.Equal((3L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        await using var db = store.Db();
        var writeOff = await db.StockMovements.SingleAsync(m => m.Type == MovementType.WriteOff);
        Assert.Equal(("MUG-1", 0L, 0L), (writeOff.Sku, writeOff.OnHandDelta, writeOff.ReservedDelta));
        Assert.Equal($"return:{created["rmaNumber"].Str()}", writeOff.Reference);
        Assert.Equal(1, (await store.GetOrderAsync(order))["lines"]![0]!["returnedQuantity"].Int());
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Returning_more_than_shipped_less_already_requested_is_409(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 3));
        await store.ShipAsync(order, null, ("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/returns";
        object Body(int quantity, string sku = "MUG-1") => new { lines = new[] { new { sku, quantity } }, reason = "No longer needed", restock = true };

        await (await store.Client.PostJson(url, Body(3))).ExpectProblem(HttpStatusCode.Conflict, "return_exceeds_shipped");
        await (await store.Client.PostJson(url, Body(1))).Expect(HttpStatusCode.Created);
        var second = await (await store.Client.PostJson(url, Body(1))).Expect(HttpStatusCode.Created);
        var problem = await (await store.Client.PostJson(url, Body(1))).ExpectProblem(HttpStatusCode.Conflict, "return_exceeds_shipped");
        Assert.Equal(0, problem["returnable"].Int());
        await (await store.Client.PostJson(url, Body(1, "NOPE"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "sku_not_in_order");
        Assert.NotEqual("RMA-1001", second["rmaNumber"].Str());

        await using var db = store.Db();
        Assert.Equal(2, await db.Returns.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Support_opens_returns_but_only_fulfillment_roles_receive_them(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        await store.ShipAsync(order, null, ("MUG-1", 1));
        var body = new { lines = new[] { new { sku = "MUG-1", quantity = 1 } }, reason = "Changed mind", restock = true };

        await (await store.Anonymous.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", body)).ExpectProblem(HttpStatusCode.Unauthorized);
        var sales = await store.ClientForAsync(Role.Sales);
        await (await sales.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", body)).ExpectProblem(HttpStatusCode.Forbidden);
        var support = await store.ClientForAsync(Role.Support);
        var created = await (await support.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", body)).Expect(HttpStatusCode.Created);
        await (await support.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal((4L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        await (await warehouse.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));
    }
}

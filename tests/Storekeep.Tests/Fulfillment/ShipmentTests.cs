using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Fulfillment;

public sealed class ShipmentTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Partial_then_full_shipment_consumes_the_reservation_and_moves_the_fulfillment_status(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        await store.AddProductAsync("TEE-1", 20m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 3), ("TEE-1", 2));
        Assert.Equal((10L, 3L), await store.StockAsync("MUG-1", "MAIN"));

        var first = await store.ShipAsync(order, "MAIN", ("MUG-1", 2));
        Assert.Equal("shipped", first["status"].Str());
        Assert.Equal("MAIN", first["warehouse"].Str());
        Assert.Equal(order["id"].Str(), first["orderId"].Str());
        Assert.Equal("1Z999", first["trackingNumber"].Str());
        Assert.Equal(2, first["lines"]![0]!["quantity"].Int());
        Assert.Equal((8L, 1L), await store.StockAsync("MUG-1", "MAIN"));
        var partial = await store.GetOrderAsync(order);
        Assert.Equal("partially_shipped", partial["fulfillmentStatus"].Str());
        Assert.Equal(2, partial["lines"]!.AsArray().Single(l => l!["sku"].Str() == "MUG-1")!["fulfilledQuantity"].Int());

        // No warehouse named: the one holding the rest is chosen.
        await store.ShipAsync(order, null, ("mug-1", 1), ("TEE-1", 2));
        Assert.Equal((7L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        Assert.Equal((3L, 0L), await store.StockAsync("TEE-1", "MAIN"));
        var full = await store.GetOrderAsync(order);
        Assert.Equal("shipped", full["fulfillmentStatus"].Str());
        Assert.Equal("open", full["status"].Str());

        var listed = await (await store.Client.GetAsync($"/api/v1/orders/{order["number"]}/shipments")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, listed.AsArray().Count);
        await using var db = store.Db();
        Assert.Equal(2, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderShipped));
        Assert.All(await db.OrderAllocations.ToListAsync(), a => Assert.Equal(a.Quantity, a.ShippedQuantity));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Shipping_more_than_is_left_to_ship_is_409_and_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        await store.AddProductAsync("TEE-1", 20m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 3), ("TEE-1", 1));
        await store.ShipAsync(order, null, ("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/shipments";

        // The first line is fine, the second is one too many: all or nothing.
        await (await store.Client.PostJson(url, OrderTestData.Ship(null, ("TEE-1", 1), ("MUG-1", 2)))).ExpectProblem(HttpStatusCode.Conflict, "shipment_exceeds_order");
        await (await store.Client.PostJson(url, OrderTestData.Ship(null, ("NOPE-1", 1)))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "sku_not_in_order");
        await (await store.Client.PostJson(url, OrderTestData.Ship("MOON", ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        await (await store.Client.PostJson(url, OrderTestData.Ship("WEST", ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.Conflict, "not_allocated_in_warehouse");

        Assert.Equal((8L, 1L), await store.StockAsync("MUG-1", "MAIN"));
        Assert.Equal((5L, 1L), await store.StockAsync("TEE-1", "MAIN"));
        var after = await store.GetOrderAsync(order);
        Assert.Equal("partially_shipped", after["fulfillmentStatus"].Str());
        Assert.Equal(0, after["lines"]!.AsArray().Single(l => l!["sku"].Str() == "TEE-1")!["fulfilledQuantity"].Int());
        await using var db = store.Db();
        Assert.Equal(1, await db.Shipments.CountAsync());
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_line_split_across_warehouses_ships_one_warehouse_at_a_time(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEE-1", 20m, main: 1, west: 2);
        var order = await store.PlaceOrderAsync(("TEE-1", 3)); // no warehouse has 3: 1 reserved in MAIN, 2 in WEST
        var url = $"/api/v1/orders/{order["id"].Str()}/shipments";

        await (await store.Client.PostJson(url, OrderTestData.Ship(null, ("TEE-1", 3)))).ExpectProblem(HttpStatusCode.Conflict, "shipment_spans_warehouses");
        await store.ShipAsync(order, null, ("TEE-1", 1));
        Assert.Equal((0L, 0L), await store.StockAsync("TEE-1", "MAIN"));
        await store.ShipAsync(order, "WEST", ("TEE-1", 2));
        Assert.Equal((0L, 0L), await store.StockAsync("TEE-1", "WEST"));
        Assert.Equal("shipped", (await store.GetOrderAsync(order))["fulfillmentStatus"].Str());
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Unpaid_bank_transfer_orders_wait_while_cash_on_delivery_ships_at_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var transfer = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        var cod = await store.PlaceManualOrderAsync("cash_on_delivery", ("MUG-1", 1));

        await (await store.Client.PostJson($"/api/v1/orders/{transfer["id"].Str()}/shipments", OrderTestData.Ship(null, ("MUG-1", 1))))
            .ExpectProblem(HttpStatusCode.Conflict, "order_not_paid");
        await store.ShipAsync(cod, null, ("MUG-1", 1));

        var paymentId = await store.PaymentIdAsync(transfer);
        await (await store.Client.PostJson($"/api/v1/orders/{transfer["id"].Str()}/payments/{paymentId}/capture", new { reference = "BANK-REF-1" })).Expect(HttpStatusCode.OK);
        await store.ShipAsync(transfer, null, ("MUG-1", 1));
        Assert.Equal((8L, 0L), await store.StockAsync("MUG-1", "MAIN"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Delivery_of_every_shipment_makes_a_paid_order_delivered_and_completed(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var first = await store.ShipAsync(order, null, ("MUG-1", 1));
        var second = await store.ShipAsync(order, null, ("MUG-1", 1));
        var baseUrl = $"/api/v1/orders/{order["id"].Str()}/shipments";

        var delivered = await (await store.Client.PostJson($"{baseUrl}/{first["id"].Str()}/deliver", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("delivered", delivered["status"].Str());
        Assert.NotNull(delivered["deliveredAt"]);
        Assert.Equal("shipped", (await store.GetOrderAsync(order))["fulfillmentStatus"].Str());

        await (await store.Client.PostJson($"{baseUrl}/{second["id"].Str()}/deliver", new { })).Expect(HttpStatusCode.OK);
        var done = await store.GetOrderAsync(order);
        Assert.Equal("delivered", done["fulfillmentStatus"].Str());
        Assert.Equal("completed", done["status"].Str());
        await (await store.Client.PostJson($"{baseUrl}/{second["id"].Str()}/deliver", new { })).ExpectProblem(HttpStatusCode.Conflict, "shipment_already_delivered");
        await (await store.Client.PostJson($"{baseUrl}/{Guid.CreateVersion7()}/deliver", new { })).ExpectProblem(HttpStatusCode.NotFound);
        await using var db = store.Db();
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderDelivered));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cash_on_delivery_order_completes_when_its_cash_is_recorded_after_delivery(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var order = await store.PlaceManualOrderAsync("cash_on_delivery", ("MUG-1", 1));
        var shipment = await store.ShipAsync(order, null, ("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/shipments/{shipment["id"].Str()}/deliver", new { })).Expect(HttpStatusCode.OK);
        var delivered = await store.GetOrderAsync(order);
        Assert.Equal(("delivered", "open", "pending"), (delivered["fulfillmentStatus"].Str(), delivered["status"].Str(), delivered["paymentStatus"].Str()));

        var paymentId = await store.PaymentIdAsync(order);
        var payment = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("captured", payment["status"].Str());
        var done = await store.GetOrderAsync(order);
        Assert.Equal(("completed", "paid"), (done["status"].Str(), done["paymentStatus"].Str()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Pick_list_gathers_outstanding_units_of_shippable_orders_per_sku(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 20, title: "Mug");
        await store.AddProductAsync("TEE-1", 20m, main: 0, west: 10, title: "Tee");
        await store.AddProductAsync("CAP-1", 5m, main: 10, title: "Cap");
        var a = await store.PlaceOrderAsync(("MUG-1", 3), ("CAP-1", 1));
        var b = await store.PlaceOrderAsync(("MUG-1", 2));
        var west = await store.PlaceOrderAsync(("TEE-1", 4));
        var unpaid = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 5));
        var cod = await store.PlaceManualOrderAsync("cash_on_delivery", ("CAP-1", 2));
        var cancelled = await store.PlaceOrderAsync(("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);
        await store.ShipAsync(a, "MAIN", ("MUG-1", 1), ("CAP-1", 1));

        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var list = await (await warehouse.GetAsync("/api/v1/pick-lists?warehouse=main")).Expect(HttpStatusCode.OK);

        Assert.Equal("MAIN", list["warehouse"].Str());
        var lines = list["lines"]!.AsArray();
        Assert.Equal(["CAP-1", "MUG-1"], lines.Select(l => l!["sku"].Str()));
        var cap = lines[0]!;
        Assert.Equal(2, cap["quantity"].Int());
        Assert.Equal("Cap", cap["title"].Str());
        Assert.Equal(cod["id"].Str(), Assert.Single(cap["orders"]!.AsArray())!["orderId"].Str());
        var mug = lines[1]!;
        Assert.Equal(4, mug["quantity"].Int());
        Assert.Equal(
            [(a["number"]!.GetValue<long>(), 2), (b["number"]!.GetValue<long>(), 2)],
            mug["orders"]!.AsArray().Select(o => (o!["number"]!.GetValue<long>(), o["quantity"].Int())));
        Assert.DoesNotContain(mug["orders"]!.AsArray(), o => o!["orderId"].Str() == unpaid["id"].Str());

        var westList = await (await warehouse.GetAsync("/api/v1/pick-lists?warehouse=WEST")).Expect(HttpStatusCode.OK);
        Assert.Equal(west["id"].Str(), westList["lines"]![0]!["orders"]![0]!["orderId"].Str());
        await (await warehouse.GetAsync("/api/v1/pick-lists?warehouse=MOON")).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        await (await warehouse.GetAsync("/api/v1/pick-lists")).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Only_fulfillment_roles_ship_and_deliver(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/shipments";

        await (await store.Anonymous.PostJson(url, OrderTestData.Ship(null, ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.Unauthorized);
        foreach (var role in new[] { Role.Support, Role.Sales, Role.Marketing })
        {
            var client = await store.ClientForAsync(role);
            await (await client.PostJson(url, OrderTestData.Ship(null, ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.Forbidden);
            await (await client.GetAsync("/api/v1/pick-lists?warehouse=MAIN")).ExpectProblem(HttpStatusCode.Forbidden);
        }

        Assert.Equal((10L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var shipment = await (await warehouse.PostJson(url, OrderTestData.Ship(null, ("MUG-1", 1)))).Expect(HttpStatusCode.Created);
        var support = await store.ClientForAsync(Role.Support);
        await (await support.PostJson($"{url}/{shipment["id"].Str()}/deliver", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await support.GetAsync(url)).Expect(HttpStatusCode.OK);
    }
}

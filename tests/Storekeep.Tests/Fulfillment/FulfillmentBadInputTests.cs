using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Fulfillment;

/// <summary>Every fulfillment and payment POST answers bad input with a 4xx problem and changes nothing.</summary>
public sealed class FulfillmentBadInputTests
{
    private static readonly string Long = new('x', 5000);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_shipment_requests_are_400_and_ship_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/shipments";

        await AssertAllRejectedAsync(store, url,
            "{",
            "[]",
            """{"lines":"MUG-1","carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":"two"}],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":1}],"trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":1}],"carrier":"UPS"}""",
            """{"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[null],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":-1}],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":0}],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":99999999999999999999}],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG-1","quantity":2000000}],"carrier":"UPS","trackingNumber":"1"}""",
            """{"lines":[{"sku":"MUG 1","quantity":1}],"carrier":"UPS","trackingNumber":"1"}""",
            $$"""{"lines":[{"sku":"MUG-1","quantity":1}],"carrier":"{{Long}}","trackingNumber":"1"}""",
            $$"""{"lines":[{"sku":"MUG-1","quantity":1}],"carrier":"UPS","trackingNumber":"1","warehouse":"{{Long}}"}""");

        Assert.Equal((5L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        await using var db = store.Db();
        Assert.Equal(0, await db.Shipments.CountAsync());
        Assert.Equal("unfulfilled", (await store.GetOrderAsync(order))["fulfillmentStatus"].Str());
        await (await store.Client.PostJson("/api/v1/orders/999999/shipments", OrderTestData.Ship(null, ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.NotFound);
        await (await store.Client.PostJson("/api/v1/orders/not-an-order/shipments", OrderTestData.Ship(null, ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_return_requests_are_400_and_open_no_return(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        await store.ShipAsync(order, null, ("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/returns";

        await AssertAllRejectedAsync(store, url,
            "not json",
            """{"lines":[{"sku":"MUG-1","quantity":1}],"reason":"x"}""",
            """{"lines":[{"sku":"MUG-1","quantity":1}],"restock":true}""",
            """{"lines":[{"sku":"MUG-1","quantity":1}],"reason":"x","restock":"yes"}""",
            """{"lines":[{"sku":"MUG-1","quantity":-2}],"reason":"x","restock":true}""",
            """{"lines":[{"sku":"MUG-1","quantity":1e30}],"reason":"x","restock":true}""",
            """{"lines":[{"quantity":1}],"reason":"x","restock":true}""",
            """{"lines":{"sku":"MUG-1"},"reason":"x","restock":true}""",
            $$"""{"lines":[{"sku":"MUG-1","quantity":1}],"reason":"{{Long}}","restock":true}""");
        await (await store.Client.PostRaw("/api/v1/returns/not-a-guid/receive", "{}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await store.Client.PostRaw($"/api/v1/returns/{Guid.CreateVersion7()}/receive", "{}")).ExpectProblem(HttpStatusCode.NotFound);

        await using var db = store.Db();
        Assert.Equal(0, await db.Returns.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_refund_requests_are_400_and_refund_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var url = $"/api/v1/orders/{order["id"].Str()}/refunds";

        await AssertAllRejectedAsync(store, url,
            "{\"amount\":",
            """{"reason":"no amount"}""",
            """{"amount":"ten"}""",
            """{"amount":0}""",
            """{"amount":-5}""",
            """{"amount":10.001}""",
            """{"amount":1e40}""",
            """{"amount":79228162514264337593543950336}""",
            """{"amount":true}""",
            $$"""{"amount":10,"reason":"{{Long}}"}""");

        await using var db = store.Db();
        Assert.Equal(0, await db.Refunds.CountAsync());
        Assert.Equal(0m, (await db.Payments.SingleAsync()).RefundedAmount);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "refund");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_cancel_and_capture_requests_are_400_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        var paymentId = await store.PaymentIdAsync(order);

        await AssertAllRejectedAsync(store, $"/api/v1/orders/{order["id"].Str()}/cancel",
            "{",
            """{"reason":5}""",
            $$"""{"reason":"{{Long}}"}""");
        await AssertAllRejectedAsync(store, $"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture",
            "{",
            """{"reference":["a"]}""",
            $$"""{"reference":"{{Long}}"}""");

        var after = await store.GetOrderAsync(order);
        Assert.Equal(("open", "pending"), (after["status"].Str(), after["paymentStatus"].Str()));
        Assert.Equal((5L, 1L), await store.StockAsync("MUG-1", "MAIN"));
    }

    private static async Task AssertAllRejectedAsync(TestStore store, string url, params string[] bodies)
    {
        foreach (var body in bodies)
        {
            var response = await store.Client.PostRaw(url, body);
            var status = (int)response.StatusCode;
            Assert.True(status == 400, $"{body[..Math.Min(body.Length, 120)]} → {status}: {await response.Content.ReadAsStringAsync()}");
            await response.ExpectProblem(HttpStatusCode.BadRequest);
        }
    }
}

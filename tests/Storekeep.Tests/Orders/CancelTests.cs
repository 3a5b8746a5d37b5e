using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Orders;

public sealed class CancelTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cancelling_a_paid_order_releases_its_stock_and_refunds_the_capture_in_full(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        await store.AddProductAsync("TEE-1", 20m, main: 1, west: 2);
        var order = await store.PlaceOrderAsync(("MUG-1", 2), ("TEE-1", 3));
        Assert.Equal((5L, 2L), await store.StockAsync("MUG-1", "MAIN"));

        var cancelled = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "Customer asked" })).Expect(HttpStatusCode.OK);

        Assert.Equal(("cancelled", "refunded"), (cancelled["status"].Str(), cancelled["paymentStatus"].Str()));
        Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        Assert.Equal((1L, 0L), await store.StockAsync("TEE-1", "MAIN"));
        Assert.Equal((2L, 0L), await store.StockAsync("TEE-1", "WEST"));
        var refund = Assert.Single(store.Gateway.Journal, op => op.Kind == "refund");
        Assert.Equal(80m, refund.Amount);
        await using var db = store.Db();
        Assert.Equal(PaymentRecordStatus.Refunded, (await db.Payments.SingleAsync()).Status);
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderCancelled));
        Assert.All(await db.OrderAllocations.ToListAsync(), a => Assert.Equal(a.Quantity, a.ReleasedQuantity));
        await store.AssertLedgerMatchesBalancesAsync();

        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { })).ExpectProblem(HttpStatusCode.Conflict, "order_already_cancelled");
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/shipments", OrderTestData.Ship(null, ("MUG-1", 1)))).ExpectProblem(HttpStatusCode.Conflict, "order_cancelled");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "refund");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cancelling_an_order_whose_capture_failed_voids_the_authorization(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var reference = await store.SimulateFailedCaptureAsync(20m);

        var authorizedOnly = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/shipments", OrderTestData.Ship(null, ("MUG-1", 1))))
            .ExpectProblem(HttpStatusCode.Conflict, "order_not_paid");
        Assert.NotNull(authorizedOnly);
        var cancelled = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);

        Assert.Equal(("cancelled", "voided"), (cancelled["status"].Str(), cancelled["paymentStatus"].Str()));
        Assert.Contains(store.Gateway.Journal, op => op.Kind == "void" && op.Reference == reference);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "refund");
        Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        await using var check = store.Db();
        Assert.Equal(PaymentRecordStatus.Voided, (await check.Payments.SingleAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cancelling_an_unpaid_bank_transfer_order_touches_no_gateway_and_frees_the_stock(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 5));
        Assert.Equal((5L, 5L), await store.StockAsync("MUG-1", "MAIN"));

        var cancelled = await (await store.Client.PostJson($"/api/v1/orders/{order["number"]}/cancel", new { })).Expect(HttpStatusCode.OK);

        Assert.Equal(("cancelled", "pending"), (cancelled["status"].Str(), cancelled["paymentStatus"].Str()));
        Assert.Empty(store.Gateway.Journal);
        Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        var paymentId = await store.PaymentIdAsync(order);
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { })).ExpectProblem(HttpStatusCode.Conflict, "order_cancelled");
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_order_with_a_shipment_cannot_be_cancelled(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        await store.ShipAsync(order, null, ("MUG-1", 1));

        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { })).ExpectProblem(HttpStatusCode.Conflict, "order_already_shipped");

        Assert.Equal("open", (await store.GetOrderAsync(order))["status"].Str());
        Assert.Equal((4L, 1L), await store.StockAsync("MUG-1", "MAIN"));
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind is "refund" or "void");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Only_order_managers_cancel(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var url = $"/api/v1/orders/{order["id"].Str()}/cancel";

        await (await store.Anonymous.PostJson(url, new { })).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await (await store.ClientForAsync(Role.Warehouse)).PostJson(url, new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await store.ClientForAsync(Role.Marketing)).PostJson(url, new { })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal((5L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        await (await (await store.ClientForAsync(Role.Support)).PostJson(url, new { })).Expect(HttpStatusCode.OK);
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

public sealed class PaymentCaptureTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_received_bank_transfer_marks_the_order_paid_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.5m, main: 5);
        var order = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 2));
        var paymentId = await store.PaymentIdAsync(order);
        var url = $"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture";

        var payment = await (await store.Client.PostJson(url, new { reference = "SEPA-2026-11-001" })).Expect(HttpStatusCode.OK);

        Assert.Equal(("captured", 25m), (payment["status"].Str(), payment["capturedAmount"].Dec()));
        var paid = await store.GetOrderAsync(order);
        Assert.Equal("paid", paid["paymentStatus"].Str());
        Assert.Contains(paid["timeline"]!.AsArray(), t => t!["kind"].Str() == "payment_received");
        await (await store.Client.PostJson(url, new { })).ExpectProblem(HttpStatusCode.Conflict, "already_paid");
        await using var db = store.Db();
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPaid));
        Assert.Equal("SEPA-2026-11-001", (await db.Payments.SingleAsync()).GatewayReference);
        Assert.Empty(store.Gateway.Journal);

        // Paid by hand, refunded by hand: recorded without the gateway.
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 25m, reason = "Returned by post" })).Expect(HttpStatusCode.Created);
        Assert.Equal("refunded", (await store.GetOrderAsync(order))["paymentStatus"].Str());
        Assert.Empty(store.Gateway.Journal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_authorized_card_payment_whose_capture_failed_can_be_captured_through_the_gateway(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var reference = await store.SimulateFailedCaptureAsync(10m);
        var paymentId = await store.PaymentIdAsync(order);
        var url = $"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture";

        var payment = await (await store.Client.PostJson(url, new { })).Expect(HttpStatusCode.OK);

        Assert.Equal(("captured", 10m), (payment["status"].Str(), payment["capturedAmount"].Dec()));
        Assert.Equal("paid", (await store.GetOrderAsync(order))["paymentStatus"].Str());
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture" && op.Reference == reference);
        await (await store.Client.PostJson(url, new { })).ExpectProblem(HttpStatusCode.Conflict, "already_paid");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture" && op.Reference == reference);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_capture_the_gateway_refuses_is_502_and_the_order_stays_authorized(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        await store.SimulateFailedCaptureAsync(5m); // an authorization smaller than the order: capture refused
        var paymentId = await store.PaymentIdAsync(order);

        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { })).ExpectProblem(HttpStatusCode.BadGateway, "capture_failed");

        var after = await store.GetOrderAsync(order);
        Assert.Equal("authorized", after["paymentStatus"].Str());
        Assert.Contains(after["timeline"]!.AsArray(), t => t!["kind"].Str() == "capture_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Warehouse_keys_cannot_record_payments(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceManualOrderAsync("cash_on_delivery", ("MUG-1", 1));
        var paymentId = await store.PaymentIdAsync(order);
        var url = $"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture";

        await (await store.Anonymous.PostJson(url, new { })).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await (await store.ClientForAsync(Role.Warehouse)).PostJson(url, new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{Guid.CreateVersion7()}/capture", new { })).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal("pending", (await store.GetOrderAsync(order))["paymentStatus"].Str());
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

/// <summary>
/// A capture and a cancel of the same order, interleaved on purpose with a gateway that holds a
/// call until the test lets it go: money taken at the gateway is always what the database records.
/// </summary>
public sealed class CaptureCancelRaceTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cancel_during_a_manual_capture_at_the_gateway_is_refused_and_the_capture_is_recorded(string database)
    {
        var gate = new GatewayGate();
        await using var store = await StartAsync(database, gate);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var reference = await store.SimulateFailedCaptureAsync(10m);
        var paymentId = await store.PaymentIdAsync(order);

        gate.HoldCaptures = true;
        var capture = store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { });
        await gate.CaptureEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "Changed my mind" })
            .ExpectProblem(HttpStatusCode.Conflict, PaymentCapture.InProgressCode);
        gate.Release();
        await (await capture).Expect(HttpStatusCode.OK);

        var paid = await store.GetOrderAsync(order);
        Assert.Equal(("open", "paid"), (paid["status"].Str(), paid["paymentStatus"].Str()));
        await AssertGatewayMatchesDatabaseAsync(store, reference, 10m);

        // Once the capture is recorded the cancel goes through and gives the money back.
        var cancelled = await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "Changed my mind" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("cancelled", "refunded"), (cancelled["status"].Str(), cancelled["paymentStatus"].Str()));
        await AssertGatewayMatchesDatabaseAsync(store, reference, 0m);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cancel_during_the_checkouts_own_capture_is_refused_and_the_order_ends_paid(string database)
    {
        var gate = new GatewayGate { HoldCaptures = true };
        await using var store = await StartAsync(database, gate);
        await store.AddProductAsync("MUG-1", 10m, main: 5);

        var checkout = store.PlaceOrderAsync(("MUG-1", 1));
        await gate.CaptureEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Guid orderId;
        await using (var db = store.Db())
        {
            orderId = (await db.Orders.SingleAsync()).Id;
        }

        await store.Client.PostJson($"/api/v1/orders/{orderId}/cancel", new { })
            .ExpectProblem(HttpStatusCode.Conflict, PaymentCapture.InProgressCode);
        gate.Release();
        var order = await checkout;

        Assert.Equal("paid", order["paymentStatus"].Str());
        var reference = store.Gateway.Journal.Single(op => op.Kind == "authorize").Reference!;
        await AssertGatewayMatchesDatabaseAsync(store, reference, 10m);
        await store.Client.PostJson($"/api/v1/orders/{orderId}/cancel", new { }).Expect(HttpStatusCode.OK);
        await AssertGatewayMatchesDatabaseAsync(store, reference, 0m);
        await using var check = store.Db();
        Assert.Equal((OrderStatus.Cancelled, PaymentStatus.Refunded), await check.Orders.Select(o => new ValueTuple<OrderStatus, PaymentStatus>(o.Status, o.PaymentStatus)).SingleAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_capture_after_the_cancel_committed_is_refused_before_the_gateway_and_the_authorization_is_voided(string database)
    {
        var gate = new GatewayGate();
        await using var store = await StartAsync(database, gate);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var reference = await store.SimulateFailedCaptureAsync(10m);
        var paymentId = await store.PaymentIdAsync(order);

        // The cancel has committed and is voiding at the gateway when the capture arrives.
        gate.HoldVoids = true;
        var cancel = store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { });
        await gate.VoidEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { })
            .ExpectProblem(HttpStatusCode.Conflict, "order_cancelled");
        gate.Release();
        var cancelled = await (await cancel).Expect(HttpStatusCode.OK);

        Assert.Equal(("cancelled", "voided"), (cancelled["status"].Str(), cancelled["paymentStatus"].Str()));
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "capture" && op.Reference == reference);
        await AssertGatewayMatchesDatabaseAsync(store, reference, 0m);
        await using var db = store.Db();
        Assert.Equal(PaymentRecordStatus.Voided, (await db.Payments.SingleAsync()).Status);
    }

    /// <summary>What the gateway holds (captured minus refunded) is what the database records, and is <paramref name="expected"/>.</summary>
    private static async Task AssertGatewayMatchesDatabaseAsync(TestStore store, string reference, decimal expected)
    {
        var journal = store.Gateway.Journal.Where(op => op.Reference == reference).ToList();
        var atGateway = journal.Where(op => op.Kind == "capture").Sum(op => op.Amount) - journal.Where(op => op.Kind == "refund").Sum(op => op.Amount);
        await using var db = store.Db();
        var payment = await db.Payments.SingleAsync(p => p.GatewayReference == reference);
        Assert.Equal(expected, atGateway);
        Assert.Equal(atGateway, payment.CapturedAmount - payment.RefundedAmount);
        Assert.NotEqual(PaymentRecordStatus.Capturing, payment.Status);
    }

    private static Task<TestStore> StartAsync(string database, GatewayGate gate) =>
        TestStore.StartAsync(database, services: s => s.AddSingleton<IPaymentGateway>(sp => gate.Wrap(sp.GetRequiredService<TestPaymentGateway>())));
}

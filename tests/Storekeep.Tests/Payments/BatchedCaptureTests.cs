using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

/// <summary>
/// <c>Payments:CheckoutCapture = batched</c>: the checkout answers once the order is committed
/// (authorized, its payment claimed), and the node's capture service takes the money afterwards,
/// recording many orders in one transaction, each once.
/// </summary>
public sealed class BatchedCaptureTests
{
    private static readonly Dictionary<string, string?> Batched = new() { ["Payments:CheckoutCapture"] = CheckoutCaptureQueue.Batched };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_checkout_answers_authorized_and_its_order_turns_paid_once_when_the_capture_follows(string database)
    {
        var (store, gate, order) = await StartWithFirstCaptureHeldAsync(database, unitsInStock: 5, quantity: 2);
        await using var _ = store;

        // The answer came while the capture was still held at the gateway.
        Assert.Equal(("open", "authorized", 20m), (order["status"].Str(), order["paymentStatus"].Str(), order["total"].Dec()));
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "Too slow" })
            .ExpectProblem(HttpStatusCode.Conflict, PaymentCapture.InProgressCode);

        gate.Release();
        await Eventually.HoldsAsync(async () => (await store.GetOrderAsync(order))["paymentStatus"].Str() == "paid", "the order paid after its capture");

        var paid = await store.GetOrderAsync(order);
        Assert.Contains(paid["timeline"]!.AsArray(), t => t!["kind"].Str() == "payment_captured");
        await AssertCapturedOnceAsync(store, [order]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkouts_committed_while_a_capture_is_at_the_gateway_are_recorded_together_in_one_transaction(string database)
    {
        var (store, gate, first) = await StartWithFirstCaptureHeldAsync(database, unitsInStock: 50, quantity: 1);
        await using var _ = store;

        // The service is busy with the first order's capture: these queue behind it.
        List<JsonNode> queued = [];
        for (var i = 1; i <= 6; i++)
        {
            queued.Add(await store.PlaceOrderAsync(("MUG-1", i)));
        }

        Assert.All(queued, o => Assert.Equal("authorized", o["paymentStatus"].Str()));
        gate.Release();
        await AssertCapturedOnceAsync(store, [first, .. queued]);

        // One transaction recorded the six queued captures: one moment, six order.paid events.
        await using var db = store.Db();
        var ids = queued.Select(o => Guid.Parse(o["id"].Str())).ToList();
        var recordedAt = await db.Payments.AsNoTracking().Where(p => ids.Contains(p.OrderId)).Select(p => p.UpdatedAt).Distinct().ToListAsync(TestContext.Current.CancellationToken);
        Assert.Single(recordedAt);
        var firstId = Guid.Parse(first["id"].Str());
        Assert.NotEqual(recordedAt[0], await db.Payments.Where(p => p.OrderId == firstId).Select(p => p.UpdatedAt).SingleAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_capture_the_gateway_declines_leaves_the_order_authorized_with_the_failure_on_its_timeline(string database)
    {
        await using var store = await StartAsync(database, inner => new DecliningCaptures(inner));
        await store.AddProductAsync("MUG-1", 10m, main: 5);

        var order = await store.PlaceOrderAsync(("MUG-1", 1));

        var id = Guid.Parse(order["id"].Str());
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.Payments.AnyAsync(p => p.OrderId == id && p.Status == PaymentRecordStatus.Authorized);
        }, "the declined capture recorded");
        var after = await store.GetOrderAsync(order);
        Assert.Equal("authorized", after["paymentStatus"].Str());
        Assert.Contains(after["timeline"]!.AsArray(), t => t!["kind"].Str() == "capture_failed" && t["message"].Str().Contains("The bank did not answer", StringComparison.Ordinal));
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "capture");
        await using var check = store.Db();
        Assert.Equal(0, await check.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPaid, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_node_shut_down_while_a_capture_is_at_the_gateway_records_it_and_the_captures_queued_behind_it_before_it_stops(string database)
    {
        // The first node only keeps the database; its stalled-capture sweep waits minutes, so any
        // capture recorded here was the stopping node's own.
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        var gate = new GatewayGate { HoldCaptures = true };
        var node = await store.StartAnotherNodeAsync(Batched, s => s.AddSingleton(sp => gate.Wrap(sp.GetRequiredService<TestPaymentGateway>())));
        var gateway = node.Gateway;
        var lifetime = node.Services.GetRequiredService<IHostApplicationLifetime>();
        List<JsonNode> orders = [await node.PlaceOrderAsync(("MUG-1", 1))];
        await gate.CaptureEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        for (var i = 2; i <= 7; i++)
        {
            orders.Add(await node.PlaceOrderAsync(("MUG-1", i)));
        }

        var stopped = node.DisposeAsync().AsTask();
        await Eventually.HoldsAsync(() => Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested), "the node's shutdown begun");

        // The host tells the capture service to stop after the web server has: let it get there, so
        // the release below lands on a service already told to stop (as a shutdown under load would).
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        gate.Release();
        await stopped.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        // Nothing left capturing for the sweep: the node finished every capture before it stopped.
        await using var db = store.Db();
        var ids = orders.Select(o => Guid.Parse(o["id"].Str())).ToList();
        var payments = await db.Payments.AsNoTracking().Where(p => ids.Contains(p.OrderId)).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, payments.Count);
        foreach (var order in orders)
        {
            var payment = Assert.Single(payments, p => p.OrderId == Guid.Parse(order["id"].Str()));
            Assert.Equal((PaymentRecordStatus.Captured, order["total"].Dec()), (payment.Status, payment.CapturedAmount));
            Assert.Equal([payment.Amount], gateway.Journal.Where(op => op.Kind == "capture" && op.Reference == payment.GatewayReference).Select(op => op.Amount));
        }

        Assert.Equal(7, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPaid, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void An_unknown_capture_mode_stops_the_start_and_names_the_modes_there_are()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Payments:CheckoutCapture"] = "later" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new CheckoutCaptureQueue(configuration));

        Assert.Contains("'later'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'request'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'batched'", error.Message, StringComparison.Ordinal);
        Assert.False(new CheckoutCaptureQueue(new ConfigurationBuilder().Build()).IsBatched);
    }

    /// <summary>A batched store selling MUG-1 at 10.00, and its first order, whose capture the gateway now holds.</summary>
    private static async Task<(TestStore Store, GatewayGate Gate, JsonNode First)> StartWithFirstCaptureHeldAsync(string database, int unitsInStock, int quantity)
    {
        var gate = new GatewayGate { HoldCaptures = true };
        var store = await StartAsync(database, gate.Wrap);
        await store.AddProductAsync("MUG-1", 10m, main: unitsInStock);
        var first = await store.PlaceOrderAsync(("MUG-1", quantity));
        await gate.CaptureEntered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return (store, gate, first);
    }

    private static Task<TestStore> StartAsync(string database, Func<TestPaymentGateway, IPaymentGateway> gateway) =>
        TestStore.StartAsync(database, settings: Batched, services: s => s.AddSingleton(sp => gateway(sp.GetRequiredService<TestPaymentGateway>())));

    /// <summary>Each order's payment captured at the gateway once, for its total, recorded as captured, with one order.paid.</summary>
    private static async Task AssertCapturedOnceAsync(TestStore store, IReadOnlyList<JsonNode> orders)
    {
        var ids = orders.Select(o => Guid.Parse(o["id"].Str())).ToList();
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.Payments.CountAsync(p => ids.Contains(p.OrderId) && p.Status == PaymentRecordStatus.Captured) == ids.Count;
        }, "every payment captured");
        await using var db = store.Db();
        var payments = await db.Payments.AsNoTracking().Where(p => ids.Contains(p.OrderId)).ToListAsync();
        var paidEvents = await db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.OrderPaid).Select(e => e.Payload).ToListAsync();
        foreach (var order in orders)
        {
            var payment = Assert.Single(payments, p => p.OrderId == Guid.Parse(order["id"].Str()));
            Assert.Equal(order["total"].Dec(), payment.CapturedAmount);
            Assert.Equal([payment.Amount], store.Gateway.Journal.Where(op => op.Kind == "capture" && op.Reference == payment.GatewayReference).Select(op => op.Amount));
            Assert.Single(paidEvents, p => p.Contains(order["id"].Str(), StringComparison.Ordinal));
        }
    }

    /// <summary>Every capture comes back declined (an issuer that does not answer), as a gateway can after authorizing.</summary>
    private sealed class DecliningCaptures(TestPaymentGateway inner) : DelegatingGateway(inner)
    {
        public override Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
            Task.FromResult(GatewayResult.Declined("processing_error", "The bank did not answer."));
    }
}

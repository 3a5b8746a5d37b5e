using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

/// <summary>
/// A node that dies after a card checkout's commit leaves its payment <c>capturing</c>, with or
/// without the capture done at the gateway; the sweep of any node finishes it, and the money is
/// taken once.
/// </summary>
public sealed class StalledCaptureTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_capture_taken_at_the_gateway_but_never_recorded_is_recorded_without_charging_again(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var reference = await ReferenceOfAsync(store, order);
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture" && op.Reference == reference);

        // What a node leaves when it dies after the gateway captured and before it recorded that.
        await LeaveStalledAsync(store, order, TimeSpan.FromMinutes(10));

        await SweepAsync(store);

        await AssertPaidOnceAsync(store, order, reference, 20m);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_capture_that_never_reached_the_gateway_is_taken_by_the_sweep(string database)
    {
        var gateway = new UnreachableCaptures();
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<IPaymentGateway>(sp => gateway.Wrap(sp.GetRequiredService<TestPaymentGateway>())));
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var reference = await ReferenceOfAsync(store, order);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "capture" && op.Reference == reference);

        // What a node leaves when it dies before its capture reaches the gateway.
        await LeaveStalledAsync(store, order, TimeSpan.FromMinutes(10));
        gateway.Reachable = true;

        await SweepAsync(store);

        await AssertPaidOnceAsync(store, order, reference, 10m);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_recent_capture_and_one_a_persons_retry_claimed_are_left_alone(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var recent = await store.PlaceOrderAsync(("MUG-1", 1));
        var retried = await store.PlaceOrderAsync(("MUG-1", 1));
        await LeaveStalledAsync(store, recent, TimeSpan.FromMinutes(1));
        await LeaveStalledAsync(store, retried, TimeSpan.FromMinutes(10));
        await using (var db = store.Db())
        {
            // A retry's claim moves updated_at: its capture used a key of its own, which the sweep cannot replay.
            var id = Guid.Parse(retried["id"].Str());
            await db.Payments.Where(p => p.OrderId == id).ExecuteUpdateAsync(u => u.SetProperty(p => p.UpdatedAt, p => p.CreatedAt.AddMinutes(2)));
        }

        var journal = store.Gateway.Journal.Count;
        Assert.Equal(0, await SweepAsync(store));

        Assert.Equal(journal, store.Gateway.Journal.Count);
        await using var check = store.Db();
        Assert.All(await check.Payments.AsNoTracking().ToListAsync(), p => Assert.Equal(PaymentRecordStatus.Capturing, p.Status));
    }

    private static async Task<string> ReferenceOfAsync(TestStore store, JsonNode order)
    {
        await using var db = store.Db();
        var id = Guid.Parse(order["id"].Str());
        return (await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == id)).GatewayReference!;
    }

    /// <summary>The order's payment claimed at checkout <paramref name="ago"/> and not recorded: capturing, nothing captured, the order authorized, no order.paid.</summary>
    private static async Task LeaveStalledAsync(TestStore store, JsonNode order, TimeSpan ago)
    {
        var id = Guid.Parse(order["id"].Str());
        var placedAt = store.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime - ago;
        await using var db = store.Db();
        await db.Payments.Where(p => p.OrderId == id).ExecuteUpdateAsync(u => u
            .SetProperty(p => p.Status, PaymentRecordStatus.Capturing)
            .SetProperty(p => p.CapturedAmount, 0m)
            .SetProperty(p => p.CreatedAt, placedAt)
            .SetProperty(p => p.UpdatedAt, placedAt));
        await db.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.PaymentStatus, PaymentStatus.Authorized));
        await db.OutboxEvents.Where(e => e.Type == EventTypes.OrderPaid && e.Payload.Contains(id.ToString())).ExecuteDeleteAsync();
    }

    private static async Task<int> SweepAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StalledCaptures>().SweepAsync(StalledCaptures.DefaultStallTime, CancellationToken.None);
    }

    private static async Task AssertPaidOnceAsync(TestStore store, JsonNode order, string reference, decimal amount)
    {
        Assert.Equal(amount, store.Gateway.Journal.Where(op => op.Kind == "capture" && op.Reference == reference).Sum(op => op.Amount));
        var id = Guid.Parse(order["id"].Str());
        await using var db = store.Db();
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == id);
        Assert.Equal((PaymentRecordStatus.Captured, amount), (payment.Status, payment.CapturedAmount));
        Assert.Equal(PaymentStatus.Paid, await db.Orders.Where(o => o.Id == id).Select(o => o.PaymentStatus).SingleAsync());
        Assert.Single(await db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.OrderPaid).Select(e => e.Payload).ToListAsync(), p => p.Contains(id.ToString()));

        // A second sweep finds nothing: the capture is recorded once.
        Assert.Equal(0, await SweepAsync(store));
    }

    /// <summary>Captures never reach the gateway until <see cref="Reachable"/> (the call fails before it is sent).</summary>
    private sealed class UnreachableCaptures
    {
        public bool Reachable { get; set; }

        public IPaymentGateway Wrap(TestPaymentGateway inner) => new Wrapper(inner, this);

        private sealed class Wrapper(TestPaymentGateway inner, UnreachableCaptures state) : DelegatingGateway(inner)
        {
            public override Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
                state.Reachable ? base.CaptureAsync(reference, amount, currency, idempotencyKey, ct) : throw new HttpRequestException("The gateway could not be reached.");
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Audit;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Messaging;
using Storekeep.Orders;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Events.EventTestData;

namespace Storekeep.Tests.Events;

/// <summary>In-process subscribers: each from its own checkpoint, in its own transaction, retrying on its own.</summary>
public sealed class EventSubscriberTests
{
    private const string Recording = "test-recording";
    private const string Handled = "test.handled";

    private static Dictionary<string, string?> FastRetries => new()
    {
        ["Events:SubscriberRetryBaseMilliseconds"] = "50",
        ["Events:SubscriberRetryMaxMilliseconds"] = "200",
    };

    private static Action<IServiceCollection> WithRecordingSubscriber(SubscriberSwitch control) => services =>
    {
        services.AddSingleton(control);
        services.AddEventSubscriber<RecordingSubscriber>(Recording);
    };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_failing_subscriber_retries_on_its_own_without_stalling_webhooks_or_the_daily_sales_rollup(string database)
    {
        var control = new SubscriberSwitch { Failing = true };
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: FastRetries, services: WithRecordingSubscriber(control));
        await CreateWebhookAsync(store, receiver.Url, EventTypes.OrderPlaced);
        await store.AddProductAsync("MUG-1", 12m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var orderId = order["id"]!.GetValue<Guid>();

        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Any(r => r.EventType == EventTypes.OrderPlaced)), "order.placed reached the webhook");
        Guid placedId;
        long placedAt;
        await using (var db = store.Db())
        {
            var placed = await db.OutboxEvents.AsNoTracking().SingleAsync(e => e.Type == EventTypes.OrderPlaced);
            (placedId, placedAt) = (placed.Id, placed.Position!.Value);
        }

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.EventSubscriptions.CountAsync(s => (s.Name == DailySalesRollup.SubscriberName || s.Name == OrderEmails.SubscriberName) && s.Position >= placedAt) == 2;
        }, "daily-sales and order-emails past order.placed");
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.EventSubscriptions.AnyAsync(s => s.Name == Recording && s.Attempts >= 2);
        }, "the failing subscriber retried");

        await using (var db = store.Db())
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            Assert.Equal(1, (await db.DailySales.AsNoTracking().SingleAsync(d => d.Day == today)).Orders);
            Assert.True(await db.Messages.AnyAsync(m => m.OrderId == orderId && m.Type == MessageTypes.OrderConfirmation));

            var failing = await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == Recording);
            Assert.True(failing.Position < placedAt);
            Assert.Contains("fails on purpose", failing.LastError, StringComparison.Ordinal);
            Assert.Contains(placedId.ToString(), failing.LastError, StringComparison.Ordinal);

            // What the handler wrote before throwing rolled back with its batch.
            Assert.False(await db.AuditLog.AnyAsync(a => a.Action == Handled));
        }

        control.Failing = false;
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.EventSubscriptions.AnyAsync(s => s.Name == Recording && s.Position >= placedAt);
        }, "the recovered subscriber past order.placed");

        await using (var db = store.Db())
        {
            var recovered = await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == Recording);
            Assert.Equal(0, recovered.Attempts);
            Assert.Null(recovered.LastError);
            Assert.Null(recovered.LeaseUntil);

            // The work committed with the checkpoint: exactly once, for this event.
            var entry = Assert.Single(await db.AuditLog.AsNoTracking().Where(a => a.Action == Handled).ToListAsync());
            Assert.Equal(placedId.ToString(), entry.EntityId);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Each_subscriber_handles_each_event_exactly_once_with_two_nodes_running(string database)
    {
        var settings = new Dictionary<string, string?>(FastRetries) { ["Events:SubscriberLeaseSeconds"] = "1" };
        var first = new SubscriberSwitch();
        var second = new SubscriberSwitch();
        await using var store = await TestStore.StartAsync(database, settings: settings, services: WithRecordingSubscriber(first));
        await using var other = await store.StartAnotherNodeAsync(settings, WithRecordingSubscriber(second));

        // Several waves, so the nodes race for the subscriber while events keep coming.
        var ids = new List<Guid>();
        for (var wave = 0; wave < 3; wave++)
        {
            await using var db = store.Db();
            for (var i = 0; i < 150; i++)
            {
                ids.Add(db.AddEvent(EventTypes.OrderPlaced, new { number = (wave * 1000) + i }, DateTime.UtcNow).Id);
            }

            await db.SaveChangesAsync();
        }

        await WaitUntilPublishedAsync(store, ids.Count);
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            var last = await db.OutboxEvents.MaxAsync(e => e.Position);
            return await db.EventSubscriptions.CountAsync(s => s.Position == last) == await db.EventSubscriptions.CountAsync();
        }, "every subscriber past the last event", seconds: 60);

        await using var check = store.Db();
        var handled = await check.AuditLog.AsNoTracking().Where(a => a.Action == Handled).Select(a => a.EntityId).ToListAsync();
        Assert.Equal(ids.Count, handled.Count);
        Assert.Equal(ids.Select(i => i.ToString()).Order(), handled.Order());
        Assert.True(first.Calls + second.Calls >= ids.Count);
    }

    /// <summary>
    /// PostgreSQL only: SQLite's single writer makes the overlap impossible (the stalled batch holds
    /// the write lock, so the second node cannot even claim).
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.PostgresOnly), MemberType = typeof(TestDatabases))]
    public async Task A_node_whose_lease_ran_out_rolls_its_batch_back_instead_of_committing_it_twice(string database)
    {
        var settings = new Dictionary<string, string?>(FastRetries) { ["Events:SubscriberLeaseSeconds"] = "1", ["Events:Dispatcher"] = "false" };
        var stalled = new SubscriberSwitch { Gate = new SemaphoreSlim(0) };
        await using var store = await TestStore.StartAsync(database, settings: settings, services: WithRecordingSubscriber(stalled));
        await using var other = await store.StartAnotherNodeAsync(settings, WithRecordingSubscriber(new SubscriberSwitch()));
        var ids = await AddEventsAsync(store, 3);
        await store.PublishOutboxAsync();

        // The first node takes the subscriber and stalls inside its batch past the lease.
        var firstRunner = store.Services.GetRequiredService<EventSubscriberRunner>();
        var firstRun = firstRunner.RunAsync(firstRunner.Subscribers.Single(s => s.Name == Recording), CancellationToken.None);
        await stalled.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // The second node finds the lease expired, takes over and commits the batch.
        var secondRunner = other.Services.GetRequiredService<EventSubscriberRunner>();
        await secondRunner.RunAsync(secondRunner.Subscribers.Single(s => s.Name == Recording), CancellationToken.None);
        await using (var db = store.Db())
        {
            Assert.Equal(3, await db.AuditLog.CountAsync(a => a.Action == Handled));
            Assert.Equal(3, (await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == Recording)).Position);
        }

        // The first node wakes up: its checkpoint advance is refused and its writes roll back.
        stalled.Gate.Release(100);
        Assert.False(await firstRun);
        await using var check = store.Db();
        var handled = await check.AuditLog.AsNoTracking().Where(a => a.Action == Handled).Select(a => a.EntityId).ToListAsync();
        Assert.Equal(ids.Select(i => i.ToString()).Order(), handled.Order());
        var row = await check.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == Recording);
        Assert.Equal((3L, 0, (string?)null), (row.Position, row.Attempts, row.LastError));
    }

    [Fact]
    public async Task A_subscriber_registered_to_start_at_the_latest_event_skips_the_history()
    {
        var control = new SubscriberSwitch();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false" }, services: services =>
        {
            services.AddSingleton(control);
            services.AddEventSubscriber<RecordingSubscriber>(Recording, SubscriberStart.Latest);
        });
        await AddEventsAsync(store, 2);
        await store.PublishOutboxAsync();

        var runner = store.Services.GetRequiredService<EventSubscriberRunner>();
        var subscriber = runner.Subscribers.Single(s => s.Name == Recording);
        await runner.RunAsync(subscriber, CancellationToken.None);
        var later = await AddEventsAsync(store, 1);
        await store.PublishOutboxAsync();

        await runner.RunAsync(subscriber, CancellationToken.None);

        await using var db = store.Db();
        Assert.Equal(later.Single().ToString(), Assert.Single(await db.AuditLog.AsNoTracking().Where(a => a.Action == Handled).ToListAsync()).EntityId);
        Assert.Equal(3, (await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == Recording)).Position);
    }

    [Fact]
    public async Task A_subscriber_registered_with_its_own_batch_size_gets_batches_of_that_size()
    {
        var batches = new BatchSizes();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false" }, services: services =>
        {
            services.AddSingleton(batches);
            services.AddEventSubscriber<BatchCountingSubscriber>("test-batches", batchSize: 2);
        });
        await AddEventsAsync(store, 5);
        await store.PublishOutboxAsync();

        await store.RunSubscriberAsync("test-batches");

        Assert.Equal([2, 2, 1], batches.Sizes);
        await using (var db = store.Db())
        {
            // The batch that caught up released the lease with its checkpoint.
            var row = await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == "test-batches");
            Assert.Equal((5L, (DateTime?)null), (row.Position, row.LeaseUntil));
        }

        // Ending on a full batch: the next (empty) read finds nothing and releases; the round after
        // that claims at once and starts where the last one stopped.
        await AddEventsAsync(store, 1);
        await store.PublishOutboxAsync();

        await store.RunSubscriberAsync("test-batches");
        await AddEventsAsync(store, 2);
        await store.PublishOutboxAsync();

        await store.RunSubscriberAsync("test-batches");
        Assert.Equal([2, 2, 1, 1, 2], batches.Sizes);
        await using var check = store.Db();
        var last = await check.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == "test-batches");
        Assert.Equal((8L, (DateTime?)null), (last.Position, last.LeaseUntil));
    }

    [Fact]
    public async Task A_subscriber_with_a_pause_rests_after_catching_up_but_not_between_full_batches()
    {
        var batches = new BatchSizes();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false" }, services: services =>
        {
            services.AddSingleton(batches);
            services.AddEventSubscriber<BatchCountingSubscriber>("test-resting", batchSize: 2, pause: TimeSpan.FromHours(1));
        });
        var runner = store.Services.GetRequiredService<EventSubscriberRunner>();
        var resting = runner.Subscribers.Single(s => s.Name == "test-resting");
        async Task<EventSubscription> RowAsync()
        {
            await using var db = store.Db();
            return await db.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == "test-resting");
        }

        // Behind by more than a batch: the full batches follow one another at once; the one that
        // catches up sets the rest.
        await AddEventsAsync(store, 5);
        await store.PublishOutboxAsync();
        var before = DateTime.UtcNow;
        await store.RunSubscriberAsync("test-resting");
        Assert.Equal([2, 2, 1], batches.Sizes);
        var rested = await RowAsync();
        Assert.Equal(5L, rested.Position);
        Assert.InRange(rested.NextAttemptAt, before.AddMinutes(59), DateTime.UtcNow.AddHours(1));

        // Events arriving during the rest wait for it.
        await AddEventsAsync(store, 3);
        await store.PublishOutboxAsync();
        await store.RunSubscriberAsync("test-resting");
        Assert.Equal([2, 2, 1], batches.Sizes);
        Assert.Equal(5L, (await RowAsync()).Position);

        // Once it has passed (moved here rather than waited for), they are taken together.
        await using (var db = store.Db())
        {
            await db.EventSubscriptions.Where(s => s.Name == "test-resting").ExecuteUpdateAsync(u => u.SetProperty(s => s.NextAttemptAt, DateTime.UtcNow.AddSeconds(-1)));
        }

        await store.RunSubscriberAsync("test-resting");
        Assert.Equal([2, 2, 1, 2, 1], batches.Sizes);
        Assert.Equal(8L, (await RowAsync()).Position);

        // The daily rollup rests 5 s unless configured otherwise (the test store sets 0).
        var daily = runner.Subscribers.Single(s => s.Name == DailySalesRollup.SubscriberName);
        Assert.Equal(TimeSpan.FromSeconds(5), daily.Pause);
        var settings = store.Services.GetRequiredService<EventSubscriberSettings>();
        Assert.Equal(TimeSpan.Zero, settings.PauseOf(daily));
        Assert.Equal(TimeSpan.FromHours(1), settings.PauseOf(resting));
    }

    public sealed class BatchSizes
    {
        public List<int> Sizes { get; } = [];
    }

    /// <summary>Counts the events of each batch it is handed.</summary>
    public sealed class BatchCountingSubscriber(BatchSizes batches) : IEventHandler<OrderPlaced>, IEventBatchCompletion
    {
        private int _events;

        public Task HandleAsync(OrderPlaced evt, EventContext context, CancellationToken ct)
        {
            _events++;
            return Task.CompletedTask;
        }

        public Task CompleteBatchAsync(CancellationToken ct)
        {
            batches.Sizes.Add(_events);
            _events = 0;
            return Task.CompletedTask;
        }
    }

    public sealed class SubscriberSwitch
    {
        private int _calls;

        private volatile bool _failing;

        public bool Failing { get => _failing; set => _failing = value; }

        public int Calls => _calls;

        /// <summary>When set, the first batch waits here (after saying so through <see cref="Entered"/>).</summary>
        public SemaphoreSlim? Gate { get; init; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Called() => Interlocked.Increment(ref _calls);
    }

    /// <summary>Writes one audit row per order.placed in the subscriber's transaction; throws while switched to fail.</summary>
    public sealed class RecordingSubscriber(StorekeepDbContext db, SubscriberSwitch control) : IEventHandler<OrderPlaced>
    {
        public async Task HandleAsync(OrderPlaced evt, EventContext context, CancellationToken ct)
        {
            control.Called();
            if (control.Gate is { } gate)
            {
                control.Entered.TrySetResult();
                await gate.WaitAsync(ct);
            }

            db.AuditLog.Add(new AuditEntry
            {
                OccurredAt = context.OccurredAt,
                Actor = context.Subscriber,
                Action = Handled,
                EntityType = "OutboxEvent",
                EntityId = context.EventId.ToString(),
            });
            if (control.Failing)
            {
                throw new InvalidOperationException("The test subscriber fails on purpose.");
            }
        }
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Events.EventTestData;

namespace Storekeep.Tests.Events;

public sealed class EventFeedTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_feed_lists_events_by_position_pages_with_after_and_filters_by_type(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.AddRange(await AddEventsAsync(store, 1, EventTypes.OrderPlaced));
            ids.AddRange(await AddEventsAsync(store, 1, EventTypes.ProductCreated));
        }

        await WaitUntilPublishedAsync(store, 8);

        var seen = new List<(string Id, long Position)>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await store.Client.GetAsync($"/api/v1/events?limit=3{(after is null ? "" : $"&after={after}")}").Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(e => (e!["id"].Str(), e["position"]!.GetValue<long>())));
            after = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Select(i => i.ToString()), seen.Select(s => s.Id));
        Assert.Equal(Enumerable.Range(1, 8).Select(p => (long)p), seen.Select(s => s.Position));

        var products = await store.Client.GetAsync($"/api/v1/events?type={EventTypes.ProductCreated}").Expect(HttpStatusCode.OK);
        var items = products["items"]!.AsArray();
        Assert.Equal(4, items.Count);
        Assert.All(items, e => Assert.Equal(EventTypes.ProductCreated, e!["type"].Str()));
        Assert.Equal(1001, items[0]!["data"]!["number"].Int() + 1);
        Assert.Null(products["nextCursor"]);

        var afterSecondProduct = await store.Client.GetAsync($"/api/v1/events?type={EventTypes.ProductCreated}&after={items[1]!["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal([items[2]!["id"].Str(), items[3]!["id"].Str()], afterSecondProduct["items"]!.AsArray().Select(e => e!["id"].Str()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_publisher_numbers_events_by_occurrence_batch_after_batch_and_queues_the_deliveries_webhooks_want(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false" });
        var (webhookId, _) = await CreateWebhookAsync(store, receiver.Url, EventTypes.OrderPaid);
        var start = DateTime.UtcNow;
        var written = new List<OutboxEvent>();
        await using (var db = store.Db())
        {
            // Saved out of order: occurrence (then id), not the order of writing, gives the positions.
            foreach (var (minutes, type) in new[] { (5, EventTypes.OrderPaid), (1, EventTypes.OrderPlaced), (3, EventTypes.OrderPaid), (1, EventTypes.OrderPaid), (4, EventTypes.OrderPlaced), (2, EventTypes.OrderPaid), (0, EventTypes.OrderPlaced) })
            {
                written.Add(db.AddEvent(type, new { minutes }, start.AddMinutes(minutes)));
            }

            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var batches = new List<int>();
        for (var round = 0; round < 4; round++)
        {
            await using var scope = store.Services.CreateAsyncScope();
            batches.Add(await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().PublishAsync(batchSize: 3, TestContext.Current.CancellationToken));
        }

        Assert.Equal([3, 3, 1, 0], batches);
        await using var check = store.Db();
        var published = await check.OutboxEvents.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        var expected = written.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Select(e => e.Id).ToList();
        Assert.Equal(expected, published.OrderBy(e => e.Position).Select(e => e.Id));
        Assert.Equal(Enumerable.Range(1, 7).Select(p => (long?)p), published.OrderBy(e => e.Position).Select(e => e.Position));
        Assert.All(published, e => Assert.NotNull(e.PublishedAt));
        Assert.All(published, e => Assert.Equal(written.Single(w => w.Id == e.Id).Payload, e.Payload));

        // One pending delivery per order.paid event, none for the others.
        var deliveries = await check.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == Guid.Parse(webhookId)).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(
            written.Where(e => e.Type == EventTypes.OrderPaid).Select(e => e.Id).Order(),
            deliveries.Select(d => d.EventId).Order());
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Pending, d.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_event_that_commits_late_appears_after_what_readers_already_saw(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var slow = store.Db();
        var late = slow.AddEvent(EventTypes.OrderPaid, new { number = 1 }, DateTime.UtcNow);
        var early = (await AddEventsAsync(store, 1, EventTypes.OrderPlaced)).Single();
        Assert.True(late.Id.CompareTo(early) < 0);
        await WaitUntilPublishedAsync(store, 1);
        var firstRead = await store.Client.GetAsync("/api/v1/events").Expect(HttpStatusCode.OK);
        var lastSeen = firstRead["items"]!.AsArray().Single()!["id"].Str();

        await slow.SaveChangesAsync();
        await WaitUntilPublishedAsync(store, 2);

        var next = await store.Client.GetAsync($"/api/v1/events?after={lastSeen}").Expect(HttpStatusCode.OK);
        var item = next["items"]!.AsArray().Single()!;
        Assert.Equal(late.Id.ToString(), item["id"].Str());
        Assert.Equal(2, item["position"].Int());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_feed_refuses_cursors_and_types_it_does_not_know(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var unpublished = await AddEventsAsync(store, 1);

        await store.Client.GetAsync($"/api/v1/events?after={Guid.CreateVersion7()}").ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await store.Client.GetAsync("/api/v1/events?after=not-an-id").ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await store.Client.GetAsync("/api/v1/events?type=order.exploded").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.GetAsync("/api/v1/events?limit=0").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await WaitUntilPublishedAsync(store, 1);
        await store.Client.GetAsync($"/api/v1/events?after={unpublished[0]}").Expect(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_feed_needs_a_key_whose_role_may_read_events(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        await store.Anonymous.GetAsync("/api/v1/events").ExpectProblem(HttpStatusCode.Unauthorized);
        await (await store.ClientForAsync(Role.Warehouse)).GetAsync("/api/v1/events").ExpectProblem(HttpStatusCode.Forbidden);
        await (await store.ClientForAsync(Role.Manager)).GetAsync("/api/v1/events").Expect(HttpStatusCode.OK);
    }
}

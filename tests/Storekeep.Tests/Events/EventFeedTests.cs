using System.Net;
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

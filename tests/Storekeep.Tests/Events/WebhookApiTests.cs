using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Events;

public sealed class WebhookApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_webhook_shows_its_secret_once_and_can_be_listed_read_and_deleted(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var created = await store.Client.PostJson("/api/v1/webhooks", new { url = "https://hooks.example.com/storekeep", events = new[] { EventTypes.OrderPaid, EventTypes.OrderShipped, EventTypes.OrderPaid } })
            .Expect(HttpStatusCode.Created);
        var id = created["id"].Str();
        Assert.StartsWith("whsec_", created["secret"].Str(), StringComparison.Ordinal);
        Assert.Equal([EventTypes.OrderPaid, EventTypes.OrderShipped], created["events"]!.AsArray().Select(e => e.Str()));
        Assert.Equal("https://hooks.example.com/storekeep", created["url"].Str());
        Assert.NotNull(created["createdAt"]);

        var one = await store.Client.GetAsync($"/api/v1/webhooks/{id}").Expect(HttpStatusCode.OK);
        Assert.Null(one["secret"]);
        Assert.True(one["active"]!.GetValue<bool>());
        var list = await store.Client.GetAsync("/api/v1/webhooks").Expect(HttpStatusCode.OK);
        Assert.Equal(id, list["items"]!.AsArray().Single()!["id"].Str());
        Assert.DoesNotContain("whsec_", list.ToJsonString(), StringComparison.Ordinal);

        await store.Client.DeleteAsync($"/api/v1/webhooks/{id}").Expect(HttpStatusCode.NoContent);
        await store.Client.GetAsync($"/api/v1/webhooks/{id}").ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await store.Client.DeleteAsync($"/api/v1/webhooks/{id}").ExpectProblem(HttpStatusCode.NotFound, "not_found");
        Assert.Empty((await store.Client.GetAsync("/api/v1/webhooks").Expect(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Invalid_webhooks_are_refused_with_field_errors_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var cases = new (object Body, string Field)[]
        {
            (new { url = "not a url", events = new[] { "*" } }, "url"),
            (new { url = "ftp://hooks.example.com/x", events = new[] { "*" } }, "url"),
            (new { url = "/relative/path", events = new[] { "*" } }, "url"),
            (new { url = "https://example.com/" + new string('a', 2000), events = new[] { "*" } }, "url"),
            (new { events = new[] { "*" } }, "url"),
            (new { url = "https://hooks.example.com/x", events = new[] { "order.exploded" } }, "events[0]"),
            (new { url = "https://hooks.example.com/x", events = new[] { EventTypes.OrderPaid, "" } }, "events[1]"),
            (new { url = "https://hooks.example.com/x", events = Array.Empty<string>() }, "events"),
            (new { url = "https://hooks.example.com/x" }, "events"),
        };

        foreach (var (body, field) in cases)
        {
            var problem = await store.Client.PostJson("/api/v1/webhooks", body).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]![field]);
        }

        await using var db = store.Db();
        Assert.Equal(0, await db.Webhooks.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Managing_webhooks_needs_a_key_whose_role_may(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var body = new { url = "https://hooks.example.com/x", events = new[] { "*" } };

        await store.Anonymous.PostJson("/api/v1/webhooks", body).ExpectProblem(HttpStatusCode.Unauthorized);
        await store.Anonymous.GetAsync("/api/v1/webhooks").ExpectProblem(HttpStatusCode.Unauthorized);
        var support = await store.ClientForAsync(Role.Support);
        await support.PostJson("/api/v1/webhooks", body).ExpectProblem(HttpStatusCode.Forbidden);
        await support.GetAsync("/api/v1/webhooks").ExpectProblem(HttpStatusCode.Forbidden);
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Webhooks.CountAsync());
        }

        await (await store.ClientForAsync(Role.Manager)).PostJson("/api/v1/webhooks", body).Expect(HttpStatusCode.Created);
    }
}

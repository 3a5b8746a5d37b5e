using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Events.EventTestData;

namespace Storekeep.Tests.Events;

public sealed class WebhookDeliveryTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Events_reach_the_receiver_signed_with_the_webhooks_secret(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database);
        var (_, secret) = await CreateWebhookAsync(store, receiver.Url);

        var ids = await AddEventsAsync(store, 3);

        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count >= 3), "3 deliveries received");
        var received = receiver.Received;
        Assert.Equal(ids.Select(i => i.ToString()).Order(), received.Select(r => r.EventId!).Order());
        foreach (var request in received)
        {
            Assert.True(WebhookSignature.Verify(secret, request.Signature, request.Body, TimeSpan.FromMinutes(5)));
            var tampered = request.Body.Replace("\"total\":19.99", "\"total\":0.01", StringComparison.Ordinal);
            Assert.NotEqual(request.Body, tampered);
            Assert.False(WebhookSignature.Verify(secret, request.Signature, tampered, TimeSpan.FromMinutes(5)));
            Assert.False(WebhookSignature.Verify("whsec_not_the_secret", request.Signature, request.Body, TimeSpan.FromMinutes(5)));
            Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
            Assert.Equal(EventTypes.OrderPlaced, request.EventType);

            var body = JsonNode.Parse(request.Body)!;
            Assert.Equal(request.EventId, body["id"].Str());
            Assert.Equal(EventTypes.OrderPlaced, body["type"].Str());
            Assert.False(string.IsNullOrEmpty(body["occurredAt"].Str()));
            Assert.InRange(body["data"]!["number"].Int(), 1000, 1002);
            Assert.Equal(19.99m, body["data"]!["total"].Dec());
        }

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Succeeded) == 3;
        }, "3 deliveries recorded as succeeded");
        await using var check = store.Db();
        Assert.All(await check.WebhookDeliveries.ToListAsync(), d =>
        {
            Assert.Equal(1, d.Attempts);
            Assert.Equal(200, d.LastStatusCode);
            Assert.NotNull(d.DeliveredAt);
            Assert.Null(d.LeaseUntil);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_receiver_that_was_down_gets_every_event_exactly_once_when_it_comes_back(string database)
    {
        await using var receiver = WebhookReceiver.Down();
        await using var store = await TestStore.StartAsync(database);
        var (webhookId, secret) = await CreateWebhookAsync(store, receiver.Url);
        var ids = await AddEventsAsync(store, 12);

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.WebhookDeliveries.CountAsync(d => d.Attempts >= 2 && d.LastStatusCode == null && d.LastError != null) == 12;
        }, "every delivery failed at least twice against the closed port");
        await receiver.StartListeningAsync();

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Succeeded) == 12;
        }, "all 12 deliveries succeeded after the receiver came back");
        Assert.Equal(ids.Select(i => i.ToString()).Order(), receiver.Received.Select(r => r.EventId!).Order());
        Assert.All(receiver.Received, r => Assert.True(WebhookSignature.Verify(secret, r.Signature, r.Body, TimeSpan.FromMinutes(5))));

        var log = await store.Client.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries?limit=50").Expect(HttpStatusCode.OK);
        var items = log["items"]!.AsArray();
        Assert.Equal(12, items.Count);
        Assert.All(items, d =>
        {
            Assert.Equal("succeeded", d!["status"].Str());
            Assert.True(d["attempts"].Int() > 1);
            Assert.Equal(200, d["lastStatusCode"].Int());
            Assert.Equal(EventTypes.OrderPlaced, d["eventType"].Str());
            Assert.NotNull(d["deliveredAt"]);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_on_one_database_deliver_each_event_exactly_once(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await TestStore.StartAsync(database);
        await using var second = await first.StartAnotherNodeAsync();
        await CreateWebhookAsync(first, receiver.Url);

        // Written from both nodes' sides, in several commits, while both dispatchers run.
        var ids = new List<Guid>();
        for (var round = 0; round < 5; round++)
        {
            ids.AddRange(await AddEventsAsync(round % 2 == 0 ? first : second, 10));
        }

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = first.Db();
            return await db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Succeeded) == 50;
        }, "50 deliveries succeeded");
        await Task.Delay(500); // A duplicate would arrive about now.

        Assert.Equal(50, receiver.Received.Count);
        Assert.Equal(ids.Select(i => i.ToString()).Order(), receiver.Received.Select(r => r.EventId!).Order());
        await using var check = first.Db();
        Assert.Equal(50, await check.WebhookDeliveries.CountAsync(d => d.Attempts == 1));
        var positions = await check.OutboxEvents.OrderBy(e => e.Position).Select(e => e.Position).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 50).Select(p => (long?)p), positions);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_delivery_that_gave_up_is_sent_again_by_a_manual_retry(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerWith = 503;
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Webhooks:MaxAttempts"] = "2" });
        var (webhookId, _) = await CreateWebhookAsync(store, receiver.Url, EventTypes.OrderPaid);
        var deliveriesUrl = $"/api/v1/webhooks/{webhookId}/deliveries";
        await AddEventsAsync(store, 1, EventTypes.OrderPaid);

        JsonNode? delivery = null;
        await Eventually.HoldsAsync(async () =>
        {
            delivery = (await store.Client.GetAsync(deliveriesUrl).Expect(HttpStatusCode.OK))["items"]!.AsArray().SingleOrDefault();
            return delivery?["status"].Str() == "failed";
        }, "the delivery is marked failed");
        Assert.Equal(2, delivery!["attempts"].Int());
        Assert.Equal(503, delivery["lastStatusCode"].Int());
        Assert.Contains("503", delivery["lastError"].Str(), StringComparison.Ordinal);
        receiver.AnswerWith = 200;
        await Task.Delay(400);
        Assert.Equal(2, receiver.Received.Count); // Failed stays failed until someone asks.

        var retried = await store.Client.PostAsync($"{deliveriesUrl}/{delivery["id"].Str()}/retry", null).Expect(HttpStatusCode.Accepted);
        Assert.Equal(2, retried["attempts"].Int());
        Assert.Equal("pending", retried["status"].Str());

        await Eventually.HoldsAsync(async () =>
        {
            delivery = (await store.Client.GetAsync(deliveriesUrl).Expect(HttpStatusCode.OK))["items"]!.AsArray().Single();
            return delivery?["status"].Str() == "succeeded";
        }, "the retried delivery succeeded");
        Assert.Equal(3, delivery!["attempts"].Int());
        Assert.Equal(3, receiver.Received.Count);
        Assert.Equal(200, receiver.Received[^1].AnsweredWith);
        await store.Client.PostAsync($"{deliveriesUrl}/{Guid.CreateVersion7()}/retry", null).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Webhooks_get_only_the_event_types_they_asked_for_and_nothing_once_deleted(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database);
        var (webhookId, _) = await CreateWebhookAsync(store, receiver.Url, EventTypes.OrderShipped);

        var shipped = await AddEventsAsync(store, 2, EventTypes.OrderShipped);
        await AddEventsAsync(store, 2, EventTypes.ProductCreated);
        await WaitUntilPublishedAsync(store, 4);
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count >= 2), "2 deliveries received");

        await store.Client.DeleteAsync($"/api/v1/webhooks/{webhookId}").Expect(HttpStatusCode.NoContent);
        await AddEventsAsync(store, 2, EventTypes.OrderShipped);
        await WaitUntilPublishedAsync(store, 6);
        await Task.Delay(300);

        Assert.Equal(shipped.Select(i => i.ToString()).Order(), receiver.Received.Select(r => r.EventId!).Order());
        await using var db = store.Db();
        Assert.Equal(2, await db.WebhookDeliveries.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_event_committed_by_the_app_is_delivered_at_once_without_waiting_for_the_poll(string database)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Events:PollMilliseconds"] = "120000" });
        await CreateWebhookAsync(store, receiver.Url);

        await using (var scope = store.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            await db.InTransactionAsync(ct =>
            {
                db.AddEvent(EventTypes.OrderPlaced, new { number = 1 }, DateTime.UtcNow);
                return Task.CompletedTask;
            });
        }

        // The poll interval is two minutes: only the commit's wake-up can make this in time.
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count == 1), "the event delivered right after its commit");
    }

    [Fact]
    public void A_signature_verifies_only_with_its_secret_body_and_a_fresh_timestamp()
    {
        var now = DateTimeOffset.UtcNow;
        var header = WebhookSignature.Sign("whsec_abc", now.ToUnixTimeSeconds(), "{\"a\":1}");

        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify("whsec_abc", header, "{\"a\":1}", TimeSpan.FromMinutes(5), now));
        Assert.False(WebhookSignature.Verify("whsec_abc", header, "{\"a\":2}", TimeSpan.FromMinutes(5), now));
        Assert.False(WebhookSignature.Verify("whsec_abd", header, "{\"a\":1}", TimeSpan.FromMinutes(5), now));
        Assert.False(WebhookSignature.Verify("whsec_abc", header, "{\"a\":1}", TimeSpan.FromMinutes(5), now.AddMinutes(6)));
        Assert.False(WebhookSignature.Verify("whsec_abc", "t=nonsense", "{\"a\":1}", TimeSpan.FromMinutes(5), now));
        Assert.False(WebhookSignature.Verify("whsec_abc", null, "{\"a\":1}", TimeSpan.FromMinutes(5), now));
    }
}

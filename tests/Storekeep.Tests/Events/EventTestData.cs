using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Events;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Events;

/// <summary>Events enter the outbox the way every capability writes them: AddEvent + SaveChanges.</summary>
internal static class EventTestData
{
    public static async Task<List<Guid>> AddEventsAsync(TestStore store, int count, string type = EventTypes.OrderPlaced)
    {
        var ids = new List<Guid>();
        await using var db = store.Db();
        for (var i = 0; i < count; i++)
        {
            ids.Add(db.AddEvent(type, new { number = 1000 + i, total = 19.99m }, DateTime.UtcNow).Id);
            await db.SaveChangesAsync();
        }

        return ids;
    }

    public static async Task<(string Id, string Secret)> CreateWebhookAsync(TestStore store, string url, params string[] events)
    {
        var created = await store.Client.PostJson("/api/v1/webhooks", new { url, events = events.Length == 0 ? ["*"] : events })
            .Expect(HttpStatusCode.Created);
        return (created["id"].Str(), created["secret"].Str());
    }

    public static Task WaitUntilPublishedAsync(TestStore store, int count) =>
        Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.OutboxEvents.CountAsync(e => e.Position != null) >= count;
        }, $"{count} events published");
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

public static class MessageTestData
{
    public static Dictionary<string, string?> Link(string name = "Ada", string link = "https://shop.example.test/account/verify?token=abc") =>
        new() { ["name"] = name, ["link"] = link };

    /// <summary>Queues messages through <see cref="MessageQueue"/> and commits them, as a capability would.</summary>
    public static async Task<List<Guid>> QueueAsync(this TestStore store, params (string Type, string To, Dictionary<string, string?> Values)[] messages)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<MessageQueue>();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var ids = new List<Guid>();
        foreach (var (type, to, values) in messages)
        {
            ids.Add((await queue.QueueAsync(type, to, values, null, CancellationToken.None)).Id);
        }

        await db.SaveChangesAsync();
        return ids;
    }

    public static async Task<Message> MessageAsync(this TestStore store, Guid id)
    {
        await using var db = store.Db();
        return await db.Messages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    /// <summary>Polls until <paramref name="done"/> holds for the message; fails after 20 seconds.</summary>
    public static async Task<Message> WaitForMessageAsync(this TestStore store, Guid id, Func<Message, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var message = await store.MessageAsync(id);
            if (done(message))
            {
                return message;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Message {id} never became {what}: it is {message.Status} after {message.Attempts} attempt(s), last error {message.LastError}.");
            await Task.Delay(50);
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Storekeep.Events;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// An event subscriber run by hand, for tests that start the store with <c>Events:Dispatcher</c>
/// off and say what one batch does: publish the outbox, then hand the subscriber its events.
/// </summary>
public static class SubscriberRuns
{
    public static async Task PublishOutboxAsync(this TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().PublishAsync();
    }

    /// <summary>Hands the subscriber named <paramref name="name"/> the published events after its checkpoint.</summary>
    public static Task RunSubscriberAsync(this TestStore store, string name)
    {
        var runner = store.Services.GetRequiredService<EventSubscriberRunner>();
        return runner.RunAsync(runner.Subscribers.Single(s => s.Name == name), CancellationToken.None);
    }
}

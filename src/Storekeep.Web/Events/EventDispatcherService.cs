using Storekeep.Events;
using Storekeep.Shared;

namespace Storekeep.Web.Events;

/// <summary>
/// The outbox loop of this node: publish committed events, then, side by side, hand them to the
/// in-process subscribers (each from its own checkpoint) and send due webhook deliveries; sleep until
/// <see cref="OutboxSignal"/> fires or the poll interval passes. Every node runs it; the publisher
/// lock, subscriber leases and delivery leases keep them from doing the same work twice.
/// </summary>
public sealed class EventDispatcherService(
    IServiceScopeFactory scopes,
    WebhookDeliverer deliverer,
    EventSubscriberRunner subscribers,
    OutboxSignal signal,
    WebhookSettings settings,
    ILogger<EventDispatcherService> logger) : WakeUpLoop(signal, logger)
{
    /// <summary>Publisher batches (of <see cref="OutboxPublisher.DefaultBatchSize"/>) per round at most.</summary>
    public const int PublishBatchesPerRound = 10;

    protected override string LoopName => "event dispatcher";

    protected override bool Enabled => settings.DispatcherEnabled;

    protected override TimeSpan PollInterval => settings.PollInterval;

    protected override async Task<bool> RunRoundAsync(CancellationToken ct)
    {
        // Publish what is waiting (up to PublishBatchesPerRound batches) before the subscribers run,
        // so a subscriber whose batch costs the same for few events as for many (the daily rollup)
        // gets them in one batch rather than 500 per round.
        var published = 0;
        for (var batch = 0; batch < PublishBatchesPerRound && (batch == 0 || published == OutboxPublisher.DefaultBatchSize); batch++)
        {
            await using var scope = scopes.CreateAsyncScope();
            published = await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().PublishAsync(OutboxPublisher.DefaultBatchSize, ct);
        }

        // Side by side, so a slow subscriber does not hold back webhooks (a failing one only backs itself off).
        var subscribing = subscribers.RunDueAsync(ct);
        var delivering = deliverer.DeliverDueAsync(ct);
        await Task.WhenAll(subscribing, delivering);
        return published == OutboxPublisher.DefaultBatchSize || await subscribing || await delivering >= settings.BatchSize;
    }
}

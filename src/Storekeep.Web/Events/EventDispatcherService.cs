using Storekeep.Events;

namespace Storekeep.Web.Events;

/// <summary>
/// The outbox loop of this node: publish committed events, then send due webhook deliveries; sleep
/// until <see cref="OutboxSignal"/> fires or the poll interval passes. Every node runs it; the
/// publisher lock and delivery leases keep them from doing the same work twice.
/// </summary>
public sealed partial class EventDispatcherService(
    IServiceScopeFactory scopes,
    WebhookDeliverer deliverer,
    OutboxSignal signal,
    WebhookSettings settings,
    ILogger<EventDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.DispatcherEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var published = await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().PublishAsync(OutboxPublisher.DefaultBatchSize, stoppingToken);
                    busy = published == OutboxPublisher.DefaultBatchSize;
                }

                var attempted = await deliverer.DeliverDueAsync(stoppingToken);
                busy |= attempted >= settings.BatchSize;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must survive a database hiccup; the next round retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRoundFailed(e);
            }

            if (!busy)
            {
                try
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event dispatcher round failed; retrying at the next poll.")]
    private partial void LogRoundFailed(Exception exception);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storekeep.Messaging;

/// <summary>
/// In-process wake-up for this node's sender: fired after a commit that added messages (see
/// <see cref="Data.CommitNotifyInterceptor{TEntity}"/>) and by a manual retry. Other nodes find the
/// work by polling, so a lost signal only delays.
/// </summary>
public sealed class MessageSignal : Storekeep.Shared.WakeUpSignal;

/// <summary>
/// The email loop of this node: send due messages, then sleep until messages commit, a retry is
/// asked for, or the poll interval (<c>Email:PollMilliseconds</c>) passes. Every node runs it; leases keep them from
/// sending the same message.
/// </summary>
public sealed partial class MessageDeliveryService(
    MessageDeliverer deliverer,
    MessageSignal signal,
    EmailSettings settings,
    ILogger<MessageDeliveryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.DelivererEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await deliverer.DeliverDueAsync(stoppingToken) >= settings.BatchSize;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The email delivery round failed; retrying at the next poll.")]
    private partial void LogRoundFailed(Exception exception);
}

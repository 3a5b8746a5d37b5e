using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storekeep.Shared;

/// <summary>
/// A background loop of this node (the event dispatcher, the email sender): run a round, then sleep
/// until its <see cref="WakeUpSignal"/> fires or the poll interval passes; go again at once while a
/// round reports more work waiting. Every node runs it; the work's own leases and locks keep nodes
/// from doing the same thing twice. A failed round is logged and retried at the next poll.
/// </summary>
public abstract partial class WakeUpLoop(WakeUpSignal signal, ILogger logger) : BackgroundService
{
    /// <summary>What the log calls this loop ("event dispatcher").</summary>
    protected abstract string LoopName { get; }

    protected abstract bool Enabled { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>One round of work; true when more is waiting, so the loop should not sleep.</summary>
    protected abstract Task<bool> RunRoundAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await RunRoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must survive a database hiccup; the next round retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRoundFailed(e, LoopName);
            }

            if (!busy)
            {
                try
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Loop} round failed; retrying at the next poll.")]
    private partial void LogRoundFailed(Exception exception, string loop);
}

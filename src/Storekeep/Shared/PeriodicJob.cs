using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storekeep.Shared;

/// <summary>
/// Housekeeping every node runs on a timer (expiring points, purging old rows, sweeping unpaid
/// orders): the job must be harmless when two nodes run it at once. Each run gets its own DI scope;
/// a failed run is logged and the next interval tries again.
/// </summary>
public abstract partial class PeriodicJob(IServiceScopeFactory scopes, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>What the log calls the job ("expiring loyalty points").</summary>
    protected abstract string JobName { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>Run once as the node starts (after <see cref="FirstDelay"/>), not only after the first interval.</summary>
    protected virtual bool RunAtStart => false;

    protected virtual TimeSpan FirstDelay => TimeSpan.Zero;

    protected virtual bool Enabled => true;

    /// <summary>One run, with services from a fresh scope.</summary>
    protected abstract Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        try
        {
            if (FirstDelay > TimeSpan.Zero)
            {
                await Task.Delay(FirstDelay, clock, stoppingToken);
            }

            using var timer = new PeriodicTimer(Interval, clock);
            var runNow = RunAtStart;
            while (runNow || await timer.WaitForNextTickAsync(stoppingToken))
            {
                runNow = false;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await RunAsync(scope.ServiceProvider, clock.GetUtcNow().UtcDateTime, stoppingToken);
                }
#pragma warning disable CA1031 // The job must survive a database hiccup; the next interval retries.
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    LogRunFailed(e, JobName);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Periodic job '{Job}' failed; it runs again at the next interval.")]
    private partial void LogRunFailed(Exception e, string job);
}

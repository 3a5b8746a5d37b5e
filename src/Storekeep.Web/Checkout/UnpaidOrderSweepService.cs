using Storekeep.Checkout;

namespace Storekeep.Web.Checkout;

/// <summary>
/// Every <c>Checkout:UnpaidOrderSweepSeconds</c>, on every node: cancels unpaid manual orders past
/// their hold (see <see cref="UnpaidOrderSweep"/>; the guarded cancellation makes parallel nodes harmless).
/// </summary>
public sealed partial class UnpaidOrderSweepService(
    IServiceScopeFactory scopes,
    UnpaidOrderPolicy policy,
    TimeProvider clock,
    ILogger<UnpaidOrderSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(policy.SweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<UnpaidOrderSweep>().SweepAsync(stoppingToken);
                }
#pragma warning disable CA1031 // The loop must survive a database hiccup; the next tick retries.
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    LogSweepFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping unpaid orders failed; retrying at the next interval.")]
    private partial void LogSweepFailed(Exception e);
}

using Storekeep.Loyalty;

namespace Storekeep.Web.Loyalty;

/// <summary>How often the expiry sweep runs (<c>Loyalty:ExpirySweepSeconds</c>, default an hour).</summary>
public sealed record LoyaltyExpirySettings(TimeSpan Interval);

/// <summary>
/// Every <see cref="LoyaltyExpirySettings.Interval"/>, on every node: expires points past their date
/// (<see cref="LoyaltyLedger.ExpireAsync"/>; each customer's expiry locks the account first, so
/// parallel nodes expire nothing twice).
/// </summary>
public sealed partial class LoyaltyExpiryService(
    IServiceScopeFactory scopes,
    LoyaltyExpirySettings settings,
    TimeProvider clock,
    ILogger<LoyaltyExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<LoyaltyLedger>().ExpireAsync(clock.GetUtcNow().UtcDateTime, stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiring loyalty points failed; retrying at the next interval.")]
    private partial void LogSweepFailed(Exception e);
}

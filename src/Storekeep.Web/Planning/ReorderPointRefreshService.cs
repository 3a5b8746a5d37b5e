using Storekeep.Planning;

namespace Storekeep.Web.Planning;

/// <summary>When the reorder points are refreshed (configuration section Planning:ReorderPoints).</summary>
public sealed class ReorderPointRefreshSettings
{
    /// <summary>Hours between refreshes; 0 turns the refresh (and alerts at the reorder point) off.</summary>
    public double IntervalHours { get; set; } = 6;

    /// <summary>The first refresh waits this long after start, so it never races the migrations or the demo seed.</summary>
    public double FirstDelaySeconds { get; set; } = 60;
}

/// <summary>On every node (the refresh is idempotent): keeps the stock levels' reorder points current with the forecasts.</summary>
public sealed class ReorderPointRefreshService(
    IServiceScopeFactory scopes, ReorderPointRefreshSettings settings, TimeProvider clock, ILogger<ReorderPointRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.IntervalHours <= 0)
        {
            return;
        }

        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, settings.FirstDelaySeconds)), clock, stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromHours(settings.IntervalHours), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var changed = await scope.ServiceProvider.GetRequiredService<ReorderPointAlerts>().RefreshAsync(stoppingToken);
                logger.LogInformation("Reorder points refreshed: {Count} stock levels changed.", changed);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Refreshing reorder points failed; will retry at the next interval.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

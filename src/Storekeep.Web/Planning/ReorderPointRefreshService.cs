using Storekeep.Planning;
using Storekeep.Shared;

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
public sealed partial class ReorderPointRefreshService(
    IServiceScopeFactory scopes, ReorderPointRefreshSettings settings, TimeProvider clock, ILogger<ReorderPointRefreshService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "refreshing reorder points";

    protected override bool Enabled => settings.IntervalHours > 0;

    protected override TimeSpan Interval => TimeSpan.FromHours(settings.IntervalHours);

    protected override bool RunAtStart => true;

    protected override TimeSpan FirstDelay => TimeSpan.FromSeconds(Math.Max(0, settings.FirstDelaySeconds));

    protected override async Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct)
    {
        var changed = await services.GetRequiredService<ReorderPointAlerts>().RefreshAsync(ct);
        LogRefreshed(changed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reorder points refreshed: {Count} stock levels changed.")]
    private partial void LogRefreshed(int count);
}

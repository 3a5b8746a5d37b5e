using Storekeep.Recommendations;
using Storekeep.Shared;

namespace Storekeep.Web.Recommendations;

/// <summary>Hourly, on every node (deleting twice is harmless): drops recently viewed products older than the kept days.</summary>
public sealed partial class RecentlyViewedPruneService(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<RecentlyViewedPruneService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    private readonly int _days = Math.Max(1, configuration.GetValue("Recommendations:RecentlyViewedDays", RecentlyViewed.DefaultDays));

    protected override string JobName => "pruning recently viewed products";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override bool RunAtStart => true;

    protected override async Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct)
    {
        var pruned = await services.GetRequiredService<RecentlyViewed>().PruneAsync(now.AddDays(-_days), ct);
        if (pruned > 0)
        {
            LogPruned(pruned, _days);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} recently viewed products older than {Days} days.")]
    private partial void LogPruned(int count, int days);
}

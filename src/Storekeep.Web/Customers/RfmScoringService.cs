using Storekeep.Customers;
using Storekeep.Shared;

namespace Storekeep.Web.Customers;

/// <summary>
/// Rescores RFM on every node every <see cref="RfmSettings.ScoreEveryMinutes"/> (and half a minute
/// after start, so an upgraded store gets scores without waiting an hour). Two nodes never score at
/// once: the second finds the lock taken and skips (<see cref="RfmScoring"/>).
/// </summary>
public sealed class RfmScoringService(IServiceScopeFactory scopes, RfmSettings settings, TimeProvider clock, ILogger<RfmScoringService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "scoring RFM";

    protected override TimeSpan Interval => TimeSpan.FromMinutes(settings.ScoreEveryMinutes);

    protected override bool RunAtStart => true;

    protected override TimeSpan FirstDelay => TimeSpan.FromSeconds(30);

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<RfmScoring>().TryScoreAsync(ct);
}

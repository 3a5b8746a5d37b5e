using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Web.Payments;

/// <summary>
/// Every <c>Payments:StalledCaptureSweepSeconds</c> (60), on every node: finishes card checkouts'
/// captures left <c>capturing</c> longer than <c>Payments:StalledCaptureMinutes</c> (5) by a node
/// that died before recording them (see <see cref="StalledCaptures"/>).
/// </summary>
public sealed class StalledCaptureSweepService(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<StalledCaptureSweepService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "finishing stalled captures";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Payments:StalledCaptureSweepSeconds", 60)));

    private TimeSpan StallTime => TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("Payments:StalledCaptureMinutes", StalledCaptures.DefaultStallTime.TotalMinutes)));

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<StalledCaptures>().SweepAsync(StallTime, ct);
}

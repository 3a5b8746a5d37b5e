using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Shared;

namespace Storekeep.Messaging;

/// <summary>Daily, on every node (deleting twice is harmless): forgets inbound SMS ids older than <see cref="InboundSms.KeptDays"/>.</summary>
public sealed class InboundSmsPruneService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<InboundSmsPruneService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "pruning inbound SMS ids";

    protected override TimeSpan Interval => TimeSpan.FromDays(1);

    protected override bool RunAtStart => true;

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(1);

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<SmsInbound>().PruneAsync(now.AddDays(-InboundSms.KeptDays), ct);
}

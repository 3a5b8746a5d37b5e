using Storekeep.Data;
using Storekeep.Idempotency;
using Storekeep.Shared;

namespace Storekeep.Web.Idempotency;

/// <summary>Hourly, on every node (deleting twice is harmless): drops expired idempotency records.</summary>
public sealed partial class IdempotencyCleanupService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyCleanupService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "purging expired idempotency records";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override bool RunAtStart => true;

    protected override async Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct)
    {
        var purged = await IdempotencyRetention.PurgeAsync(services.GetRequiredService<StorekeepDbContext>(), now, ct);
        if (purged > 0)
        {
            LogPurged(purged);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency records.")]
    private partial void LogPurged(int count);
}

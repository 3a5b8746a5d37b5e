using Storekeep.Data;
using Storekeep.Idempotency;

namespace Storekeep.Web.Idempotency;

/// <summary>Hourly, on every node (deleting twice is harmless): drops expired idempotency records.</summary>
public sealed class IdempotencyCleanupService(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
                var purged = await IdempotencyRetention.PurgeAsync(db, clock.GetUtcNow().UtcDateTime, stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Purged {Count} expired idempotency records.", purged);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Purging expired idempotency records failed; will retry in an hour.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

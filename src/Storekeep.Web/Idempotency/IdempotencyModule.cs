using Storekeep.Idempotency;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Idempotency;

/// <summary>Idempotency-Key records: replayed answers for retried requests, dropped when they expire.</summary>
public sealed class IdempotencyModule : StorekeepModule
{
    public override string Name => "Idempotency";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<IdempotencyLedger>();
        services.AddHostedService<IdempotencyCleanupService>();
    }
}

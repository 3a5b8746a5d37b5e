using Storekeep.Checkout;
using Storekeep.Shared;

namespace Storekeep.Web.Checkout;

/// <summary>
/// Every <c>Checkout:UnpaidOrderSweepSeconds</c>, on every node: cancels unpaid manual orders past
/// their hold (see <see cref="UnpaidOrderSweep"/>; the guarded cancellation makes parallel nodes harmless).
/// </summary>
public sealed class UnpaidOrderSweepService(IServiceScopeFactory scopes, UnpaidOrderPolicy policy, TimeProvider clock, ILogger<UnpaidOrderSweepService> logger)
    : PeriodicJob(scopes, clock, logger)
{
    protected override string JobName => "sweeping unpaid orders";

    protected override TimeSpan Interval => policy.SweepInterval;

    protected override Task RunAsync(IServiceProvider services, DateTime now, CancellationToken ct) =>
        services.GetRequiredService<UnpaidOrderSweep>().SweepAsync(ct);
}

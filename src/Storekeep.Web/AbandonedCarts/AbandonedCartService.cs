using Storekeep.AbandonedCarts;

namespace Storekeep.Web.AbandonedCarts;

/// <summary>Wakes the abandoned-cart loop early (nothing fires it today but tests; polling finds all work).</summary>
public sealed class AbandonedCartSignal : Storekeep.Shared.WakeUpSignal;

/// <summary>
/// This node's abandoned-cart loop: send the due reminders, then sleep <c>AbandonedCarts:PollSeconds</c>.
/// Every node runs it; the unique (cart, step) row keeps two nodes from sending one reminder twice.
/// </summary>
public sealed class AbandonedCartService(
    IServiceScopeFactory scopes,
    AbandonedCartSignal signal,
    AbandonedCartOptions options,
    ILogger<AbandonedCartService> logger) : Storekeep.Shared.WakeUpLoop(signal, logger)
{
    protected override string LoopName => "abandoned-cart reminders";

    protected override bool Enabled => options.LoopEnabled;

    protected override TimeSpan PollInterval => options.PollInterval;

    protected override async Task<bool> RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AbandonedCartSender>().SendDueAsync(ct);
        return false;
    }
}

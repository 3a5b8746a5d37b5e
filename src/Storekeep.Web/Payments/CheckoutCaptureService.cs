using Storekeep.Payments;

namespace Storekeep.Web.Payments;

/// <summary>
/// With <c>Payments:CheckoutCapture = batched</c>: captures the card checkouts this node committed,
/// as many as are queued (up to <see cref="BatchSize"/>) at a time, each batch recorded in one
/// transaction. Under load a batch gathers while the previous one runs, so busy stores pay one
/// transaction for many orders. On shutdown it finishes what is queued. A batch that fails leaves
/// its payments <c>capturing</c>, for <see cref="StalledCaptures"/> to finish under the same keys.
/// </summary>
public sealed partial class CheckoutCaptureService(CheckoutCaptureQueue queue, IServiceScopeFactory scopes, ILogger<CheckoutCaptureService> logger) : BackgroundService
{
    public const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!queue.IsBatched)
        {
            return;
        }

        while (await queue.WaitAsync(stoppingToken))
        {
            await CaptureQueuedAsync();
        }

        await CaptureQueuedAsync(); // what checkouts committed before the shutdown
    }

    private async Task CaptureQueuedAsync()
    {
        for (var batch = queue.Take(BatchSize); batch.Count > 0; batch = queue.Take(BatchSize))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var capture = scope.ServiceProvider.GetRequiredService<PaymentCapture>();
                var claimed = await capture.ClaimedCheckoutsAsync(batch, CancellationToken.None);
                var outcomes = await capture.CaptureClaimedCheckoutsAsync(claimed);
                LogBatch(outcomes.Count, outcomes.Count(o => o.Result.Approved));
            }
            catch (Exception e)
            {
                LogBatchFailed(e, batch.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Captured {Approved} of {Count} checkouts in one batch.")]
    private partial void LogBatch(int count, int approved);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} checkout captures failed; they stay capturing until the stalled-capture sweep finishes them.")]
    private partial void LogBatchFailed(Exception e, int count);
}

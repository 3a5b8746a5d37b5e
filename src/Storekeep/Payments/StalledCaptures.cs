using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;

namespace Storekeep.Payments;

/// <summary>
/// Finishes the captures of card checkouts that a node began and never recorded. Such a node died, or
/// lost the database, between the order's commit (which claims the payment: <c>capturing</c>) and
/// recording the gateway's answer. A checkout's payment still <c>capturing</c> longer than the stall
/// time after it was placed is captured again under the checkout's own idempotency key. The gateway
/// then answers what it did the first time, or takes the money now if the first call never reached
/// it, and the answer is recorded as usual.
/// <para>Every node sweeps. Two nodes finishing one payment send the same key, so the gateway
/// captures once, and recording is guarded by the payment's status under the order's lock, so it
/// is recorded once. A payment a person's retry claimed (its <c>updated_at</c> moved past its
/// <c>created_at</c>) used a key of its own and is left for a person, as before.</para>
/// </summary>
public sealed partial class StalledCaptures(StorekeepDbContext db, PaymentCapture capture, TimeProvider clock, ILogger<StalledCaptures> logger)
{
    /// <summary>Well past any gateway call's timeout, well inside a gateway's idempotency memory (Stripe: 24 hours).</summary>
    public static readonly TimeSpan DefaultStallTime = TimeSpan.FromMinutes(5);

    private const int BatchSize = 100;

    /// <summary>One pass; returns how many stalled captures this call recorded as captured.</summary>
    public async Task<int> SweepAsync(TimeSpan stallTime, CancellationToken ct)
    {
        var placedBefore = clock.GetUtcNow().UtcDateTime - stallTime;
        var stalled = await db.Payments.AsNoTracking()
            .Where(p => p.Status == PaymentRecordStatus.Capturing && p.Method == PaymentMethod.Card && p.GatewayReference != null
                && p.UpdatedAt == p.CreatedAt && p.CreatedAt < placedBefore)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        var outcomes = await capture.CaptureClaimedCheckoutsAsync(stalled); // recorded afresh under the orders' locks
        foreach (var outcome in outcomes)
        {
            LogFinished(outcome.Payment.Id, outcome.OrderNumber, outcome.Result.Approved ? "captured" : $"declined: {outcome.Result.Message}");
        }

        return outcomes.Count(o => o.Result.Approved);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finished the stalled capture of payment {PaymentId} (order {OrderNumber}): {Outcome}.")]
    private partial void LogFinished(Guid paymentId, long orderNumber, string outcome);
}

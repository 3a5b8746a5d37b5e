using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Loyalty;

/// <summary>
/// The subscriber (<c>loyalty</c>) that keeps the points ledger in step with orders: earns on
/// order.paid, reverses in proportion on refund.created, in full on order.cancelled (returning
/// redeemed points). It runs in its own transaction with its checkpoint; each entry's unique key
/// makes a replayed event change nothing. Paid orders are gathered and earn together (one read of
/// the orders for the lot) when the batch completes, or sooner, before a refund or cancellation,
/// because those read the entries: earnings are saved (in the subscriber's transaction) before a
/// reversal is worked out, and each reversal before the next, so a refund and a cancellation of one
/// order in one batch never both reverse the same points. A failed save fails the batch, so no
/// savepoint is taken around it.
/// </summary>
public sealed class LoyaltyOrderEvents(LoyaltyLedger ledger, StorekeepDbContext db) : IEventHandler<OrderPaid>, IEventHandler<RefundCreated>, IEventHandler<OrderCancelled>, IEventBatchCompletion
{
    public const string SubscriberName = "loyalty";

    private readonly List<(Guid OrderId, DateTime PaidAt)> _paid = [];

    public Task HandleAsync(OrderPaid evt, EventContext context, CancellationToken ct)
    {
        _paid.Add((evt.OrderId, context.OccurredAt));
        return Task.CompletedTask;
    }

    public async Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct)
    {
        if (evt.Refund.Status == RefundStatus.Succeeded)
        {
            await EarnGatheredAsync(ct);
            await ledger.ReverseForRefundAsync(evt.OrderId, evt.Refund.Id, context.OccurredAt, ct);
            await db.SaveFailingWholeAsync(ct);
        }
    }

    public async Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct)
    {
        await EarnGatheredAsync(ct);
        await ledger.ReverseForCancellationAsync(evt.OrderId, context.OccurredAt, ct);
        await db.SaveFailingWholeAsync(ct);
    }

    public Task CompleteBatchAsync(CancellationToken ct) => EarnGatheredAsync(ct);

    private async Task EarnGatheredAsync(CancellationToken ct)
    {
        if (_paid.Count == 0)
        {
            return;
        }

        var paid = _paid.ToList();
        _paid.Clear();
        await ledger.EarnAsync(paid, ct);
        await db.SaveFailingWholeAsync(ct);
    }
}

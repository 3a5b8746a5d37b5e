using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Loyalty;

/// <summary>
/// The subscriber (<c>loyalty</c>) that keeps the points ledger in step with orders: earns on
/// order.paid, reverses in proportion on refund.created, in full on order.cancelled (returning
/// redeemed points). It runs in its own transaction with its checkpoint; each entry's unique key
/// makes a replayed event change nothing. Each event's entries are saved (in the subscriber's
/// transaction) before the next event of the batch is handled, because the next one reads them:
/// a refund and a cancellation of one order in one batch must not both reverse the same points.
/// A failed save fails the batch, so no savepoint is taken around it.
/// </summary>
public sealed class LoyaltyOrderEvents(LoyaltyLedger ledger, StorekeepDbContext db) : IEventHandler<OrderPaid>, IEventHandler<RefundCreated>, IEventHandler<OrderCancelled>
{
    public const string SubscriberName = "loyalty";

    public async Task HandleAsync(OrderPaid evt, EventContext context, CancellationToken ct)
    {
        await ledger.EarnAsync(evt.OrderId, context.OccurredAt, ct);
        await db.SaveFailingWholeAsync(ct);
    }

    public async Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct)
    {
        if (evt.Refund.Status == RefundStatus.Succeeded)
        {
            await ledger.ReverseForRefundAsync(evt.OrderId, evt.Refund.Id, context.OccurredAt, ct);
            await db.SaveFailingWholeAsync(ct);
        }
    }

    public async Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct)
    {
        await ledger.ReverseForCancellationAsync(evt.OrderId, context.OccurredAt, ct);
        await db.SaveFailingWholeAsync(ct);
    }
}

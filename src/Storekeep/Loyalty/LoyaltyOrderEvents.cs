using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Loyalty;

/// <summary>
/// The subscriber (<c>loyalty</c>) that keeps the points ledger in step with orders: earns on
/// order.paid, reverses in proportion on refund.created, in full on order.cancelled (returning
/// redeemed points). It runs in its own transaction with its checkpoint; each entry's unique key
/// makes a replayed event change nothing.
/// </summary>
public sealed class LoyaltyOrderEvents(LoyaltyLedger ledger) : IEventHandler<OrderPaid>, IEventHandler<RefundCreated>, IEventHandler<OrderCancelled>
{
    public const string SubscriberName = "loyalty";

    public Task HandleAsync(OrderPaid evt, EventContext context, CancellationToken ct) =>
        ledger.EarnAsync(evt.OrderId, context.OccurredAt, ct);

    public Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct) =>
        evt.Refund.Status == RefundStatus.Succeeded
            ? ledger.ReverseForRefundAsync(evt.OrderId, evt.Refund.Id, context.OccurredAt, ct)
            : Task.CompletedTask;

    public Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct) =>
        ledger.ReverseForCancellationAsync(evt.OrderId, context.OccurredAt, ct);
}

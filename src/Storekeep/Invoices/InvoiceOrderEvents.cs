using Storekeep.Events;
using Storekeep.Orders;

namespace Storekeep.Invoices;

/// <summary>
/// The subscriber (<c>invoices</c>) that voids the invoice of a cancelled order and gives its
/// company's credit back, in the subscriber's transaction with its checkpoint. The void is one
/// guarded update, so a replayed event changes nothing.
/// </summary>
public sealed class InvoiceOrderEvents(Invoicing invoicing) : IEventHandler<OrderCancelled>
{
    public const string SubscriberName = "invoices";

    public async Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct) =>
        await invoicing.VoidForCancelledOrderAsync(evt.OrderId, context.OccurredAt, ct);
}

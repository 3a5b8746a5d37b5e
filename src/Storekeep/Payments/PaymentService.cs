using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Payments;

public sealed record CapturePaymentRequest(string? Reference);

/// <summary>
/// Taking money by hand: recording a bank transfer or cash on delivery as received, or capturing
/// an authorized card payment whose capture at checkout failed.
/// </summary>
public sealed class PaymentService(
    StorekeepDbContext db,
    OrderQueries orders,
    PaymentCapture capture,
    TimeProvider clock)
{
    /// <summary>The <see cref="Payment.Gateway"/> of payments made outside any gateway.</summary>
    public const string ManualGateway = "manual";

    public async Task<PaymentView> CaptureAsync(string orderRef, Guid paymentId, CapturePaymentRequest? request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var reference = v.Text("reference", request?.Reference, 200);
        v.ThrowIfInvalid();
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId && p.OrderId == orderId, ct)
            ?? throw Errors.NotFound("Payment", paymentId.ToString());
        var status = await db.Orders.Where(o => o.Id == orderId).Select(o => o.Status).SingleAsync(ct);
        if (payment.Status is PaymentRecordStatus.Captured or PaymentRecordStatus.PartiallyRefunded or PaymentRecordStatus.Refunded)
        {
            throw Errors.Conflict("already_paid", "This payment has already been received.");
        }

        if (payment.Status == PaymentRecordStatus.Voided || status == OrderStatus.Cancelled)
        {
            throw Errors.Conflict("order_cancelled", "The order was cancelled; its payment can no longer be taken.");
        }

        if (payment.Method == PaymentMethod.Card)
        {
            // Only an authorization can be captured; a new key per attempt, since the gateway keeps
            // the failed answer of the checkout's own capture key. The gateway refuses a second
            // capture of the same authorization beyond its amount.
            var outcome = await capture.CaptureAsync(orderId, payment.Id, $"payment:{payment.Id}:capture:{Ids.NewId()}", actor, ct);
            if (!outcome.Result.Approved)
            {
                throw new StorekeepException(ErrorKind.BadGateway, "capture_failed", $"The payment gateway did not capture: {outcome.Result.Message}")
                {
                    Extensions = new Dictionary<string, object?> { ["declineCode"] = outcome.Result.DeclineCode },
                };
            }

            return PaymentView.From(await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, CancellationToken.None));
        }

        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var captured = await db.Payments
                .Where(p => p.Id == paymentId && p.Status == PaymentRecordStatus.Pending)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentRecordStatus.Captured)
                    .SetProperty(p => p.CapturedAmount, payment.Amount)
                    .SetProperty(p => p.GatewayReference, reference ?? payment.GatewayReference)
                    .SetProperty(p => p.UpdatedAt, now), token);
            if (captured == 0)
            {
                throw Errors.Conflict("already_paid", "This payment has already been received.");
            }

            order.MarkPaid(payment.Amount, actor, now); // refuses (409 order_cancelled) if a cancel committed first
            order.Note("payment_received", $"{(payment.Method == PaymentMethod.BankTransfer ? "Bank transfer" : "Cash on delivery")} received{(reference is null ? "" : $", reference {reference}")}.", actor, now);

            db.Raise(OrderEventData.Of<OrderPaid>(order), now);
            return await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, token);
        }, ct);
        return PaymentView.From(view);
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Payments;

public sealed record CapturePaymentRequest(string? Reference);

/// <summary>
/// An order's payments from the outside: opening one at checkout, and taking money by hand
/// (recording a bank transfer or cash on delivery as received, or capturing an authorized card
/// payment whose capture at checkout failed). The bookkeeping is <see cref="PaymentCapture"/>'s.
/// </summary>
public sealed class PaymentService(
    StorekeepDbContext db,
    OrderQueries orders,
    PaymentCapture capture,
    IPaymentGateway gateway)
{
    /// <summary>The <see cref="Payment.Gateway"/> of payments made outside any gateway.</summary>
    public const string ManualGateway = "manual";

    /// <summary>
    /// The payment row of a newly placed order, added to the checkout's transaction: authorized for
    /// a card (with what the gateway said about it), pending for a manual method.
    /// </summary>
    /// <summary>
    /// The order's payment: pending for a manual method, authorized for a card, or with
    /// <paramref name="claimForCapture"/> already claimed for the capture that follows the commit
    /// (<see cref="PaymentCapture.CaptureAfterCheckoutAsync"/>).
    /// </summary>
    public Payment Open(Order order, PaymentMethod method, GatewayResult? authorization, DateTime now, bool claimForCapture = false)
    {
        var payment = new Payment
        {
            OrderId = order.Id,
            Method = method,
            Gateway = authorization is null ? ManualGateway : gateway.Name,
            GatewayReference = authorization?.Reference,
            Status = authorization is null ? PaymentRecordStatus.Pending : claimForCapture ? PaymentRecordStatus.Capturing : PaymentRecordStatus.Authorized,
            Amount = order.Total,
            Currency = order.Currency,
            CardBrand = authorization?.CardBrand,
            Last4 = authorization?.Last4,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Payments.Add(payment);
        return payment;
    }

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

        if (payment.Method == PaymentMethod.Terms)
        {
            // Its invoice holds what was paid and the company's credit: the money is recorded there.
            throw Errors.Conflict("terms_payment_by_invoice", "This order is paid on terms: record the payment on its invoice (POST /invoices/{id}/payments).");
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

        return PaymentView.From(await capture.RecordManualAsync(orderId, payment, reference, actor, ct));
    }
}

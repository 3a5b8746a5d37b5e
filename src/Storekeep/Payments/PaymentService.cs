using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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
    IPaymentGateway gateway,
    TimeProvider clock,
    ILogger<PaymentService> logger)
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

        string? gatewayReference = reference ?? payment.GatewayReference;
        if (payment.Method == PaymentMethod.Card)
        {
            // Only an authorization can be captured; a new key per attempt, since the gateway keeps
            // the failed answer of the checkout's own capture key. The gateway refuses a second
            // capture of the same authorization beyond its amount.
            GatewayResult result;
            try
            {
                result = await gateway.CaptureAsync(payment.GatewayReference ?? "", payment.Amount, payment.Currency, $"payment:{payment.Id}:capture:{Ids.NewId()}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Manual capture of payment {PaymentId} failed at the gateway.", payment.Id);
                result = GatewayResult.Declined("gateway_error", e.Message);
            }

            if (!result.Approved)
            {
                await db.InTransactionAsync(async token =>
                {
                    var order = await db.LoadOrderForUpdateAsync(orderId, token);
                    order.Note("capture_failed", $"Capture failed: {result.Message}", actor, clock.GetUtcNow().UtcDateTime);
                }, ct);
                throw new StorekeepException(ErrorKind.BadGateway, "capture_failed", $"The payment gateway did not capture: {result.Message}")
                {
                    Extensions = new Dictionary<string, object?> { ["declineCode"] = result.DeclineCode },
                };
            }

            gatewayReference = payment.GatewayReference;
        }

        var expected = payment.Method == PaymentMethod.Card ? PaymentRecordStatus.Authorized : PaymentRecordStatus.Pending;
        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var captured = await db.Payments
                .Where(p => p.Id == paymentId && p.Status == expected)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentRecordStatus.Captured)
                    .SetProperty(p => p.CapturedAmount, payment.Amount)
                    .SetProperty(p => p.GatewayReference, gatewayReference)
                    .SetProperty(p => p.UpdatedAt, now), token);
            if (captured == 0)
            {
                throw Errors.Conflict("already_paid", "This payment has already been received.");
            }

            order.MarkPaid(payment.Amount, actor, now);
            if (payment.Method != PaymentMethod.Card)
            {
                order.Note("payment_received", $"{(payment.Method == PaymentMethod.BankTransfer ? "Bank transfer" : "Cash on delivery")} received{(reference is null ? "" : $", reference {reference}")}.", actor, now);
            }

            db.AddEvent(EventTypes.OrderPaid, OrderEventData.From(order), now);
            return await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, token);
        }, ct);
        return PaymentView.From(view);
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>
/// Undoing money that was authorized or taken: voiding an authorization at the gateway and
/// recording it, and, for a cancelled order, refunding what was captured. The one place payments
/// become <see cref="PaymentRecordStatus.Voided"/>.
/// </summary>
public sealed class PaymentVoid(
    StorekeepDbContext db,
    IPaymentGateway gateway,
    RefundService refunds,
    TimeProvider clock,
    ILogger<PaymentVoid> logger)
{
    /// <summary>
    /// After an order's cancellation committed: each authorization is voided, each capture refunded
    /// in full through the gateway, a manual payment not yet received left alone. A gateway failure
    /// is written on the timeline; the order stays cancelled.
    /// </summary>
    public async Task UndoForCancelledOrderAsync(Guid orderId, Actor actor, CancellationToken ct)
    {
        var payments = await db.Payments.AsNoTracking().Where(p => p.OrderId == orderId).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        foreach (var payment in payments)
        {
            if (payment.Status == PaymentRecordStatus.Authorized && payment.GatewayReference is not null)
            {
                await VoidAsync(orderId, payment, actor, ct);
            }
            else if (payment.CapturedAmount - payment.RefundedAmount > 0)
            {
                try
                {
                    await refunds.RefundAsync(orderId, payment.CapturedAmount - payment.RefundedAmount, "Order cancelled", actor, ct);
                }
                catch (StorekeepException e) when (e.Code is "refund_failed" or "refund_exceeds_captured")
                {
                    // Already on the timeline (refund_failed) or refunded meanwhile; a person follows up.
                    logger.LogWarning("Refund after cancelling order {OrderId} did not go through: {Message}", orderId, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// Voids an authorization that no payment record holds (checkout failed after authorizing), and
    /// never throws: an unvoided authorization expires on its own and was never captured, so no charge.
    /// </summary>
    public async Task VoidUnrecordedQuietlyAsync(string reference, string idempotencyKey, Exception cause)
    {
        try
        {
            var result = await gateway.VoidAsync(reference, idempotencyKey, CancellationToken.None);
            if (!result.Approved)
            {
                logger.LogWarning("Voiding authorization {Reference} after a failed checkout was refused: {Message}", reference, result.Message);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not void authorization {Reference} after checkout failed with {Cause}", reference, cause.GetType().Name);
        }
    }

    /// <summary>Voids a recorded authorization at the gateway, then records it (payment voided, order's payment voided) or the failure.</summary>
    private async Task VoidAsync(Guid orderId, Payment payment, Actor actor, CancellationToken ct)
    {
        GatewayResult result;
        try
        {
            result = await gateway.VoidAsync(payment.GatewayReference!, $"payment:{payment.Id}:void", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Voiding payment {PaymentId} failed at the gateway.", payment.Id);
            result = GatewayResult.Declined("gateway_error", e.Message);
        }

        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            if (!result.Approved)
            {
                order.Note("void_failed", $"Voiding the payment authorization failed: {result.Message}", actor, now);
                return;
            }

            var voided = await db.Payments.Where(p => p.Id == payment.Id && p.Status == PaymentRecordStatus.Authorized)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentRecordStatus.Voided).SetProperty(p => p.UpdatedAt, now), token);
            if (voided == 1)
            {
                order.MarkPaymentVoided(actor, now);
            }
        }, ct);
    }
}

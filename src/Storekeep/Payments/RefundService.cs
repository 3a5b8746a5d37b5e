using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Payments;

public sealed record CreateRefundRequest(decimal? Amount, string? Reason);

public sealed record RefundView(Guid Id, Guid OrderId, Guid PaymentId, decimal Amount, string Currency, string? Reason, RefundStatus Status, string? FailureMessage, DateTime CreatedAt)
{
    public static RefundView From(Refund r, string currency) =>
        new(r.Id, r.OrderId, r.PaymentId, r.Amount, currency, r.Reason, r.Status, r.FailureMessage, r.CreatedAt);
}

/// <summary>refund.created: a refund of the order was attempted (its status says how it went).</summary>
public sealed record RefundCreated(Guid OrderId, long Number, string Email, PaymentStatus PaymentStatus, RefundView Refund) : Events.IEvent
{
    public static string EventType => Events.EventTypes.RefundCreated;
}

/// <summary>
/// Money back to the customer. The amount is first reserved on the payment by one guarded UPDATE
/// (<c>refunded_amount + a</c> only while <c>captured - refunded ≥ a</c>; a CHECK backs it), with a
/// pending refund row, and committed; only then is the gateway asked. Success records the refund
/// on the order; a refusal gives the reservation back. Concurrent refunds can never add up to more
/// than was captured, whatever the gateway does.
/// </summary>
public sealed class RefundService(
    StorekeepDbContext db,
    OrderQueries orders,
    IPaymentGateway gateway,
    TimeProvider clock,
    ILogger<RefundService> logger)
{
    public const int ReasonMaxLength = 500;

    public async Task<RefundView> CreateAsync(string orderRef, CreateRefundRequest request, Actor actor, CancellationToken ct)
    {
        CardNumbers.Refuse(request.Reason);
        var v = new Validation();
        var amount = v.Money("amount", request.Amount, allowZero: false);
        var reason = v.Text("reason", request.Reason, ReasonMaxLength);
        v.ThrowIfInvalid();
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        return await RefundAsync(orderId, amount, reason, actor, ct);
    }

    /// <summary>Refunds <paramref name="amount"/> of the order's captured payment through the gateway.</summary>
    public async Task<RefundView> RefundAsync(Guid orderId, decimal amount, string? reason, Actor actor, CancellationToken ct)
    {
        var payment = await db.Payments.AsNoTracking()
            .Where(p => p.OrderId == orderId && p.Status != PaymentRecordStatus.Pending && p.Status != PaymentRecordStatus.Authorized && p.Status != PaymentRecordStatus.Capturing && p.Status != PaymentRecordStatus.Voided)
            .OrderBy(p => p.CreatedAt).FirstOrDefaultAsync(ct)
            ?? throw Exceeds(amount, 0m, "Nothing has been captured on this order, so there is nothing to refund.");
        var cents = MinorUnits.ToMinor(amount);
        var refund = new Refund
        {
            OrderId = orderId,
            PaymentId = payment.Id,
            Amount = amount,
            Reason = reason,
            Status = RefundStatus.Pending,
            Actor = actor.Name,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };

        await db.InTransactionAsync(async token =>
        {
            var reserved = await db.Database.ExecuteSqlAsync(
                $"UPDATE payments SET refunded_amount = refunded_amount + {cents} WHERE id = {payment.Id} AND captured_amount - refunded_amount >= {cents}", token);
            if (reserved == 0)
            {
                var left = await db.Payments.Where(p => p.Id == payment.Id).Select(p => new { p.CapturedAmount, p.RefundedAmount }).SingleAsync(token);
                throw Exceeds(amount, left.CapturedAmount - left.RefundedAmount,
                    $"Cannot refund {amount:0.00} {payment.Currency}: {left.CapturedAmount - left.RefundedAmount:0.00} of {left.CapturedAmount:0.00} captured is left to refund.");
            }

            db.Refunds.Add(refund);
        }, ct);

        return await SendAsync(refund, payment, actor, ct);
    }

    /// <summary>
    /// Sends a pending refund to the gateway again, with the same idempotency key, so a refund whose
    /// first attempt ended without an answer is completed at most once.
    /// </summary>
    public async Task<RefundView> RetryAsync(Guid refundId, Actor actor, CancellationToken ct)
    {
        var refund = await db.Refunds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == refundId, ct)
            ?? throw Errors.NotFound("Refund", refundId.ToString());
        if (refund.Status != RefundStatus.Pending)
        {
            throw Errors.Conflict("refund_not_pending", $"Refund {refundId} is {StorekeepDbContext.ToSnakeCase(refund.Status.ToString())}; only a pending refund can be retried.");
        }

        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == refund.PaymentId, ct);
        return await SendAsync(refund, payment, actor, ct);
    }

    private async Task<RefundView> SendAsync(Refund refund, Payment payment, Actor actor, CancellationToken ct)
    {
        GatewayResult result;
        try
        {
            // A bank transfer or cash payment is paid back by hand; the refund records that it was.
            result = payment.Gateway == PaymentService.ManualGateway
                ? new GatewayResult(true)
                : await gateway.RefundAsync(payment.GatewayReference ?? "", refund.Amount, payment.Currency, $"refund:{refund.Id}", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No answer is not a "no": the money may have moved. The refund stays pending and keeps
            // its share of the captured amount reserved until a retry learns the outcome.
            logger.LogWarning(e, "Refund {RefundId} got no answer from the gateway; it stays pending.", refund.Id);
            throw new StorekeepException(ErrorKind.BadGateway, "refund_pending",
                $"The payment gateway did not answer. The refund is pending; retry it with POST /api/v1/refunds/{refund.Id}/retry.")
            {
                Extensions = new Dictionary<string, object?> { ["refundId"] = refund.Id },
            };
        }

        var cents = MinorUnits.ToMinor(refund.Amount);
        if (!result.Approved)
        {
            await FailAsync(refund, cents, result.Message ?? "The gateway refused the refund.", actor, ct);
            throw new StorekeepException(ErrorKind.BadGateway, "refund_failed", $"The payment gateway did not refund: {result.Message}")
            {
                Extensions = new Dictionary<string, object?> { ["refundId"] = refund.Id, ["declineCode"] = result.DeclineCode },
            };
        }

        var view = await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(refund.OrderId, token);
            var completed = await db.Refunds.Where(r => r.Id == refund.Id && r.Status == RefundStatus.Pending).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, RefundStatus.Succeeded)
                .SetProperty(r => r.GatewayReference, result.Reference), token);
            if (completed == 0)
            {
                throw Errors.Conflict("refund_not_pending", $"Refund {refund.Id} was completed by another request.");
            }

            // Sums in memory: money is stored as cents behind a converter.
            var refunded = (await db.Refunds.Where(r => r.PaymentId == payment.Id && r.Status == RefundStatus.Succeeded).Select(r => r.Amount).ToListAsync(token)).Sum();
            var full = refunded >= payment.CapturedAmount;
            await db.Payments.Where(p => p.Id == payment.Id).ExecuteUpdateAsync(u => u
                .SetProperty(p => p.Status, full ? PaymentRecordStatus.Refunded : PaymentRecordStatus.PartiallyRefunded)
                .SetProperty(p => p.UpdatedAt, now), token);
            order.ApplyRefund(refund.Amount, refunded, payment.CapturedAmount, refund.Reason, actor, now);
            refund.Status = RefundStatus.Succeeded;
            refund.GatewayReference = result.Reference;
            var succeeded = RefundView.From(refund, payment.Currency);
            db.Raise(new RefundCreated(order.Id, order.Number, order.Email, order.PaymentStatus, succeeded), now);
            return succeeded;
        }, ct);
        return view;
    }

    public async Task<IReadOnlyList<RefundView>> ListAsync(string orderRef, CancellationToken ct)
    {
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        var currency = await db.Orders.Where(o => o.Id == orderId).Select(o => o.Currency).SingleAsync(ct);
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(ct);
        return refunds.Select(r => RefundView.From(r, currency)).ToList();
    }

    private async Task FailAsync(Refund refund, long cents, string message, Actor actor, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(refund.OrderId, token);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE payments SET refunded_amount = refunded_amount - {cents} WHERE id = {refund.PaymentId} AND refunded_amount >= {cents}", token);
            await db.Refunds.Where(r => r.Id == refund.Id).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, RefundStatus.Failed)
                .SetProperty(r => r.FailureMessage, message.Length > 400 ? message[..400] : message), token);
            order.Note("refund_failed", $"Refund of {refund.Amount:0.00} {order.Currency} failed: {message}", actor, now);
        }, ct);

    private static StorekeepException Exceeds(decimal amount, decimal refundable, string message) =>
        new(ErrorKind.Unprocessable, "refund_exceeds_captured", message)
        {
            Extensions = new Dictionary<string, object?> { ["requested"] = amount, ["refundable"] = refundable },
        };
}

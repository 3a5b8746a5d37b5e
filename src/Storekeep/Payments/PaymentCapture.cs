using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>What a card capture came to: the gateway's answer and the order as recorded afterwards.</summary>
public sealed record CaptureOutcome(GatewayResult Result, Order Order);

/// <summary>What one of a batch of checkout captures came to.</summary>
public sealed record CheckoutCaptureOutcome(Payment Payment, GatewayResult Result, long OrderNumber);

/// <summary>
/// Capturing an authorized card payment so that it can never race a cancellation into money taken
/// at the gateway and not recorded. Capture and cancel serialize on the order's row lock:
/// <list type="number">
/// <item>Under the lock the capture re-checks that the order is not cancelled and claims the payment
/// (<see cref="PaymentRecordStatus.Capturing"/>); a cancelled order refuses here, before the gateway.</item>
/// <item>The gateway call runs outside any transaction.</item>
/// <item>Under the lock again the answer is recorded: captured (and the order paid) or back to authorized.</item>
/// </list>
/// A card checkout does step 1 in its own order transaction (the order cannot be cancelled before
/// it exists), so its capture costs one transaction, not two.
/// Cancellation, under the same lock, refuses with 409 <c>capture_in_progress</c> while a payment is
/// capturing, and refunds what was captured once it is recorded. A node that dies between 1 and 3
/// leaves the payment <c>capturing</c>: the record that a capture was in flight. A checkout's is
/// finished by <see cref="StalledCaptures"/> under the same idempotency key; a person's retry's is
/// left for a person to check against the gateway.
/// </summary>
public sealed class PaymentCapture(
    StorekeepDbContext db,
    IPaymentGateway gateway,
    RefundService refunds,
    TimeProvider clock,
    ILogger<PaymentCapture> logger)
{
    public const string InProgressCode = "capture_in_progress";

    public static StorekeepException InProgress() =>
        Errors.Conflict(InProgressCode, "A payment of this order is being captured right now; try again in a moment.");

    /// <summary>
    /// For cancellation, under the order's row lock: refuses (409 <c>capture_in_progress</c>) while
    /// a payment of the order is at the gateway, so the cancel never voids an authorization being captured.
    /// </summary>
    public async Task EnsureNoneInProgressAsync(Guid orderId, CancellationToken ct)
    {
        if (await db.Payments.AnyAsync(p => p.OrderId == orderId && p.Status == PaymentRecordStatus.Capturing, ct))
        {
            throw InProgress();
        }
    }

    /// <summary>
    /// Takes the money checkout authorized. Runs after the order's commit; if the gateway fails, the
    /// order stays authorized (a person or a retry can capture it later) and the failure is on its
    /// timeline. If the order was cancelled between its commit and here, nothing is captured and
    /// the order is answered as it is now. A payment the checkout already claimed (committed as
    /// <see cref="PaymentRecordStatus.Capturing"/> with its order) goes straight to the gateway.
    /// </summary>
    public async Task<Order> CaptureAfterCheckoutAsync(Order placed, Payment payment, CancellationToken ct)
    {
        if (payment.Status is not (PaymentRecordStatus.Authorized or PaymentRecordStatus.Capturing) || payment.GatewayReference is null)
        {
            return placed;
        }

        try
        {
            return payment.Status == PaymentRecordStatus.Capturing
                ? (await CaptureClaimedAsync(placed.Id, payment, CheckoutCaptureKey(payment.Id), Actor.System)).Order
                : (await CaptureAsync(placed.Id, payment.Id, CheckoutCaptureKey(payment.Id), Actor.System, ct)).Order;
        }
        catch (StorekeepException e) when (e.Kind == ErrorKind.Conflict)
        {
            // Someone else moved the order on in the meantime (cancelled it, say): answer with what it is now.
            db.ChangeTracker.Clear();
            return await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == placed.Id, ct);
        }
    }

    /// <summary>
    /// Records a bank transfer or cash on delivery as received: the pending payment becomes captured
    /// and the order paid, in one transaction under the order's lock. 409 <c>already_paid</c> when
    /// it was recorded meanwhile, <c>order_cancelled</c> when a cancel committed first.
    /// </summary>
    public async Task<Payment> RecordManualAsync(Guid orderId, Payment payment, string? reference, Actor actor, CancellationToken ct) =>
        await db.InTransactionAsync(token => RecordManualInTransactionAsync(orderId, payment, reference, actor, clock.GetUtcNow().UtcDateTime, token), ct);

    /// <summary>
    /// <see cref="RecordManualAsync"/> inside the caller's transaction (an invoice paid in full marks
    /// its order's terms payment received in the transaction that records the last payment).
    /// </summary>
    public async Task<Payment> RecordManualInTransactionAsync(Guid orderId, Payment payment, string? reference, Actor actor, DateTime now, CancellationToken ct)
    {
        var order = await db.LoadOrderForUpdateAsync(orderId, ct);
        var captured = await db.Payments
            .Where(p => p.Id == payment.Id && p.Status == PaymentRecordStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentRecordStatus.Captured)
                .SetProperty(p => p.CapturedAmount, payment.Amount)
                .SetProperty(p => p.GatewayReference, reference ?? payment.GatewayReference)
                .SetProperty(p => p.UpdatedAt, now), ct);
        if (captured == 0)
        {
            throw Errors.Conflict("already_paid", "This payment has already been received.");
        }

        order.MarkPaid(payment.Amount, actor, now); // refuses (409 order_cancelled) if a cancel committed first
        var what = payment.Method switch
        {
            PaymentMethod.BankTransfer => "Bank transfer",
            PaymentMethod.Terms => "Payment on terms",
            _ => "Cash on delivery",
        };
        order.Note("payment_received", $"{what} received{(reference is null ? "" : $", reference {reference}")}.", actor, now);
        return await db.Payments.AsNoTracking().SingleAsync(p => p.Id == payment.Id, ct);
    }

    /// <summary>Claims, captures at the gateway and records; throws 409 when the order is cancelled or the payment not capturable.</summary>
    public async Task<CaptureOutcome> CaptureAsync(Guid orderId, Guid paymentId, string idempotencyKey, Actor actor, CancellationToken ct)
    {
        var payment = await ClaimAsync(orderId, paymentId, ct);
        return await CaptureClaimedAsync(orderId, payment, idempotencyKey, actor);
    }

    /// <summary>The idempotency key of the capture that follows a checkout: one per payment, so a replay is the same capture.</summary>
    internal static string CheckoutCaptureKey(Guid paymentId) => $"payment:{paymentId}:capture";

    /// <summary>
    /// The capture of a payment already claimed (<see cref="PaymentRecordStatus.Capturing"/>): not
    /// cancelled with the caller's request, since once claimed it runs to a recorded answer.
    /// </summary>
    private async Task<CaptureOutcome> CaptureClaimedAsync(Guid orderId, Payment payment, string idempotencyKey, Actor actor)
    {
        var answer = new GatewayAnswer(payment, await CallGatewayAsync(payment, idempotencyKey));
        var recorded = await RecordAsync([answer], actor);
        if (recorded.RefundAfter.Count == 0)
        {
            return new CaptureOutcome(answer.Result, recorded.Orders[orderId]);
        }

        await RefundCapturedAfterCancelAsync(recorded.RefundAfter, actor);
        db.ChangeTracker.Clear();
        return new CaptureOutcome(answer.Result, await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, CancellationToken.None));
    }

    /// <summary>
    /// Checkouts' claimed captures, many at once (the batched capture after checkouts, and the
    /// stalled-capture sweep): each at the gateway under its checkout's own idempotency key, a few
    /// calls at a time, then every answer recorded in one transaction. Payments no longer
    /// <c>capturing</c> by then were recorded by someone else and are left as they are.
    /// </summary>
    public async Task<IReadOnlyList<CheckoutCaptureOutcome>> CaptureClaimedCheckoutsAsync(IReadOnlyList<Payment> claimed)
    {
        if (claimed.Count == 0)
        {
            return [];
        }

        var answers = new GatewayAnswer[claimed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count), new ParallelOptions { MaxDegreeOfParallelism = GatewayCallsAtOnce }, async (i, _) =>
            answers[i] = new GatewayAnswer(claimed[i], await CallGatewayAsync(claimed[i], CheckoutCaptureKey(claimed[i].Id))));
        var recorded = await RecordAsync(answers, Actor.System);
        await RefundCapturedAfterCancelAsync(recorded.RefundAfter, Actor.System);
        return answers.Select(a => new CheckoutCaptureOutcome(a.Payment, a.Result, recorded.Orders[a.Payment.OrderId].Number)).ToList();
    }

    /// <summary>The payments among <paramref name="paymentIds"/> still claimed for a checkout's capture.</summary>
    public async Task<List<Payment>> ClaimedCheckoutsAsync(IReadOnlyCollection<Guid> paymentIds, CancellationToken ct) =>
        await db.Payments.AsNoTracking()
            .Where(p => paymentIds.Contains(p.Id) && p.Status == PaymentRecordStatus.Capturing && p.GatewayReference != null)
            .ToListAsync(ct);

    /// <summary>A gateway like Stripe answers in a few hundred milliseconds; a batch waits for a few at a time, not one after another.</summary>
    private const int GatewayCallsAtOnce = 8;

    private async Task<GatewayResult> CallGatewayAsync(Payment payment, string idempotencyKey)
    {
        try
        {
            return await gateway.CaptureAsync(payment.GatewayReference ?? "", payment.Amount, payment.Currency, idempotencyKey, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Capture of payment {PaymentId} failed at the gateway.", payment.Id);
            return GatewayResult.Declined("gateway_error", e.Message);
        }
    }

    private async Task RefundCapturedAfterCancelAsync(IEnumerable<Payment> payments, Actor actor)
    {
        foreach (var payment in payments)
        {
            try
            {
                await refunds.RefundAsync(payment.OrderId, payment.Amount, "Order cancelled while the payment was being captured", actor, CancellationToken.None);
            }
            catch (StorekeepException e)
            {
                logger.LogWarning("Refund of payment {PaymentId}, captured after its order was cancelled, did not go through: {Message}", payment.Id, e.Message);
            }
        }
    }

    private async Task<Payment> ClaimAsync(Guid orderId, Guid paymentId, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            // The caller's context may still track the order as it placed it: read it as it is now.
            db.ChangeTracker.Clear();
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == paymentId && p.OrderId == orderId, token)
                ?? throw Errors.NotFound("Payment", paymentId.ToString());
            switch (payment.Status)
            {
                case PaymentRecordStatus.Capturing:
                    throw InProgress();
                case PaymentRecordStatus.Captured or PaymentRecordStatus.PartiallyRefunded or PaymentRecordStatus.Refunded:
                    throw Errors.Conflict("already_paid", "This payment has already been received.");
                case PaymentRecordStatus.Voided:
                    throw Errors.Conflict("order_cancelled", "The order was cancelled; its payment can no longer be taken.");
                case PaymentRecordStatus.Pending:
                    throw Errors.Conflict("payment_not_authorized", "Only an authorized card payment can be captured.");
            }

            if (order.Status == OrderStatus.Cancelled)
            {
                throw Errors.Conflict("order_cancelled", "The order was cancelled; its payment can no longer be taken.");
            }

            var now = clock.GetUtcNow().UtcDateTime;
            await db.Payments.Where(p => p.Id == paymentId && p.Status == PaymentRecordStatus.Authorized)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, PaymentRecordStatus.Capturing).SetProperty(p => p.UpdatedAt, now), token);
            return payment;
        }, ct);

    private sealed record GatewayAnswer(Payment Payment, GatewayResult Result);

    private sealed record Recorded(Dictionary<Guid, Order> Orders, List<Payment> RefundAfter);

    /// <summary>
    /// Records the gateway's answers in one transaction, whatever happens to the caller's request
    /// (the gateway has already answered), under the orders' locks: captured (and the order paid),
    /// or back to authorized with the failure on the order's timeline.
    /// </summary>
    private async Task<Recorded> RecordAsync(IReadOnlyList<GatewayAnswer> answers, Actor actor) =>
        await db.InTransactionAsync(async token =>
        {
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow().UtcDateTime;
            var orders = await db.LoadOrdersForUpdateAsync(answers.Select(a => a.Payment.OrderId).Distinct().ToList(), token);
            var paymentIds = answers.Select(a => a.Payment.Id).ToList();
            var rows = await db.Payments.Where(p => paymentIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, token);
            var refundAfter = new List<Payment>();
            foreach (var (payment, result) in answers)
            {
                // Under the order's lock: a payment no longer capturing had this answer recorded by
                // another recorder (the stalled-capture sweep, or the node it took over from); the
                // order already shows it.
                var order = orders[payment.OrderId];
                if (!rows.TryGetValue(payment.Id, out var row) || row.Status != PaymentRecordStatus.Capturing)
                {
                    continue;
                }

                row.UpdatedAt = now;
                if (!result.Approved)
                {
                    row.Status = PaymentRecordStatus.Authorized;
                    order.Note("capture_failed", $"Capture failed: {result.Message}", actor, now);
                    continue;
                }

                row.Status = PaymentRecordStatus.Captured;
                row.CapturedAmount = payment.Amount;
                if (order.Status == OrderStatus.Cancelled)
                {
                    // Cancellation refuses while a payment is capturing, so this is belt and braces:
                    // the money is recorded as captured and refunded right after this commit.
                    order.Note("captured_after_cancel", $"Payment of {payment.Amount:0.00} {payment.Currency} was captured after the order was cancelled; refunding it.", actor, now);
                    refundAfter.Add(payment);
                    continue;
                }

                order.MarkPaid(payment.Amount, actor, now); // raises order.paid
            }

            return new Recorded(orders, refundAfter);
        }, CancellationToken.None);
}

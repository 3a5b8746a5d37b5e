using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>A refund of an amount, or of order lines (<see cref="Lines"/>): one or the other.</summary>
public sealed record CreateRefundRequest(decimal? Amount, string? Reason, IReadOnlyList<RefundLineInput>? Lines = null);

public sealed record RefundLineInput(string? Sku, int? Quantity);

/// <summary>What a line refund gave back for one order line: its net share after discounts, its tax, and both.</summary>
public sealed record RefundLineView(string Sku, int Quantity, decimal Amount, decimal TaxAmount)
{
    public decimal Total => Amount + TaxAmount;
}

public sealed record RefundView(Guid Id, Guid OrderId, Guid PaymentId, decimal Amount, string Currency, string? Reason, RefundStatus Status, string? FailureMessage, DateTime CreatedAt)
{
    /// <summary>For a line refund, the lines it gave back (empty for a refund of an amount).</summary>
    public IReadOnlyList<RefundLineView> Lines { get; init; } = [];

    public static RefundView From(Refund r, string currency, IEnumerable<RefundLine>? lines = null) =>
        new(r.Id, r.OrderId, r.PaymentId, r.Amount, currency, r.Reason, r.Status, r.FailureMessage, r.CreatedAt)
        {
            Lines = lines?.Select(l => new RefundLineView(l.Sku, l.Quantity, l.NetAmount, l.TaxAmount)).ToList() ?? [],
        };
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
    public const int MaxLines = 200;

    public async Task<RefundView> CreateAsync(string orderRef, CreateRefundRequest request, Actor actor, CancellationToken ct)
    {
        CardNumbers.Refuse(request.Reason);
        var v = new Validation();
        var reason = v.Text("reason", request.Reason, ReasonMaxLength);
        if (request.Lines is not null)
        {
            var lines = ValidLines(v, request);
            v.ThrowIfInvalid();
            var lineOrderId = await orders.ResolveIdAsync(orderRef, ct);
            return await RefundLinesAsync(lineOrderId, lines, reason, actor, ct);
        }

        var amount = v.Money("amount", request.Amount, allowZero: false);
        v.ThrowIfInvalid();
        var orderId = await orders.ResolveIdAsync(orderRef, ct);
        return await RefundAsync(orderId, amount, reason, actor, ct);
    }

    private static List<RefundLineRequest> ValidLines(Validation v, CreateRefundRequest request)
    {
        var lines = request.Lines!;
        if (request.Amount is not null)
        {
            v.Add("amount", "Give either an amount or lines, not both: a line refund's amount is computed from the order.");
        }

        if (lines.Count == 0 || lines.Count > MaxLines)
        {
            v.Add("lines", $"Give between 1 and {MaxLines} lines.");
        }

        var valid = new List<RefundLineRequest>();
        for (var i = 0; i < Math.Min(lines.Count, MaxLines); i++)
        {
            var sku = v.Required($"lines[{i}].sku", lines[i]?.Sku, 64);
            var quantity = v.Quantity($"lines[{i}].quantity", lines[i]?.Quantity);
            valid.Add(new RefundLineRequest(null, sku, quantity));
        }

        return valid;
    }

    /// <summary>Refunds <paramref name="amount"/> of the order's captured payment through the gateway.</summary>
    public async Task<RefundView> RefundAsync(Guid orderId, decimal amount, string? reason, Actor actor, CancellationToken ct)
    {
        var payment = await RefundablePaymentAsync(orderId, amount, ct);
        var refund = NewRefund(orderId, payment, amount, reason, actor);
        await db.InTransactionAsync(async token =>
        {
            await ReserveAsync(payment, amount, token);
            db.Refunds.Add(refund);
        }, ct);

        return await SendAsync(refund, payment, actor, ct);
    }

    /// <summary>
    /// Refunds units of order lines: what they were charged after discounts, plus their tax
    /// (<see cref="LineRefunds"/>), never the undiscounted price. With the order locked, the units are
    /// counted on the lines and the amount reserved on the payment in one transaction.
    /// </summary>
    public async Task<RefundView> RefundLinesAsync(Guid orderId, IReadOnlyList<RefundLineRequest> requested, string? reason, Actor actor, CancellationToken ct)
    {
        var payment = await RefundablePaymentAsync(orderId, 0m, ct);
        var (refund, lines) = await db.InTransactionAsync(async token =>
        {
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var quote = LineRefunds.Quote(await CapturedLinesAsync(order, requested, token), requested);
            var amount = MinorUnits.FromMinor(quote.Total);
            foreach (var line in quote.Lines)
            {
                order.Lines.Single(l => l.Id.ToString() == line.LineId).RecordRefunded(line.Quantity, line.Sku, order.Number);
            }

            await ReserveAsync(payment, amount, token);
            var refund = NewRefund(orderId, payment, amount, reason, actor);
            var lines = quote.Lines.Select(l => new RefundLine
            {
                RefundId = refund.Id,
                OrderLineId = Guid.Parse(l.LineId),
                Sku = l.Sku,
                Quantity = l.Quantity,
                NetAmount = MinorUnits.FromMinor(l.NetAmount),
                TaxAmount = MinorUnits.FromMinor(l.Tax),
            }).ToList();
            db.Refunds.Add(refund);
            db.RefundLines.AddRange(lines);
            return (refund, lines);
        }, ct);

        return await SendAsync(refund, payment, actor, ct) with { Lines = RefundView.From(refund, payment.Currency, lines).Lines };
    }

    /// <summary>
    /// The order's lines as captured: net after discounts (less the tax when prices include it), tax,
    /// and what earlier line refunds that did not fail already took, so the last unit refunded
    /// returns exactly what is left of the line. Unknown SKUs and too many units are refused here.
    /// </summary>
    private async Task<IReadOnlyList<CapturedLine>> CapturedLinesAsync(Order order, IReadOnlyList<RefundLineRequest> requested, CancellationToken ct)
    {
        var lineIds = order.Lines.Select(l => l.Id).ToList();
        var taken = (await db.RefundLines
            .Where(r => lineIds.Contains(r.OrderLineId) && db.Refunds.Any(f => f.Id == r.RefundId && f.Status != RefundStatus.Failed))
            .Select(r => new { r.OrderLineId, r.NetAmount, r.TaxAmount }).ToListAsync(ct))
            .GroupBy(r => r.OrderLineId)
            .ToDictionary(g => g.Key, g => (Net: MinorUnits.ToMinor(g.Sum(r => r.NetAmount)), Tax: MinorUnits.ToMinor(g.Sum(r => r.TaxAmount))));

        foreach (var ask in requested.GroupBy(r => r.Sku!, StringComparer.OrdinalIgnoreCase))
        {
            var lines = order.Lines.Where(l => string.Equals(l.Sku, ask.Key, StringComparison.OrdinalIgnoreCase)).ToList();
            if (lines.Count == 0)
            {
                throw Errors.Unprocessable("refund_line_unknown", $"Order #{order.Number} has no line with SKU '{ask.Key}'.");
            }

            var left = lines.Sum(l => l.Quantity - l.RefundedQuantity);
            if (ask.Sum(r => r.Quantity) > left)
            {
                throw Errors.Unprocessable("refund_exceeds_quantity",
                    $"Cannot refund {ask.Sum(r => r.Quantity)} of '{ask.Key}': {left} are left to refund on order #{order.Number}.");
            }
        }

        return order.Lines.Select(l =>
        {
            var tax = MinorUnits.ToMinor(l.TaxAmount);
            var net = MinorUnits.ToMinor(l.NetTotal) - (order.PricesIncludeTax ? tax : 0);
            var before = taken.GetValueOrDefault(l.Id);
            return new CapturedLine(l.Id.ToString(), l.Sku, l.Quantity, net, tax, l.RefundedQuantity, before.Net, before.Tax);
        }).ToList();
    }

    private async Task<Payment> RefundablePaymentAsync(Guid orderId, decimal amount, CancellationToken ct) =>
        await db.Payments.AsNoTracking()
            .Where(p => p.OrderId == orderId && p.Status != PaymentRecordStatus.Pending && p.Status != PaymentRecordStatus.Authorized && p.Status != PaymentRecordStatus.Capturing && p.Status != PaymentRecordStatus.Voided)
            .OrderBy(p => p.CreatedAt).FirstOrDefaultAsync(ct)
            ?? throw Exceeds(amount, 0m, "Nothing has been captured on this order, so there is nothing to refund.");

    private Refund NewRefund(Guid orderId, Payment payment, decimal amount, string? reason, Actor actor) => new()
    {
        OrderId = orderId,
        PaymentId = payment.Id,
        Amount = amount,
        Reason = reason,
        Status = RefundStatus.Pending,
        Actor = actor.Name,
        CreatedAt = clock.GetUtcNow().UtcDateTime,
    };

    /// <summary>Holds the amount on the payment by one guarded UPDATE, inside the caller's transaction.</summary>
    private async Task ReserveAsync(Payment payment, decimal amount, CancellationToken ct)
    {
        var cents = MinorUnits.ToMinor(amount);
        var reserved = await db.Database.ExecuteSqlAsync(
            $"UPDATE payments SET refunded_amount = refunded_amount + {cents} WHERE id = {payment.Id} AND captured_amount - refunded_amount >= {cents}", ct);
        if (reserved == 0)
        {
            var left = await db.Payments.Where(p => p.Id == payment.Id).Select(p => new { p.CapturedAmount, p.RefundedAmount }).SingleAsync(ct);
            throw Exceeds(amount, left.CapturedAmount - left.RefundedAmount,
                $"Cannot refund {amount:0.00} {payment.Currency}: {left.CapturedAmount - left.RefundedAmount:0.00} of {left.CapturedAmount:0.00} captured is left to refund.");
        }
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
        var lines = (await db.RefundLines.AsNoTracking().Where(l => db.Refunds.Any(r => r.Id == l.RefundId && r.OrderId == orderId)).ToListAsync(ct))
            .ToLookup(l => l.RefundId);
        return refunds.Select(r => RefundView.From(r, currency, lines[r.Id])).ToList();
    }

    private async Task FailAsync(Refund refund, long cents, string message, Actor actor, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var order = await db.LoadOrderForUpdateAsync(refund.OrderId, token);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE payments SET refunded_amount = refunded_amount - {cents} WHERE id = {refund.PaymentId} AND refunded_amount >= {cents}", token);
            // A line refund's units go back to the lines, to be refunded another time.
            foreach (var line in await db.RefundLines.Where(l => l.RefundId == refund.Id).ToListAsync(token))
            {
                order.Lines.Single(l => l.Id == line.OrderLineId).ReleaseRefunded(line.Quantity);
            }

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

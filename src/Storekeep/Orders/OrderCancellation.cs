using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Orders;

public sealed record CancelOrderRequest(string? Reason);

/// <summary>
/// Cancelling an order before anything shipped: one transaction cancels it and releases every
/// outstanding reservation; after that commit Payments undoes the money
/// (<see cref="PaymentVoid.UndoForCancelledOrderAsync"/>). While a card capture is at the gateway
/// the cancel refuses (409 capture_in_progress; see PaymentCapture).
/// </summary>
public sealed class OrderCancellation(
    StorekeepDbContext db,
    OrderQueries orders,
    InventoryService inventory,
    PaymentCapture capture,
    PaymentVoid voids,
    TimeProvider clock)
{
    /// <summary>The cancellation reason of an unpaid manual order whose hold ran out.</summary>
    public const string PaymentTimeoutReason = "payment_timeout";

    public async Task<Order> CancelAsync(string orderRef, CancelOrderRequest? request, Actor actor, CancellationToken ct)
    {
        CardNumbers.Refuse(request?.Reason);
        var v = new Validation();
        var reason = v.Text("reason", request?.Reason, 500);
        v.ThrowIfInvalid();
        var orderId = await orders.ResolveIdAsync(orderRef, ct);

        await db.InTransactionAsync(async token =>
        {
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            // Under the order's lock, as capture claims its payment: a capture at the gateway right
            // now wins, and this cancel refuses rather than void an authorization being captured.
            await capture.EnsureNoneInProgressAsync(orderId, token);

            await CancelAndReleaseAsync(order, reason, actor, token);
        }, ct);

        await voids.UndoForCancelledOrderAsync(orderId, actor, ct);
        return await orders.GetAsync(orderId.ToString(), ct);
    }

    /// <summary>
    /// Cancels an order placed with a manual method that is still unpaid and unshipped, placed
    /// before <paramref name="placedBefore"/> (reason <see cref="PaymentTimeoutReason"/>, actor
    /// system). The conditions are checked again under the order's row lock, so of two nodes
    /// sweeping together, or a sweep racing "payment received", exactly one wins: false means the
    /// order had moved on (paid, shipped, cancelled) and nothing was written. A manual payment
    /// never reached a gateway, so nothing is voided or refunded.
    /// </summary>
    public async Task<bool> CancelUnpaidAsync(Guid orderId, DateTime placedBefore, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var order = await db.LoadOrderForUpdateAsync(orderId, token);
            var manualPaymentPending = await db.Payments.AnyAsync(
                p => p.OrderId == orderId && p.Method != PaymentMethod.Card && p.Method != PaymentMethod.Terms && p.Status == PaymentRecordStatus.Pending, token);
            if (order.Status != OrderStatus.Open || order.PaymentStatus != PaymentStatus.Pending ||
                order.FulfillmentStatus != FulfillmentStatus.Unfulfilled || order.CreatedAt >= placedBefore || !manualPaymentPending)
            {
                return false;
            }

            await CancelAndReleaseAsync(order, PaymentTimeoutReason, Actor.System, token);
            return true;
        }, ct);

    /// <summary>Cancels the locked order, releases what it still holds, and writes order.cancelled in the same transaction.</summary>
    private async Task CancelAndReleaseAsync(Order order, string? reason, Actor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        order.Cancel(reason, actor, now);
        var allocations = await db.OrderAllocations.Where(a => a.OrderId == order.Id).ToListAsync(ct);
        foreach (var allocation in allocations.Where(a => a.Outstanding > 0).OrderBy(a => a.Sku, StringComparer.Ordinal).ThenBy(a => a.WarehouseId))
        {
            var outstanding = allocation.Outstanding;
            await inventory.ReleaseAsync(new StockAllocation(allocation.WarehouseId, allocation.Sku, outstanding), $"order:{order.Number}", actor, ct);
            allocation.Release(outstanding);
        }
    }
}

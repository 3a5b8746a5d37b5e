using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;

namespace Storekeep.Checkout;

/// <summary>
/// Cancels orders placed with a manual method (bank transfer, cash on delivery; not terms, due by their invoice) that are still
/// unpaid and unshipped <see cref="UnpaidOrderPolicy.Hold"/> after they were placed, so unpaid
/// orders cannot hold stock forever. Every node sweeps; each cancellation is a guarded transition
/// under the order's lock (<see cref="OrderCancellation.CancelUnpaidAsync"/>), so an order is
/// cancelled once however many nodes find it, and a payment recorded first keeps it.
/// </summary>
public sealed partial class UnpaidOrderSweep(
    StorekeepDbContext db,
    OrderCancellation cancellation,
    UnpaidOrderPolicy policy,
    TimeProvider clock,
    ILogger<UnpaidOrderSweep> logger)
{
    private const int BatchSize = 200;

    /// <summary>One pass over the overdue orders; returns how many this call cancelled.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var placedBefore = clock.GetUtcNow().UtcDateTime - policy.Hold;
        var cancelled = 0;
        while (true)
        {
            // Oldest first, in batches; the candidates are only a hint, CancelUnpaidAsync decides.
            // Whatever a batch handled no longer matches, so the next batch starts from the top.
            var overdue = await db.Orders.AsNoTracking()
                .Where(o => o.Status == OrderStatus.Open && o.PaymentStatus == PaymentStatus.Pending
                    && o.FulfillmentStatus == FulfillmentStatus.Unfulfilled && o.CreatedAt < placedBefore)
                .Where(o => db.Payments.Any(p => p.OrderId == o.Id && p.Method != PaymentMethod.Card && p.Method != PaymentMethod.Terms && p.Status == PaymentRecordStatus.Pending))
                .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Select(o => new { o.Id, o.Number })
                .Take(BatchSize)
                .ToListAsync(ct);
            var cancelledNow = 0;
            foreach (var order in overdue)
            {
                if (await cancellation.CancelUnpaidAsync(order.Id, placedBefore, ct))
                {
                    cancelledNow++;
                    LogCancelled(order.Number);
                }
            }

            cancelled += cancelledNow;

            // A full batch this node won nothing of is another node's work (or moved on): next tick.
            if (overdue.Count < BatchSize || cancelledNow == 0)
            {
                return cancelled;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order #{Number} cancelled: not paid within the unpaid-order hold.")]
    private partial void LogCancelled(long number);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>discount.used: an order was placed with a discount (one event per discount applied).</summary>
public sealed record DiscountUsed(Guid DiscountId, string Title, string? Code, Guid OrderId, long OrderNumber, string Currency, decimal Amount, string Email) : IEvent
{
    public static string EventType => EventTypes.DiscountUsed;
}

/// <summary>
/// Usage limits that hold under concurrency. Inside the checkout transaction each applied discount
/// with a usage limit takes a use with a guarded UPDATE (<c>used_count + 1 … WHERE used_count &lt; usage_limit</c>),
/// and the same per customer, so of 20 checkouts racing for a single-use code exactly one commits;
/// the others roll back (no order, the cart intact, the card authorization voided). A cancelled or
/// fully refunded order gives its uses back once (<see cref="DiscountUseRelease"/>).
/// </summary>
public sealed class DiscountUsage(StorekeepDbContext db)
{
    /// <summary>Takes the uses of the order's applied discounts and stores its allocations; throws 409 discount_usage_limit_reached when one is used up.</summary>
    public async Task ReserveAsync(Order order, Totals totals, DateTime now, CancellationToken ct)
    {
        if (totals.Promotion is not { Applied.Count: > 0 } promotion)
        {
            return;
        }

        var customer = PromotionCandidates.CustomerKey(order.Email)!;
        var states = await StatesAsync([.. promotion.Applied.Select(a => a.DiscountId).Distinct().Order()], ct);
        foreach (var applied in promotion.Applied.OrderBy(a => a.DiscountId))
        {
            if (!states.TryGetValue(applied.DiscountId, out var state) || !state.Active)
            {
                throw NotActive(applied);
            }

            // Only a limited discount is counted on its row: the count is what the guarded update
            // checks, and the row lock it takes queues every checkout using that discount until
            // commit. An unlimited discount (most automatic ones) is only checked still active, so
            // its checkouts never queue on one row (the checkout-discounts bench: 0.44 → see
            // docs/performance.md). Its uses are the discount_uses rows.
            if (state.UsageLimit is not null)
            {
                var taken = await db.Set<DiscountDefinition>()
                    .Where(d => d.Id == applied.DiscountId && d.Status == DiscountStatus.Active && d.UsageLimit != null && d.UsedCount < d.UsageLimit)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.UsedCount, d => d.UsedCount + 1), ct);
                if (taken == 0)
                {
                    // Deactivated meanwhile, or used up: say which.
                    var active = await db.Set<DiscountDefinition>().AnyAsync(d => d.Id == applied.DiscountId && d.Status == DiscountStatus.Active, ct);
                    throw active ? UsedUp(applied, UsedUpMessage) : NotActive(applied);
                }
            }

            if (state.UsageLimitPerCustomer is { } limit)
            {
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO discount_customer_uses (discount_id, customer, uses) VALUES ({applied.DiscountId}, {customer}, 0) ON CONFLICT (discount_id, customer) DO NOTHING", ct);
                var mine = await db.Set<DiscountCustomerUse>()
                    .Where(u => u.DiscountId == applied.DiscountId && u.Customer == customer && u.Uses < limit)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.Uses, x => x.Uses + 1), ct);
                if (mine == 0)
                {
                    throw UsedUp(applied, "You have already used this discount as many times as it allows.");
                }
            }

            db.Set<DiscountUse>().Add(new DiscountUse
            {
                DiscountId = applied.DiscountId,
                OrderId = order.Id,
                Customer = customer,
                Currency = order.Currency,
                Amount = MinorUnits.FromMinor(applied.Amount),
                OrderTotal = order.Total,
                CreatedAt = now,
            });
            db.Raise(new DiscountUsed(applied.DiscountId, applied.Title, applied.Code, order.Id, order.Number, order.Currency, MinorUnits.FromMinor(applied.Amount), order.Email), now);
        }

        var lineIds = order.Lines.ToDictionary(l => l.Sku, l => l.Id, StringComparer.Ordinal);
        foreach (var line in promotion.Lines)
        {
            foreach (var allocation in line.Allocations.Where(a => a.Amount > 0))
            {
                db.Set<OrderDiscountAllocation>().Add(new OrderDiscountAllocation
                {
                    OrderId = order.Id, OrderLineId = lineIds[line.Sku], DiscountId = allocation.DiscountId, Amount = MinorUnits.FromMinor(allocation.Amount),
                });
            }
        }

        foreach (var allocation in promotion.ShippingAllocations.Where(a => a.Amount > 0))
        {
            db.Set<OrderDiscountAllocation>().Add(new OrderDiscountAllocation
            {
                OrderId = order.Id, DiscountId = allocation.DiscountId, Amount = MinorUnits.FromMinor(allocation.Amount),
            });
        }
    }

    /// <summary>
    /// The applied discounts' state, read in one statement. On PostgreSQL their rows are locked FOR
    /// KEY SHARE until the checkout commits, the lock the foreign key of the use's row takes anyway:
    /// checkouts do not wait for each other (nor for the guarded count of a limited one), but a limit
    /// being set on a discount (<see cref="Discounts"/> locks the row FOR UPDATE before counting the
    /// uses held) waits for them, so the count it starts from includes this use; and a limit set
    /// before this read is seen by it. SQLite's IMMEDIATE transactions already serialise the two.
    /// </summary>
    private async Task<Dictionary<Guid, DiscountState>> StatesAsync(Guid[] ids, CancellationToken ct)
    {
        var states = db.IsPostgres
            ? await db.Database.SqlQuery<DiscountState>(
                $"SELECT id AS \"Id\", status = 'active' AS \"Active\", usage_limit AS \"UsageLimit\", usage_limit_per_customer AS \"UsageLimitPerCustomer\" FROM discounts WHERE id = ANY({ids}) ORDER BY id FOR KEY SHARE")
                .ToListAsync(ct)
            : await db.Set<DiscountDefinition>().AsNoTracking().Where(d => ids.Contains(d.Id))
                .Select(d => new DiscountState(d.Id, d.Status == DiscountStatus.Active, d.UsageLimit, d.UsageLimitPerCustomer)).ToListAsync(ct);
        return states.ToDictionary(s => s.Id);
    }

    private sealed record DiscountState(Guid Id, bool Active, int? UsageLimit, int? UsageLimitPerCustomer);

    private const string UsedUpMessage = "The discount has been used as many times as it allows; the order was not placed and nothing was charged.";

    private static StorekeepException NotActive(AppliedDiscount applied) =>
        Errors.Conflict("discount_not_active", $"The discount '{applied.Code ?? applied.Title}' is no longer active; review the cart and try again.");

    private static StorekeepException UsedUp(AppliedDiscount applied, string message) =>
        Errors.Conflict("discount_usage_limit_reached", $"'{applied.Code ?? applied.Title}': {message}");

    /// <summary>Gives back the uses an order holds (once: each use row is released by a guarded update).</summary>
    public async Task ReleaseAsync(Guid orderId, DateTime now, CancellationToken ct)
    {
        var uses = await db.Set<DiscountUse>().AsNoTracking().Where(u => u.OrderId == orderId && u.ReleasedAt == null).ToListAsync(ct);
        foreach (var use in uses)
        {
            var released = await db.Set<DiscountUse>().Where(u => u.Id == use.Id && u.ReleasedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.ReleasedAt, now), ct);
            if (released == 0)
            {
                continue;
            }

            await db.Set<DiscountDefinition>().Where(d => d.Id == use.DiscountId && d.UsageLimit != null && d.UsedCount > 0)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.UsedCount, d => d.UsedCount - 1), ct);
            await db.Set<DiscountCustomerUse>().Where(u => u.DiscountId == use.DiscountId && u.Customer == use.Customer && u.Uses > 0)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Uses, x => x.Uses - 1), ct);
        }
    }
}

/// <summary>
/// The subscriber that gives an order's discount uses back when it is cancelled or refunded in
/// full (subscriber <c>discount-uses</c>, from the latest event: older orders hold no uses).
/// </summary>
public sealed class DiscountUseRelease(DiscountUsage usage, TimeProvider clock) : IEventHandler<OrderCancelled>, IEventHandler<RefundCreated>
{
    public const string SubscriberName = "discount-uses";

    public Task HandleAsync(OrderCancelled evt, EventContext context, CancellationToken ct) =>
        usage.ReleaseAsync(evt.OrderId, clock.GetUtcNow().UtcDateTime, ct);

    public Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct) =>
        evt.PaymentStatus == PaymentStatus.Refunded ? usage.ReleaseAsync(evt.OrderId, clock.GetUtcNow().UtcDateTime, ct) : Task.CompletedTask;
}

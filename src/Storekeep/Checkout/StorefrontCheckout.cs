using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Idempotency;
using Storekeep.Shared;

namespace Storekeep.Checkout;

public sealed record PlacedOrder(Guid OrderId, long Number, bool Replayed);

/// <summary>
/// The storefront's checkout form in front of <see cref="CheckoutService"/>. Every rendering of the
/// form carries a fresh attempt id; the first post of an attempt claims it with a unique insert
/// (the same table the API's Idempotency-Key uses), so a double-clicked submit, a resent form or
/// a second node racing the first all end at the one order the first post placed: one
/// authorization, one charge.
/// </summary>
public sealed class StorefrontCheckout(StorekeepDbContext db, CheckoutService checkout, TimeProvider clock)
{
    private const string Scope = "storefront:checkout";

    /// <summary>The order an earlier post of this attempt placed, if it did (the form was sent again after the cart was checked out).</summary>
    public async Task<PlacedOrder?> FindPlacedAsync(Guid attemptId, CancellationToken ct)
    {
        var key = attemptId.ToString("N");
        var location = await db.IdempotencyRecords.AsNoTracking()
            .Where(r => r.Scope == Scope && r.Key == key && r.Completed)
            .Select(r => r.Location).FirstOrDefaultAsync(ct);
        if (!Guid.TryParse(location, out var orderId))
        {
            return null;
        }

        var number = await db.Orders.Where(o => o.Id == orderId).Select(o => (long?)o.Number).SingleOrDefaultAsync(ct);
        return number is null ? null : new PlacedOrder(orderId, number.Value, Replayed: true);
    }

    public async Task<PlacedOrder> PlaceAsync(Guid cartId, Guid attemptId, CheckoutRequest request, Actor actor, CheckoutOrigin origin, CancellationToken ct)
    {
        var key = attemptId.ToString("N");
        var fingerprint = cartId.ToString("N");
        var now = clock.GetUtcNow().UtcDateTime;
        var record = new IdempotencyRecord { Scope = Scope, Key = key, Fingerprint = fingerprint, CreatedAt = now, LockedUntil = now.AddMinutes(2) };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Scope == Scope && r.Key == key, ct);
            if (existing.Fingerprint != fingerprint)
            {
                throw Errors.Conflict("checkout_attempt_reused", "This checkout form belongs to another cart; reload the page.");
            }

            if (existing.Completed && existing.Location is { } placed && Guid.TryParse(placed, out var orderId))
            {
                var number = await db.Orders.Where(o => o.Id == orderId).Select(o => o.Number).SingleAsync(ct);
                return new PlacedOrder(orderId, number, Replayed: true);
            }

            throw Errors.Conflict("checkout_in_progress", "Your order is being placed. Wait a moment, then reload the page.");
        }

        db.ChangeTracker.Clear();
        try
        {
            var order = await checkout.CheckoutAsync(cartId, request, actor, origin, ct);
            await db.IdempotencyRecords.Where(r => r.Id == record.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Completed, true)
                .SetProperty(r => r.StatusCode, 303)
                .SetProperty(r => r.Location, order.Id.ToString()), CancellationToken.None);
            return new PlacedOrder(order.Id, order.Number, Replayed: false);
        }
        catch
        {
            // Nothing was placed: the shopper may correct the form and send the same attempt again.
            await db.IdempotencyRecords.Where(r => r.Id == record.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }
}

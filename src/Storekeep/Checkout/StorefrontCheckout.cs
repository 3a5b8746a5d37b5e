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
public sealed class StorefrontCheckout(StorekeepDbContext db, IdempotencyLedger ledger, CheckoutService checkout, TimeProvider clock)
{
    private const string Scope = "storefront:checkout";

    /// <summary>The order an earlier post of this attempt placed, if it did (the form was sent again after the cart was checked out).</summary>
    public async Task<PlacedOrder?> FindPlacedAsync(Guid attemptId, CancellationToken ct)
    {
        var location = await ledger.CompletedLocationAsync(Scope, attemptId.ToString("N"), ct);
        if (!Guid.TryParse(location, out var orderId))
        {
            return null;
        }

        var number = await db.Orders.Where(o => o.Id == orderId).Select(o => (long?)o.Number).SingleOrDefaultAsync(ct);
        return number is null ? null : new PlacedOrder(orderId, number.Value, Replayed: true);
    }

    public async Task<PlacedOrder> PlaceAsync(Guid cartId, Guid attemptId, CheckoutRequest request, Actor actor, CheckoutOrigin origin, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claim = await ledger.ClaimAsync(Scope, attemptId.ToString("N"), cartId.ToString("N"), now, TimeSpan.FromMinutes(2), retakeAbandoned: false, ct);
        switch (claim.Outcome)
        {
            case ClaimOutcome.Mismatch:
                throw Errors.Conflict("checkout_attempt_reused", "This checkout form belongs to another cart; reload the page.");
            case ClaimOutcome.Completed when Guid.TryParse(claim.Existing!.Location, out var placedId):
                var number = await db.Orders.Where(o => o.Id == placedId).Select(o => o.Number).SingleAsync(ct);
                return new PlacedOrder(placedId, number, Replayed: true);
            case ClaimOutcome.Completed or ClaimOutcome.InProgress:
                throw Errors.Conflict("checkout_in_progress", "Your order is being placed. Wait a moment, then reload the page.");
        }

        try
        {
            var order = await checkout.CheckoutAsync(cartId, request, actor, origin, ct);
            await ledger.CompleteAsync(claim.RecordId, 303, contentType: null, order.Id.ToString(), body: null);
            return new PlacedOrder(order.Id, order.Number, Replayed: false);
        }
        catch
        {
            // Nothing was placed: the shopper may correct the form and send the same attempt again.
            await ledger.ForgetAsync(claim.RecordId);
            throw;
        }
    }
}

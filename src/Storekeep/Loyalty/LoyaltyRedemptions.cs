using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Loyalty;

/// <summary>
/// What checkout and cart pricing ask of Loyalty: what a cart's redemption is worth, and, inside
/// the checkout transaction, taking its points (one guarded update: a balance spent meanwhile
/// throws 422 insufficient_points and the whole checkout rolls back).
/// </summary>
public sealed class LoyaltyCheckout(StorekeepDbContext db, LoyaltyPrograms programs, LoyaltyLedger ledger)
{
    /// <summary>The cart's redeemed points and their worth in minor units of the store currency (points × pointValue); null when none, or the program is off.</summary>
    public async Task<(long Points, long Amount)?> RedemptionOfCartAsync(Guid cartId, CancellationToken ct)
    {
        var redemption = await db.Set<CartLoyaltyRedemption>().AsNoTracking().FirstOrDefaultAsync(r => r.CartId == cartId, ct);
        if (redemption is null)
        {
            return null;
        }

        var program = await programs.LoadAsync(ct);
        return program.Enabled ? (redemption.Points, AmountOf(program, redemption.Points)) : null;
    }

    /// <summary>Takes the cart's redeemed points for the order, in the caller's (checkout) transaction.</summary>
    public async Task RedeemAsync(Guid cartId, Guid orderId, DateTime now, CancellationToken ct)
    {
        var redemption = await db.Set<CartLoyaltyRedemption>().AsNoTracking().FirstOrDefaultAsync(r => r.CartId == cartId, ct);
        if (redemption is null || !(await programs.LoadAsync(ct)).Enabled)
        {
            return;
        }

        await ledger.PostAsync(redemption.CustomerId, LoyaltyEntryType.Redeem, -redemption.Points, orderId, $"redeem:{orderId}", null, null, now, ct);
    }

    public static long AmountOf(LoyaltyProgram program, long points) => points * MinorUnits.ToMinor(program.PointValue);
}

/// <summary>
/// <c>POST|DELETE /carts/{id}/loyalty-redemption</c>: the points a customer chooses to spend on a
/// cart. Checked against the balance when set (and again, by the guarded update, at checkout).
/// Changing it changes what the cart costs, so it bumps the cart's version.
/// </summary>
public sealed class LoyaltyRedemptions(StorekeepDbContext db, LoyaltyPrograms programs, CartService carts, TimeProvider clock)
{
    public async Task<CartView> SetAsync(Guid cartId, Guid customerId, LoyaltyRedemptionRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var points = v.Quantity("points", request.Points);
        v.ThrowIfInvalid();

        var program = await programs.LoadAsync(ct);
        if (!program.Enabled)
        {
            throw Errors.Unprocessable("loyalty_not_enabled", "The store has no loyalty program running.");
        }

        if (points < program.MinimumRedeemPoints)
        {
            throw Errors.Unprocessable("loyalty_minimum_not_met", $"At least {program.MinimumRedeemPoints} points must be redeemed at once.");
        }

        var balance = await db.Set<LoyaltyAccount>().AsNoTracking().Where(a => a.CustomerId == customerId).Select(a => a.Balance).SingleOrDefaultAsync(ct);
        if (points > balance)
        {
            throw LoyaltyLedger.InsufficientPoints(points, balance);
        }

        var cart = await carts.ViewAsync(cartId, ct);
        var worth = MinorUnits.FromMinor(LoyaltyCheckout.AmountOf(program, points));
        var current = await db.Set<CartLoyaltyRedemption>().AsNoTracking().Where(r => r.CartId == cartId).Select(r => (long?)r.Points).SingleOrDefaultAsync(ct);
        var currentWorth = current is { } c ? MinorUnits.FromMinor(LoyaltyCheckout.AmountOf(program, c)) : 0m;
        if (worth > cart.Subtotal - (cart.DiscountTotal - currentWorth))
        {
            throw Errors.Unprocessable("loyalty_redemption_too_large", $"{points} points are worth {worth:0.00}, more than the cart after its discounts.");
        }

        await db.InTransactionAsync(async token =>
        {
            await carts.BumpVersionAsync(cartId, token, priceAdjusted: true);
            var now = clock.GetUtcNow().UtcDateTime;
            var row = await db.Set<CartLoyaltyRedemption>().FirstOrDefaultAsync(r => r.CartId == cartId, token);
            if (row is null)
            {
                db.Add(new CartLoyaltyRedemption { CartId = cartId, CustomerId = customerId, Points = points, UpdatedAt = now });
            }
            else
            {
                row.CustomerId = customerId;
                row.Points = points;
                row.UpdatedAt = now;
            }

            await db.SaveChangesAsync(token);
        }, ct);
        return await carts.ViewAsync(cartId, ct);
    }

    public async Task<CartView> RemoveAsync(Guid cartId, CancellationToken ct)
    {
        await db.InTransactionAsync(async token =>
        {
            await carts.BumpVersionAsync(cartId, token);
            var removed = await db.Set<CartLoyaltyRedemption>().Where(r => r.CartId == cartId).ExecuteDeleteAsync(token);
            if (removed == 0)
            {
                throw new StorekeepException(ErrorKind.NotFound, "not_found", "No points are redeemed on this cart.");
            }
        }, ct);
        return await carts.ViewAsync(cartId, ct);
    }

    /// <summary>The customer whose email the cart carries (a staff caller redeeming for them); null when there is none.</summary>
    public async Task<Guid?> CustomerOfCartAsync(Guid cartId, CancellationToken ct)
    {
        var email = await db.Carts.AsNoTracking().Where(c => c.Id == cartId).Select(c => c.Email).FirstOrDefaultAsync(ct);
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var key = email.Trim().ToLowerInvariant();
        return await db.Set<Customers.Customer>().AsNoTracking().Where(c => c.Email == key).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
    }
}

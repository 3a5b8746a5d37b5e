using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>
/// Codes a shopper enters on a cart. A code is kept only if it applies to the cart now; otherwise
/// the answer says why (422 with the contract's reason code). Entering or removing a code changes
/// what the cart costs, so it bumps the cart's version like any other change to it.
/// </summary>
public sealed class CartDiscountCodes(StorekeepDbContext db, CartService carts, TimeProvider clock)
{
    public async Task<CartView> AddAsync(Guid cartId, DiscountCodeRequest request, CancellationToken ct)
    {
        CardNumbers.Refuse(request.Code);
        var v = new Validation();
        var entered = v.Required("code", request.Code, DiscountDefinition.CodeMaxLength);
        v.ThrowIfInvalid();
        var code = DiscountDefinition.KeyOf(entered)!;

        var trial = await carts.ViewAsync(cartId, ct, withCode: code);
        if (trial.Status != CartStatus.Active)
        {
            throw Errors.Conflict("cart_not_active", "This cart has been checked out; create a new cart.");
        }

        var outcome = trial.DiscountCodes.First(c => c.Code == code);
        if (!outcome.Applied)
        {
            throw Refusal(outcome.Rejection ?? DiscountRejection.CodeUnknown, entered, atCheckout: false);
        }

        await db.InTransactionAsync(async token =>
        {
            await carts.BumpVersionAsync(cartId, token, priceAdjusted: true);
            if (!await db.Set<CartDiscountCode>().AnyAsync(c => c.CartId == cartId && c.Code == code, token))
            {
                db.Set<CartDiscountCode>().Add(new CartDiscountCode { CartId = cartId, Code = code, AddedAt = clock.GetUtcNow().UtcDateTime });
                await db.SaveChangesAsync(token);
            }
        }, ct);
        return await carts.ViewAsync(cartId, ct);
    }

    public async Task<CartView> RemoveAsync(Guid cartId, string code, CancellationToken ct)
    {
        var key = DiscountDefinition.KeyOf(code) ?? "";
        await db.InTransactionAsync(async token =>
        {
            await carts.BumpVersionAsync(cartId, token);
            var removed = await db.Set<CartDiscountCode>().Where(c => c.CartId == cartId && c.Code == key).ExecuteDeleteAsync(token);
            if (removed == 0)
            {
                throw new StorekeepException(ErrorKind.NotFound, "not_found", $"The code '{code}' is not on this cart.");
            }
        }, ct);
        return await carts.ViewAsync(cartId, ct);
    }

    /// <summary>
    /// The problem for a code that does not apply: 422 with the contract's reason when entering it;
    /// at checkout the same, but 409 when it was used up meanwhile (a race lost, as the contract says).
    /// </summary>
    public static StorekeepException Refusal(DiscountRejection reason, string code, bool atCheckout)
    {
        var then = atCheckout ? " Remove the code from the cart to check out without it." : "";
        return reason switch
        {
            DiscountRejection.NotActive => Errors.Unprocessable("discount_not_active", $"The code '{code}' is not active now (expired, not started yet, or switched off).{then}"),
            DiscountRejection.UsageLimitReached when atCheckout => Errors.Conflict("discount_usage_limit_reached", $"The code '{code}' has been used as many times as it allows; the order was not placed and nothing was charged.{then}"),
            DiscountRejection.UsageLimitReached => Errors.Unprocessable("discount_usage_limit_reached", $"The code '{code}' has been used as many times as it allows."),
            DiscountRejection.MinimumNotMet => Errors.Unprocessable("discount_minimum_not_met", $"The cart does not meet the conditions of '{code}' (its minimum, or the products it is for).{then}"),
            DiscountRejection.NotCombinable => Errors.Unprocessable("discount_not_combinable", $"The code '{code}' cannot be combined with a better discount the cart already has.{then}"),
            _ => Errors.Unprocessable("discount_code_unknown", $"There is no discount code '{code}'.{then}"),
        };
    }
}

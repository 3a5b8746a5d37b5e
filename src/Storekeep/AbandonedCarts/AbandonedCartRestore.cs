using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.AbandonedCarts;

/// <summary>
/// The reminder's link (<c>/cart/restore/{token}</c>): finds the cart the token was sent for, on
/// any device, and applies the step's discount code to it when the cart takes it.
/// </summary>
public sealed class AbandonedCartRestore(StorekeepDbContext db, CartDiscountCodes codes)
{
    /// <summary>The cart to make the browser's current cart, or null for an unknown token or a cart already checked out.</summary>
    public async Task<Guid?> RestoreAsync(string? token, CancellationToken ct)
    {
        if (token is not { Length: AbandonedCartEmail.TokenLength } || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        var sent = await db.Set<AbandonedCartEmail>().AsNoTracking().Where(e => e.Token == token).Select(e => new { e.CartId, e.DiscountId }).FirstOrDefaultAsync(ct);
        if (sent is null || !await db.Carts.AnyAsync(c => c.Id == sent.CartId && c.Status == CartStatus.Active, ct))
        {
            return null;
        }

        if (sent.DiscountId is { } discountId
            && await db.Set<DiscountDefinition>().AsNoTracking().Where(d => d.Id == discountId).Select(d => d.Code).FirstOrDefaultAsync(ct) is { } code)
        {
            try
            {
                await codes.AddAsync(sent.CartId, new DiscountCodeRequest(code), ct);
            }
            catch (StorekeepException)
            {
                // The code does not apply now (expired, used up, minimum not met): the cart is restored without it.
            }
        }

        return sent.CartId;
    }
}

using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>
/// "Add 12.00 more for free shipping": how much more the cart must cost before shipping becomes
/// free, either by the shipping method's free-over threshold (measured, as the price calculator
/// does, on the subtotal after line discounts) or by an active automatic free_shipping discount
/// with a minimum subtotal (measured, as the engine does, on the subtotal before discounts).
/// Only discounts on every line are considered: the cart page does not know line categories.
/// </summary>
public static class FreeShippingHint
{
    /// <param name="shippingCharged">What shipping costs the cart now, after its discounts; 0 means there is nothing to hint.</param>
    /// <param name="subtotal">The cart's subtotal before discounts.</param>
    /// <param name="lineDiscountTotal">What discounts take off the lines.</param>
    /// <param name="methodFreeOver">The chosen shipping method's free-over threshold, if any.</param>
    /// <param name="candidates">The discounts the cart may get (automatic ones are considered here).</param>
    /// <param name="customer">Who buys, for discounts limited to some customers.</param>
    /// <param name="now">When the discount dates are checked.</param>
    /// <returns>The smallest positive amount still missing, or null when shipping is free or no threshold is in reach.</returns>
    public static decimal? AmountMissing(
        decimal shippingCharged,
        decimal subtotal,
        decimal lineDiscountTotal,
        decimal? methodFreeOver,
        IEnumerable<Discount> candidates,
        PromotionCustomer customer,
        DateTime now)
    {
        if (shippingCharged <= 0m)
        {
            return null;
        }

        var missing = new List<decimal>();
        if (methodFreeOver is { } threshold)
        {
            missing.Add(threshold - (subtotal - lineDiscountTotal));
        }

        foreach (var discount in candidates)
        {
            if (discount is { IsAutomatic: true, Type: DiscountType.FreeShipping, Status: DiscountStatus.Active, AppliesTo.All: true, MinimumSubtotal: { } minimum }
                && discount.MinimumQuantity is null
                && !(discount.StartsAt > now) && !(discount.EndsAt <= now)
                && discount.Customers.Allows(customer)
                && !(discount.RemainingUses <= 0) && !(discount.RemainingUsesForCustomer <= 0))
            {
                missing.Add(MinorUnits.FromMinor(minimum) - subtotal);
            }
        }

        var positive = missing.Where(m => m > 0m).ToList();
        return positive.Count == 0 ? null : positive.Min();
    }
}

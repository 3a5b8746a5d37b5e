using Storekeep.Checkout;

namespace Storekeep.Web.Storefront.Cart;

/// <summary>
/// "You save X" on the cart: its discounts, plus what its lines cost below their compare-at prices
/// or, for a buyer's company prices, below their regular prices (whichever is higher).
/// </summary>
public static class CartSavings
{
    public static decimal Of(CartView cart) =>
        cart.DiscountTotal + cart.Items.Sum(l => Math.Max(l.CompareAtPrice ?? 0m, l.RegularPrice) is var was && was > l.UnitPrice ? (was - l.UnitPrice) * l.Quantity : 0m);
}

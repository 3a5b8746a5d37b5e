using Storekeep.Checkout;

namespace Storekeep.Web.Storefront.Cart;

/// <summary>"You save X" on the cart: its discounts, plus what its lines cost below their compare-at prices.</summary>
public static class CartSavings
{
    public static decimal Of(CartView cart) =>
        cart.DiscountTotal + cart.Items.Sum(l => l.CompareAtPrice is { } was && was > l.UnitPrice ? (was - l.UnitPrice) * l.Quantity : 0m);
}

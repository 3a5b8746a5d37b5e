namespace Storekeep.Checkout;

/// <summary>
/// Who is shopping in this scope: the storefront account signed in on the request (cookie
/// sign-in), set by the web host before any endpoint or page runs; null for guests, API keys and
/// background work. A cart is priced for it when viewed or quoted (a buyer of a company with a
/// price list pays the list's prices): the cart has no owner of its own, so a cart filled as a
/// guest takes the buyer's prices as soon as the buyer signs in, and loses them on signing out.
/// </summary>
public sealed class CartShopper
{
    public Guid? AccountId { get; set; }
}

using Storekeep.Checkout;
using Storekeep.Shared;

namespace Storekeep.Web.Storefront.Cart;

/// <summary>
/// The shopper's cart id in an HTTP-only cookie. The id only finds the cart (it is as unguessable
/// as the API's cart ids); it proves nothing else.
/// </summary>
public static class CartCookie
{
    public const string Name = "storekeep.cart";

    public static Guid? Read(HttpContext http) =>
        Guid.TryParse(http.Request.Cookies[Name], out var id) ? id : null;

    public static void Write(HttpContext http, Guid cartId) =>
        http.Response.Cookies.Append(Name, cartId.ToString("N"), Options(http, DateTimeOffset.UtcNow.AddDays(30)));

    public static void Clear(HttpContext http) =>
        http.Response.Cookies.Delete(Name, Options(http, null));

    /// <summary>The browser's active cart, or null when it has none (or it was checked out).</summary>
    public static async Task<CartView?> CurrentAsync(HttpContext http, CartService carts, CancellationToken ct)
    {
        if (Read(http) is not { } id)
        {
            return null;
        }

        try
        {
            var cart = await carts.ViewAsync(id, ct);
            return cart.Status == CartStatus.Active ? cart : null;
        }
        catch (StorekeepException e) when (e.Kind == ErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>The active cart's id, creating a cart (and the cookie) when there is none.</summary>
    public static async Task<Guid> EnsureAsync(HttpContext http, CartService carts, CancellationToken ct)
    {
        if (await CurrentAsync(http, carts, ct) is { } cart)
        {
            return cart.Id;
        }

        var created = await carts.CreateAsync(null, ct);
        Write(http, created.Id);
        return created.Id;
    }

    private static CookieOptions Options(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
        Expires = expires,
    };
}

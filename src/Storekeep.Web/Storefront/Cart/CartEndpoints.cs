using Microsoft.AspNetCore.Mvc;
using Storekeep.Analytics;
using Storekeep.Checkout;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Storefront.Cart;

/// <summary>
/// The storefront's cart forms (product page "Add to cart", the cart page's update and remove).
/// [FromForm] makes ASP.NET Core validate the antiforgery token (400 without it), except on /cart/add:
/// its form is on the product page, output-cached for every guest, so it carries no per-visitor token
/// and the request's origin is checked instead (<see cref="SameOriginPosts"/>). Every outcome is
/// a 303 to /cart; a refusal carries a code the cart page turns into a message, never a 500.
/// </summary>
public static class CartEndpoints
{
    public static IEndpointRouteBuilder MapStorefrontCartEndpoints(this IEndpointRouteBuilder app)
    {
        var cart = app.MapGroup("/cart").RequireRateLimiting(StorekeepApp.PublicRateLimit).ExcludeFromDescription();
        cart.MapPost("/add", AddAsync).RequireSameOrigin(); // no token: see SameOriginPosts
        cart.MapPost("/update", UpdateAsync);
        cart.MapPost("/remove", RemoveAsync);
        cart.MapPost("/discount", AddDiscountCodeAsync);
        cart.MapPost("/email", SetEmailAsync);
        cart.MapPost("/discount/remove", RemoveDiscountCodeAsync);
        return app;
    }

    private static async Task<IResult> AddAsync([FromForm] string? sku, [FromForm] string? quantity, HttpContext http, CartService carts, IStorefrontEvents events, CancellationToken ct)
    {
        var units = ParseQuantity(quantity, defaultValue: 1);
        if (string.IsNullOrWhiteSpace(sku) || units is null or < 1)
        {
            return SeeOther(Refused("invalid_quantity", sku));
        }

        Guid cartId;
        try
        {
            cartId = await CartCookie.EnsureAsync(http, carts, ct);
            await carts.AddItemAsync(cartId, new CartItemRequest(sku.Trim(), units), ct);
        }
        catch (StorekeepException e)
        {
            return SeeOther(Refused(e, sku));
        }

        await events.RecordAsync(http, StorefrontEventTypes.AddedToCart, sku: sku.Trim(), cartId: cartId);
        return SeeOther("/cart");
    }

    private static async Task<IResult> UpdateAsync([FromForm] string? sku, [FromForm] string? quantity, HttpContext http, CartService carts, CancellationToken ct)
    {
        var units = ParseQuantity(quantity, defaultValue: null);
        if (string.IsNullOrWhiteSpace(sku) || units is null or < 0)
        {
            return SeeOther(Refused("invalid_quantity", sku));
        }

        return await ChangeAsync(http, carts, sku, (cartId, line) => carts.SetQuantityAsync(cartId, line, new CartItemQuantityRequest(units), ct), ct);
    }

    private static Task<IResult> RemoveAsync([FromForm] string? sku, HttpContext http, CartService carts, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(sku)
            ? Task.FromResult(SeeOther("/cart"))
            : ChangeAsync(http, carts, sku, (cartId, line) => carts.RemoveItemAsync(cartId, line, ct), ct);

    /// <summary>A code the cart does not take comes back as the problem's code (discount_code_unknown, …) for the cart page to explain.</summary>
    private static async Task<IResult> AddDiscountCodeAsync([FromForm] string? code, HttpContext http, CartDiscountCodes codes, CancellationToken ct)
    {
        var entered = (code ?? "").Trim();
        if (CartCookie.Read(http) is not { } cartId || entered.Length == 0)
        {
            return SeeOther(entered.Length == 0 ? "/cart?error=discount_code_missing" : "/cart");
        }

        try
        {
            await codes.AddAsync(cartId, new DiscountCodeRequest(entered), ct);
        }
        catch (StorekeepException e)
        {
            var reason = e switch
            {
                RequestValidationException => "discount_code_invalid",
                { Code: "cart_not_active" } => e.Code,
                { Code: var c } when c.StartsWith("discount_", StringComparison.Ordinal) => c,
                _ => "cart_error",
            };
            return SeeOther($"/cart?error={reason}&code={Uri.EscapeDataString(entered[..Math.Min(entered.Length, 64)])}");
        }

        return SeeOther($"/cart?applied={Uri.EscapeDataString(DiscountDefinition.KeyOf(entered) ?? entered)}");
    }

    /// <summary>The shopper's email on the cart (abandoned-cart reminders go to it); a bad address comes back as invalid_email.</summary>
    private static async Task<IResult> SetEmailAsync([FromForm] string? email, HttpContext http, CartService carts, CancellationToken ct)
    {
        if (CartCookie.Read(http) is not { } cartId)
        {
            return SeeOther("/cart");
        }

        try
        {
            await carts.UpdateAsync(cartId, new UpdateCartRequest(email), ct);
        }
        catch (StorekeepException e)
        {
            return SeeOther($"/cart?error={(e is RequestValidationException ? "invalid_email" : e.Code == "cart_not_active" ? e.Code : "cart_error")}");
        }

        return SeeOther("/cart?saved=email");
    }

    private static async Task<IResult> RemoveDiscountCodeAsync([FromForm] string? code, HttpContext http, CartDiscountCodes codes, CancellationToken ct)
    {
        if (CartCookie.Read(http) is not { } cartId || string.IsNullOrWhiteSpace(code))
        {
            return SeeOther("/cart");
        }

        try
        {
            await codes.RemoveAsync(cartId, code.Trim(), ct);
        }
        catch (StorekeepException e)
        {
            return SeeOther($"/cart?error={(e.Code == "cart_not_active" ? e.Code : "cart_error")}");
        }

        return SeeOther("/cart");
    }

    private static async Task<IResult> ChangeAsync(HttpContext http, CartService carts, string sku, Func<Guid, string, Task<CartView>> change, CancellationToken ct)
    {
        if (CartCookie.Read(http) is not { } cartId)
        {
            return SeeOther("/cart");
        }

        try
        {
            await change(cartId, sku.Trim());
        }
        catch (StorekeepException e)
        {
            return SeeOther(Refused(e, sku));
        }

        return SeeOther("/cart");
    }

    private static int? ParseQuantity(string? text, int? defaultValue) =>
        string.IsNullOrWhiteSpace(text) ? defaultValue
        : int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= Validation.MaxQuantity ? n
        : null;

    private static string Refused(StorekeepException e, string? sku)
    {
        var code = e switch
        {
            RequestValidationException => "invalid_quantity",
            { Code: "insufficient_stock" or "unknown_sku" or "cart_full" or "cart_not_active" } => e.Code,
            { Kind: ErrorKind.NotFound } => "not_in_cart",
            _ => "cart_error",
        };
        var available = e.Extensions.GetValueOrDefault("available") is { } a ? $"&available={a}" : "";
        return Refused(code, sku) + available;
    }

    private static string Refused(string code, string? sku) =>
        $"/cart?error={code}" + (string.IsNullOrWhiteSpace(sku) ? "" : "&sku=" + Uri.EscapeDataString(sku.Trim()[..Math.Min(sku.Trim().Length, 64)]));

    /// <summary>303: the browser follows with a GET, so reloading /cart never re-posts the form.</summary>
    private static IResult SeeOther(string url) => new SeeOtherResult(url);

    private sealed class SeeOtherResult(string url) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}

using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Storefront;

namespace Storekeep.Web.Storefront;

/// <summary>
/// Records a funnel step of the current storefront session. One insert on its own connection,
/// outside whatever the request is doing; a failure is logged and never reaches the shopper.
/// </summary>
public interface IStorefrontEvents
{
    Task RecordAsync(HttpContext http, string type, Guid? productId = null, string? sku = null, Guid? cartId = null, Guid? orderId = null);
}

public sealed class StorefrontEvents(IServiceScopeFactory scopes, TimeProvider clock, ILogger<StorefrontEvents> logger) : IStorefrontEvents
{
    public const string SessionCookie = "storekeep.sid";
    private const string SessionItem = "storekeep.session-id";

    /// <summary>The browser's storefront session id: from its cookie, or new (and set) when it has none.</summary>
    public static string SessionId(HttpContext http) => Session(http).Id;

    internal static (string Id, bool IsNew) Session(HttpContext http)
    {
        if (http.Items[SessionItem] is (string known, bool wasNew))
        {
            return (known, wasNew);
        }

        var cookie = http.Request.Cookies[SessionCookie];
        (string, bool) session;
        if (cookie is { Length: 32 } && cookie.All(char.IsAsciiHexDigitLower))
        {
            session = (cookie, false);
        }
        else
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            if (!http.Response.HasStarted)
            {
                // A browser-session cookie: closing the browser ends the session.
                http.Response.Cookies.Append(SessionCookie, id, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = http.Request.IsHttps,
                    Path = "/",
                    IsEssential = true,
                });
            }

            session = (id, true);
        }

        http.Items[SessionItem] = session;
        return session;
    }

    public async Task RecordAsync(HttpContext http, string type, Guid? productId = null, string? sku = null, Guid? cartId = null, Guid? orderId = null)
    {
        try
        {
            var session = SessionId(http);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            db.StorefrontEvents.Add(new StorefrontEvent
            {
                SessionId = session,
                Type = type,
                ProductId = productId,
                Sku = sku is { Length: > 64 } ? sku[..64] : sku,
                CartId = cartId,
                OrderId = orderId,
                OccurredAt = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record storefront event {Type}.", type);
        }
    }

    /// <summary>A product page was served: resolve its slug to the product and record the view.</summary>
    internal async Task RecordProductViewAsync(HttpContext http, string slug)
    {
        Guid? productId = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            productId = await db.Products.AsNoTracking().Where(p => p.Slug == slug).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not resolve product slug for a view.");
        }

        await RecordAsync(http, StorefrontEventTypes.ProductViewed, productId);
    }
}

/// <summary>
/// Gives storefront page requests a session and records product page views. It runs before the
/// output cache, so a product page served from the cache still counts as viewed.
/// </summary>
public sealed class StorefrontSessionMiddleware(RequestDelegate next, StorefrontEvents events)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !IsStorefrontPage(context.Request.Path))
        {
            await next(context);
            return;
        }

        var (_, isNew) = StorefrontEvents.Session(context);
        await next(context);
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            return;
        }

        if (isNew)
        {
            await events.RecordAsync(context, StorefrontEventTypes.SessionStarted);
        }

        if (ProductSlug(context.Request.Path) is { } slug)
        {
            await events.RecordProductViewAsync(context, slug);
        }
    }

    private static bool IsStorefrontPage(PathString path) =>
        path == "/" || path.StartsWithSegments("/p") || path.StartsWithSegments("/c") || path.StartsWithSegments("/search") ||
        path.StartsWithSegments("/cart") || path.StartsWithSegments("/checkout") || path.StartsWithSegments("/account");

    /// <summary>The slug of <c>/p/{slug}</c>, nothing for deeper or other paths.</summary>
    internal static string? ProductSlug(PathString path)
    {
        if (!path.StartsWithSegments("/p", out var rest) || !rest.HasValue)
        {
            return null;
        }

        var slug = rest.Value!.TrimStart('/');
        return slug.Length is > 0 and <= 200 && !slug.Contains('/', StringComparison.Ordinal) ? slug : null;
    }
}

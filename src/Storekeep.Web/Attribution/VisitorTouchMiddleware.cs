using Storekeep.Attribution;
using Storekeep.Web.Storefront;

namespace Storekeep.Web.Attribution;

/// <summary>The long-lived first-party cookie that recognises a returning browser, so a visit weeks ago can be an order's first touch.</summary>
public static class VisitorCookie
{
    public const string Name = "storekeep.vid";

    /// <summary>How long a browser is recognised; touches count only within <see cref="Touches.Window"/> of an order.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>The visitor id the browser sent, if it is one of ours, or the one this request just gave it.</summary>
    public static string? Read(HttpContext http) =>
        http.Items[Name] as string ?? (http.Request.Cookies[Name] is { } id && StorefrontEvents.IsCookieId(id) ? id : null);

    internal static string Ensure(HttpContext http)
    {
        if (Read(http) is { } known)
        {
            return known;
        }

        var id = StorefrontEvents.NewCookieId();
        http.Response.Cookies.Append(Name, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/",
            IsEssential = true,
            MaxAge = Lifetime,
        });
        http.Items[Name] = id; // later middleware (experiments) sees the new visitor on its first page
        return id;
    }
}

/// <summary>
/// Keeps the channel of each storefront visit (docs/marketing.md): on a session's first page, and on
/// any page reached by a campaign link (UTM tags), before the page is served. A failure to record is
/// logged and never stops the page.
/// </summary>
public sealed class VisitorTouchMiddleware(RequestDelegate next, ILogger<VisitorTouchMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, Touches touches, TimeProvider clock)
    {
        if (HttpMethods.IsGet(context.Request.Method) && StorefrontSessionMiddleware.IsStorefrontPage(context.Request.Path))
        {
            var (sessionId, isNew) = StorefrontEvents.Session(context);
            var query = context.Request.Query;
            var tagged = !string.IsNullOrWhiteSpace(query["utm_source"]);
            var visitor = VisitorCookie.Ensure(context);
            if (isNew || tagged)
            {
                var touch = Touches.Classify(query["utm_source"], query["utm_medium"], query["utm_campaign"],
                    context.Request.Headers.Referer.ToString(), context.Request.Host.Host, clock.GetUtcNow().UtcDateTime);
                try
                {
                    await touches.RecordAsync(visitor, sessionId, touch, isNew, context.RequestAborted);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not record the visit's touch ({Source}/{Medium}).", touch.Source, touch.Medium);
                }
            }
        }

        await next(context);
    }
}

namespace Storekeep.Web.Storefront;

/// <summary>
/// Cross-site request forgery protection without a per-visitor token, for the storefront POSTs made
/// from pages that are output-cached for every guest (add to cart, recently viewed): a token in a
/// shared page would be someone else's. A browser says where a request comes from: Sec-Fetch-Site
/// (every current browser) or else Origin (sent with every cross-origin POST). A request that names
/// a different site is refused; one with neither header is not from a browser page, so it cannot ride
/// a visitor's cookies. The cart cookie is also SameSite=Lax, so a cross-site POST never carries it.
/// Forms that act for a signed-in person (checkout, account, cart changes) keep their antiforgery token.
/// </summary>
public static class SameOriginPosts
{
    /// <summary>Whether the request says it comes from another site (or an opaque origin).</summary>
    public static bool IsCrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            // "none" is the person's own doing (typed address, bookmark); "same-site" would let a sibling subdomain in.
            return fetchSite is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var from)
            || !string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Refuses a cross-site POST with a 403 problem (code <c>cross_site_request</c>) before the endpoint runs.</summary>
    public static RouteHandlerBuilder RequireSameOrigin(this RouteHandlerBuilder endpoint) =>
        endpoint.DisableAntiforgery().AddEndpointFilter(static (context, next) =>
            IsCrossSite(context.HttpContext.Request)
                ? ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "This form can only be sent from this shop's own pages; open the product page and try again.",
                    extensions: new Dictionary<string, object?> { ["code"] = "cross_site_request" }))
                : next(context));
}

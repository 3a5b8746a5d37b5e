using System.Globalization;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Catalog;

namespace Storekeep.Web.Storefront;

/// <summary>The storefront's non-page URLs: sitemap, robots.txt and generated product pictures.</summary>
public static class StorefrontEndpoints
{
    private const string SitemapNs = "http://www.sitemaps.org/schemas/sitemap/0.9";

    public static IEndpointRouteBuilder MapStorefrontEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/robots.txt", Robots).ExcludeFromDescription().CacheOutput(StorefrontCache.PolicyName);
        app.MapGet("/sitemap.xml", SitemapAsync).ExcludeFromDescription().CacheOutput(StorefrontCache.PolicyName);
        app.MapGet("/sitemap-{part:int}.xml", SitemapPartAsync).ExcludeFromDescription().CacheOutput(StorefrontCache.PolicyName);
        app.MapGet("/images/products/{slug}.svg", Placeholder).ExcludeFromDescription();
        app.MapPost("/recently-viewed", RecentlyViewedAsync).ExcludeFromDescription().RequireSameOrigin();
        return app;
    }

    /// <summary>
    /// Records that this visitor viewed <paramref name="product"/> and answers their other recently
    /// viewed products as an HTML fragment (js/recently-viewed.js puts it on the cached product page).
    /// Without the visitor cookie, or with a product id that is not one, an empty answer.
    /// </summary>
    private static async Task<IResult> RecentlyViewedAsync(string? product, HttpContext http, StorefrontCatalog catalog,
        Storekeep.Recommendations.RecentlyViewed recentlyViewed, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!Guid.TryParse(product, out var productId) || Attribution.VisitorCookie.Read(http) is not { } visitor)
        {
            return Results.NoContent();
        }

        try
        {
            await recentlyViewed.RecordAsync(visitor, productId, ct);
            var cards = await catalog.CardsAsync(await recentlyViewed.ListAsync(visitor, productId, ct), ct);
            if (cards.Count == 0)
            {
                return Results.NoContent();
            }

            return new RazorComponentResult<RecentlyViewedSection>(new { Products = cards, Currency = await catalog.CurrencyAsync(ct) });
        }
        catch (System.Data.Common.DbException)
        {
            // Recommendations are extras: a busy database costs the shopper only this list.
            return Results.NoContent();
        }
    }

    private static IResult Robots(HttpContext context)
    {
        var text = new StringBuilder()
            .Append("User-agent: *\n")
            .Append("Allow: /\n")
            .Append("Disallow: /admin\n")
            .Append("Disallow: /cart\n")
            .Append("Disallow: /checkout\n")
            .Append("Disallow: /account\n")
            .Append("Disallow: /api\n")
            .Append("Sitemap: ").Append(StorefrontText.Absolute(context, "/sitemap.xml")).Append('\n')
            .ToString();
        return Results.Text(text, "text/plain; charset=utf-8");
    }

    /// <summary>
    /// One file while home, categories and products fit in the protocol's 50,000 URLs; beyond that
    /// an index pointing at /sitemap-0.xml (home and categories) and /sitemap-N.xml (products).
    /// </summary>
    private static async Task SitemapAsync(HttpContext context, StorefrontCatalog catalog, CancellationToken ct)
    {
        var categories = await catalog.CategoriesAsync(ct);
        var products = await catalog.ActiveProductCountAsync(ct);
        await using var xml = await StartXmlAsync(context);
        if (1 + categories.Count + products <= StorefrontCatalog.SitemapMaxUrls)
        {
            await xml.WriteStartElementAsync(null, "urlset", SitemapNs);
            await WritePagesAsync(xml, context, categories);
            await WriteProductsAsync(xml, context, catalog.SitemapProducts(0, products), ct);
        }
        else
        {
            await xml.WriteStartElementAsync(null, "sitemapindex", SitemapNs);
            var parts = (products + StorefrontCatalog.SitemapMaxUrls - 1) / StorefrontCatalog.SitemapMaxUrls;
            for (var part = 0; part <= parts; part++)
            {
                await xml.WriteStartElementAsync(null, "sitemap", SitemapNs);
                await xml.WriteElementStringAsync(null, "loc", SitemapNs, StorefrontText.Absolute(context, $"/sitemap-{part}.xml"));
                await xml.WriteEndElementAsync();
            }
        }

        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
    }

    private static async Task SitemapPartAsync(int part, HttpContext context, StorefrontCatalog catalog, CancellationToken ct)
    {
        var products = await catalog.ActiveProductCountAsync(ct);
        var parts = (products + StorefrontCatalog.SitemapMaxUrls - 1) / StorefrontCatalog.SitemapMaxUrls;
        if (part < 0 || part > parts)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await using var xml = await StartXmlAsync(context);
        await xml.WriteStartElementAsync(null, "urlset", SitemapNs);
        if (part == 0)
        {
            await WritePagesAsync(xml, context, await catalog.CategoriesAsync(ct));
        }
        else
        {
            var skip = (part - 1) * StorefrontCatalog.SitemapMaxUrls;
            await WriteProductsAsync(xml, context, catalog.SitemapProducts(skip, StorefrontCatalog.SitemapMaxUrls), ct);
        }

        await xml.WriteEndElementAsync();
        await xml.WriteEndDocumentAsync();
    }

    private static async Task<XmlWriter> StartXmlAsync(HttpContext context)
    {
        context.Response.ContentType = "application/xml; charset=utf-8";
        var xml = XmlWriter.Create(context.Response.Body, new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false) });
        await xml.WriteStartDocumentAsync();
        return xml;
    }

    private static async Task WritePagesAsync(XmlWriter xml, HttpContext context, IReadOnlyList<CategoryLink> categories)
    {
        await WriteUrlAsync(xml, StorefrontText.Absolute(context, "/"), null);
        foreach (var category in categories)
        {
            await WriteUrlAsync(xml, StorefrontText.Absolute(context, "/c/" + category.Slug), null);
        }
    }

    private static async Task WriteProductsAsync(XmlWriter xml, HttpContext context, IAsyncEnumerable<SitemapEntry> products, CancellationToken ct)
    {
        var written = 0;
        await foreach (var product in products.WithCancellation(ct))
        {
            await WriteUrlAsync(xml, StorefrontText.Absolute(context, "/p/" + product.Slug), product.LastModified);
            if (++written % 1000 == 0)
            {
                await xml.FlushAsync();
            }
        }
    }

    private static async Task WriteUrlAsync(XmlWriter xml, string loc, DateTime? lastModified)
    {
        await xml.WriteStartElementAsync(null, "url", SitemapNs);
        await xml.WriteElementStringAsync(null, "loc", SitemapNs, loc);
        if (lastModified is { } modified)
        {
            await xml.WriteElementStringAsync(null, "lastmod", SitemapNs, DateTime.SpecifyKind(modified, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        await xml.WriteEndElementAsync();
    }

    /// <summary>
    /// A deterministic picture for products without one: a colour from the slug and its initials.
    /// Depends only on the slug, so it is cached for a year.
    /// </summary>
    private static IResult Placeholder(string slug, HttpContext context)
    {
        if (!Slugs.IsValid(slug))
        {
            return Results.NotFound();
        }

        var hash = 2166136261u;
        foreach (var c in slug)
        {
            hash = (hash ^ c) * 16777619u;
        }

        var hue = hash % 360;
        var initials = string.Concat(slug.Split('-').Where(w => w.Length > 0 && char.IsLetter(w[0])).Take(2).Select(w => char.ToUpperInvariant(w[0])));
        var svg = $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"400\" viewBox=\"0 0 400 400\" role=\"img\">"
            + $"<rect width=\"400\" height=\"400\" fill=\"hsl({hue},45%,32%)\"/>"
            + $"<circle cx=\"200\" cy=\"200\" r=\"120\" fill=\"hsl({(hue + 40) % 360},50%,42%)\"/>"
            + $"<text x=\"200\" y=\"200\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" font-size=\"120\" font-weight=\"700\" fill=\"#fff\">{initials}</text></svg>";
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Text(svg, "image/svg+xml; charset=utf-8");
    }
}

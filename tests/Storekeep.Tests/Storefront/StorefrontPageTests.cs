using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

public sealed partial class StorefrontPageTests
{
    private static async Task<TestStore> StoreWithCategoryAsync(string database)
    {
        var store = await TestStore.StartAsync(database);
        await store.Client.PostJson("/api/v1/categories", new { name = "Mugs", slug = "mugs" }).Expect(HttpStatusCode.Created);
        return store;
    }

    private static Task CreateProductAsync(TestStore store, string title, string slug, string sku, decimal price, string status = "active", string? description = null, string? category = "mugs", decimal? compareAt = null) =>
        store.Client.PostJson("/api/v1/products", new
        {
            title,
            slug,
            description,
            category,
            status,
            variants = new[] { new { sku, price, compareAtPrice = compareAt } },
        }).Expect(HttpStatusCode.Created);

    private static Task AdjustStockAsync(TestStore store, string sku, int quantity) =>
        store.Client.PostJson("/api/v1/inventory/adjustments", new { sku, warehouse = "MAIN", quantity, reason = "count", type = quantity >= 0 ? "receipt" : "adjustment" })
            .Expect(HttpStatusCode.Created);

    private static async Task EnsureWarehouseAsync(TestStore store) =>
        await store.Client.PostJson("/api/v1/warehouses", new { code = "MAIN", name = "Main", priority = 1 }).Expect(HttpStatusCode.Created);

    private static List<string> ProductLinks(string html) =>
        CardLink().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static string TestId(string html, string id) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"data-testid=\"{id}\"[^>]*>([^<]*)<").Groups[1].Value.Trim());

    private static List<JsonElement> JsonLd(string html) =>
        JsonLdPattern().Matches(html).Select(m => JsonDocument.Parse(m.Groups[1].Value).RootElement.Clone()).ToList();

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Home_lists_featured_products_new_arrivals_and_category_links(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Featured Mug", "featured-mug", "FM-1", 12m);
        await CreateProductAsync(store, "Plain Mug", "plain-mug", "PM-1", 9m);
        await using (var db = store.Db())
        {
            await db.Products.Where(p => p.Slug == "featured-mug").ExecuteUpdateAsync(s => s.SetProperty(p => p.Featured, true));
        }

        var html = await store.Browser().GetPageAsync("/");

        var featured = html[html.IndexOf("id=\"featured\"", StringComparison.Ordinal)..html.IndexOf("id=\"new\"", StringComparison.Ordinal)];
        Assert.Equal(["/p/featured-mug"], ProductLinks(featured));
        Assert.Contains("/p/plain-mug", ProductLinks(html[html.IndexOf("id=\"new\"", StringComparison.Ordinal)..]));
        Assert.Contains("href=\"/c/mugs\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"search-input\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Category_page_filters_by_price_and_stock_sorts_and_pages(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await EnsureWarehouseAsync(store);
        for (var i = 1; i <= 26; i++)
        {
            await CreateProductAsync(store, $"Mug {i:D2}", $"mug-{i:D2}", $"MUG-{i:D2}", 10m + i);
        }

        await AdjustStockAsync(store, "MUG-03", 4);
        var browser = store.Browser();

        var first = await browser.GetPageAsync("/c/mugs");
        Assert.Equal(24, ProductLinks(first).Count);
        Assert.Equal("/p/mug-26", ProductLinks(first)[0]);
        Assert.Matches("<link rel=\"next\" href=\"[^\"]*/c/mugs\\?page=2\"", first);
        var second = await browser.GetPageAsync("/c/mugs?page=2");
        Assert.Equal(["/p/mug-02", "/p/mug-01"], ProductLinks(second));
        Assert.Contains("rel=\"prev\"", second, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", second, StringComparison.Ordinal);

        var cheapFirst = await browser.GetPageAsync("/c/mugs?sort=price-asc&max=13.50");
        Assert.Equal(["/p/mug-01", "/p/mug-02", "/p/mug-03"], ProductLinks(cheapFirst));
        var dearFirst = await browser.GetPageAsync("/c/mugs?sort=price-desc&min=35");
        Assert.Equal(["/p/mug-26", "/p/mug-25"], ProductLinks(dearFirst));
        var byTitle = await browser.GetPageAsync("/c/mugs?sort=title");
        Assert.Equal("/p/mug-01", ProductLinks(byTitle)[0]);
        var inStock = await browser.GetPageAsync("/c/mugs?instock=1");
        Assert.Equal(["/p/mug-03"], ProductLinks(inStock));

        var breadcrumbs = JsonLd(first).Single(j => j.GetProperty("@type").GetString() == "BreadcrumbList");
        Assert.Equal(2, breadcrumbs.GetProperty("itemListElement").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Search_finds_active_products_by_title_and_sku_but_not_drafts(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Blue Enamel Mug", "blue-enamel-mug", "ENAMEL-BLUE", 14m);
        await CreateProductAsync(store, "Blue Draft Mug", "blue-draft-mug", "DRAFT-BLUE", 14m, status: "draft");
        var browser = store.Browser();

        Assert.Equal(["/p/blue-enamel-mug"], ProductLinks(await browser.GetPageAsync("/search?q=Blue")));
        Assert.Equal(["/p/blue-enamel-mug"], ProductLinks(await browser.GetPageAsync("/search?q=enamel-blue")));
        Assert.Empty(ProductLinks(await browser.GetPageAsync("/search?q=nothing-like-this")));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Product_page_shows_price_and_availability_and_drops_its_cache_when_stock_or_price_changes(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await EnsureWarehouseAsync(store);
        await CreateProductAsync(store, "Stoneware Mug", "stoneware-mug", "STONE-1", 18m, compareAt: 24m);
        var browser = store.Browser();

        var html = await browser.GetPageAsync("/p/stoneware-mug");
        Assert.Equal("$18.00", TestId(html, "product-price"));
        Assert.Matches("data-testid=\"compare-at-price\"><span class=\"visually-hidden\">was </span>\\$24.00</s>", html);
        Assert.Equal("Out of stock", TestId(html, "availability"));
        Assert.Contains("action=\"/cart/add\"", html, StringComparison.Ordinal);
        Assert.Matches("<input type=\"hidden\" name=\"sku\" value=\"STONE-1\"", html);
        Assert.DoesNotContain("__RequestVerificationToken", html, StringComparison.Ordinal); // shared by every guest: /cart/add checks the origin

        await AdjustStockAsync(store, "STONE-1", 3);
        html = await browser.GetPageAsync("/p/stoneware-mug");
        Assert.Equal("Only 3 left", TestId(html, "availability"));

        await AdjustStockAsync(store, "STONE-1", 20);
        html = await browser.GetPageAsync("/p/stoneware-mug");
        Assert.Equal("In stock", TestId(html, "availability"));

        await store.Client.PatchJson("/api/v1/products/stoneware-mug", new { variants = new[] { new { sku = "STONE-1", price = 15.5m } } }).Expect(HttpStatusCode.OK);
        html = await browser.GetPageAsync("/p/stoneware-mug");
        Assert.Equal("$15.50", TestId(html, "product-price"));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Cached_category_page_shows_the_new_price_after_a_price_change(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Tall Mug", "tall-mug", "TALL-1", 11m);
        var browser = store.Browser();
        await browser.GetPageAsync("/c/mugs");

        // The second request carries the antiforgery cookie, so its response is stored in the output cache.
        var cached = await browser.GetAsync("/c/mugs");
        var again = await browser.GetAsync("/c/mugs");
        Assert.True(again.Headers.Age is not null, "the second identical request is answered from the output cache");
        Assert.Contains("$11.00", await cached.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await store.Client.PatchJson("/api/v1/products/tall-mug", new { variants = new[] { new { sku = "TALL-1", price = 12.25m } } }).Expect(HttpStatusCode.OK);

        var html = await browser.GetPageAsync("/c/mugs");
        Assert.Contains("$12.25", html, StringComparison.Ordinal);
        Assert.DoesNotContain("$11.00", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Product_page_carries_canonical_open_graph_and_json_ld_with_the_price(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Mug </script><script>alert(1)</script>", "odd-mug", "ODD-1", 21.5m);

        var html = await store.Browser().GetPageAsync("/p/odd-mug?utm_source=newsletter");

        Assert.Contains("<link rel=\"canonical\" href=\"https://localhost/p/odd-mug\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:type\" content=\"product\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:url\" content=\"https://localhost/p/odd-mug\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:image\" content=\"https://localhost/images/products/odd-mug.svg\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta property=\"og:title\"", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"description\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)", html, StringComparison.Ordinal);

        var ld = JsonLd(html);
        var product = ld.Single(j => j.GetProperty("@type").GetString() == "Product");
        Assert.Equal("Mug </script><script>alert(1)</script>", product.GetProperty("name").GetString());
        var offer = product.GetProperty("offers")[0];
        Assert.Equal("Offer", offer.GetProperty("@type").GetString());
        Assert.Equal("21.50", offer.GetProperty("price").GetString());
        Assert.Equal("USD", offer.GetProperty("priceCurrency").GetString());
        Assert.Equal("ODD-1", offer.GetProperty("sku").GetString());
        Assert.Equal("https://schema.org/OutOfStock", offer.GetProperty("availability").GetString());
        var crumbs = ld.Single(j => j.GetProperty("@type").GetString() == "BreadcrumbList").GetProperty("itemListElement");
        Assert.Equal(["Home", "Mugs"], crumbs.EnumerateArray().Take(2).Select(c => c.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_description_with_a_script_is_shown_as_text_not_markup(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Safe Mug", "safe-mug", "SAFE-1", 10m,
            description: "<p>Holds <b>350 ml</b> &amp; more.</p><script>alert('x')</script><img src=x onerror=alert(2)>");

        var html = await store.Browser().GetPageAsync("/p/safe-mug");

        var description = html[html.IndexOf("data-testid=\"description\"", StringComparison.Ordinal)..];
        Assert.Contains("Holds 350 ml &amp; more.", description, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", description, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", description, StringComparison.Ordinal);
        Assert.DoesNotContain("onerror", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Unknown_draft_and_archived_products_and_unknown_categories_answer_404(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Draft Mug", "draft-mug", "DRAFT-1", 10m, status: "draft");
        await CreateProductAsync(store, "Old Mug", "old-mug", "OLD-1", 10m);
        var browser = store.Browser();
        await browser.GetPageAsync("/p/old-mug");
        await store.Client.PostAsync("/api/v1/products/old-mug/archive", null).Expect(HttpStatusCode.OK);

        await browser.GetPageAsync("/p/no-such-mug", HttpStatusCode.NotFound);
        await browser.GetPageAsync("/p/draft-mug", HttpStatusCode.NotFound);
        await browser.GetPageAsync("/p/old-mug", HttpStatusCode.NotFound);
        await browser.GetPageAsync("/c/no-such-category", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Sitemap_lists_home_categories_and_active_products_but_not_drafts(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Listed Mug", "listed-mug", "LIST-1", 10m);
        await CreateProductAsync(store, "Hidden Mug", "hidden-mug", "HIDE-1", 10m, status: "draft");

        var response = await store.Browser().GetAsync("/sitemap.xml");
        var xml = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var doc = System.Xml.Linq.XDocument.Parse(xml);
        System.Xml.Linq.XNamespace ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        var locs = doc.Descendants(ns + "loc").Select(l => l.Value).ToList();
        Assert.Contains("https://localhost/", locs);
        Assert.Contains("https://localhost/c/mugs", locs);
        Assert.Contains("https://localhost/p/listed-mug", locs);
        Assert.DoesNotContain("https://localhost/p/hidden-mug", locs);
        var product = doc.Descendants(ns + "url").Single(u => u.Element(ns + "loc")!.Value.EndsWith("/p/listed-mug", StringComparison.Ordinal));
        Assert.NotNull(product.Element(ns + "lastmod"));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Robots_txt_allows_the_shop_keeps_private_areas_out_and_names_the_sitemap(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var text = await store.Browser().GetPageAsync("/robots.txt");

        Assert.Contains("Allow: /\n", text, StringComparison.Ordinal);
        foreach (var path in new[] { "/admin", "/cart", "/checkout", "/account", "/api" })
        {
            Assert.Contains($"Disallow: {path}\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("Sitemap: https://localhost/sitemap.xml", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Storefront_pages_carry_security_headers_and_placeholder_images_are_cached_long(string database)
    {
        await using var store = await StoreWithCategoryAsync(database);
        await CreateProductAsync(store, "Header Mug", "header-mug", "HEAD-1", 10m);
        var browser = store.Browser();

        foreach (var url in new[] { "/", "/c/mugs", "/p/header-mug", "/search?q=mug" })
        {
            var response = await browser.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.True(response.Headers.Contains("Referrer-Policy"));
            Assert.Contains("<html lang=\"en\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var image = await browser.GetAsync("/images/products/header-mug.svg");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/svg+xml", image.Content.Headers.ContentType?.MediaType);
        Assert.True(image.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(30));
        Assert.Contains(">HM</text>", await image.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("<a href=\"([^\"]*)\" data-testid=\"product-card\"")]
    private static partial Regex CardLink();

    [GeneratedRegex("<script type=\"application/ld\\+json\">([\\s\\S]*?)</script>")]
    private static partial Regex JsonLdPattern();
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

/// <summary>
/// Product pages are output-cached whole for guests and dropped per product: a stock or price change
/// of one product rebuilds its page only. Rows renamed behind the application's back (an UPDATE that
/// no cache hears of) show whether a page was read again or served from the cache.
/// </summary>
public sealed partial class ProductPageCacheTests
{
    private static async Task RenameBehindTheCacheAsync(TestStore store, string slug, string title)
    {
        await using var db = store.Db();
        Assert.Equal(1, await db.Products.Where(p => p.Slug == slug).ExecuteUpdateAsync(s => s.SetProperty(p => p.Title, title)));
    }

    private static async Task<(bool Cached, string Html, HttpResponseMessage Response)> ViewAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}");
        return (response.Headers.Age is not null, html, response);
    }

    private static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith("storekeep.sid=", StringComparison.Ordinal)) : null;

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_guest_product_page_is_served_from_the_cache_and_a_change_of_one_product_drops_that_page_only(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("PCA-1", 10m, main: 5);
        await store.AddProductAsync("PCB-1", 20m, main: 5);

        // A new visitor's first view: built, stored, and with the visitor's own session cookie.
        var first = await ViewAsync(store.Browser(), "/p/product-pca-1");
        Assert.False(first.Cached);
        Assert.DoesNotContain("__RequestVerificationToken", first.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"recently-viewed\"", first.Html, StringComparison.Ordinal);
        var firstSession = SessionCookie(first.Response);
        Assert.NotNull(firstSession);
        await ViewAsync(store.Browser(), "/p/product-pcb-1");

        await RenameBehindTheCacheAsync(store, "product-pca-1", "Renamed A");
        await RenameBehindTheCacheAsync(store, "product-pcb-1", "Renamed B");

        // Another guest gets the stored copy (the old title: the database was not read), with a session of its own.
        var guest = store.Browser();
        var hit = await ViewAsync(guest, "/p/product-pca-1");
        Assert.True(hit.Cached, "a second guest is answered from the output cache");
        Assert.Contains("Product PCA-1", hit.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Renamed A", hit.Html, StringComparison.Ordinal);
        var hitSession = SessionCookie(hit.Response);
        Assert.NotNull(hitSession);
        Assert.NotEqual(firstSession, hitSession);
        var firstCookies = first.Response.Headers.GetValues("Set-Cookie").ToList();
        Assert.DoesNotContain(hit.Response.Headers.TryGetValues("Set-Cookie", out var hitCookies) ? hitCookies : [], firstCookies.Contains);
        Assert.True((await ViewAsync(guest, "/p/product-pcb-1")).Cached);

        // A stock change of A drops A's page (built again, it shows the rename and the stock) but not B's.
        await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "PCA-1", warehouse = "MAIN", quantity = 10, reason = "count", type = "receipt" })
            .Expect(HttpStatusCode.Created);
        var a = await ViewAsync(guest, "/p/product-pca-1");
        Assert.False(a.Cached);
        Assert.Contains("Renamed A", a.Html, StringComparison.Ordinal);
        var b = await ViewAsync(guest, "/p/product-pcb-1");
        Assert.True(b.Cached, "a stock change of A leaves B's page in the cache");
        Assert.DoesNotContain("Renamed B", b.Html, StringComparison.Ordinal);

        // A price change of B drops B's page, not A's.
        Assert.True((await ViewAsync(guest, "/p/product-pca-1")).Cached);
        await store.Client.PatchJson("/api/v1/products/product-pcb-1", new { variants = new[] { new { sku = "PCB-1", price = 18.75m } } }).Expect(HttpStatusCode.OK);
        b = await ViewAsync(guest, "/p/product-pcb-1");
        Assert.False(b.Cached);
        Assert.Contains("$18.75", b.Html, StringComparison.Ordinal);
        Assert.True((await ViewAsync(guest, "/p/product-pca-1")).Cached, "a price change of B leaves A's page in the cache");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Add_to_cart_works_from_a_cached_page_without_a_token_and_a_cross_site_post_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("PCC-1", 12.5m, main: 5);
        await store.Browser().GetPageAsync("/p/product-pcc-1");

        var shopper = store.Browser();
        var page = await ViewAsync(shopper, "/p/product-pcc-1");
        Assert.True(page.Cached);
        var form = AddToCartForm().Match(page.Html);
        Assert.True(form.Success, "the page has the add-to-cart form");
        Assert.DoesNotContain("__RequestVerificationToken", form.Value, StringComparison.Ordinal);
        Assert.Matches("<input type=\"hidden\" name=\"sku\" value=\"PCC-1\"", form.Value);

        // What a browser sends for the page's own form.
        var added = await shopper.SendAsync(AddToCart("PCC-1", "2", ("Sec-Fetch-Site", "same-origin"), ("Origin", "https://localhost")));
        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
        Assert.Equal("/cart", added.Headers.Location!.OriginalString);
        var cart = await shopper.GetPageAsync("/cart");
        Assert.Contains("data-sku=\"PCC-1\"", cart, StringComparison.Ordinal);

        // Another site's form (a browser says so in Sec-Fetch-Site, or in Origin): refused, nothing added.
        var crossSite = await shopper.SendAsync(AddToCart("PCC-1", "1", ("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example")));
        await crossSite.ExpectProblem(HttpStatusCode.Forbidden, "cross_site_request");
        var otherOrigin = await shopper.SendAsync(AddToCart("PCC-1", "1", ("Origin", "https://evil.example")));
        await otherOrigin.ExpectProblem(HttpStatusCode.Forbidden, "cross_site_request");
        var sibling = await shopper.SendAsync(AddToCart("PCC-1", "1", ("Sec-Fetch-Site", "same-site")));
        await sibling.ExpectProblem(HttpStatusCode.Forbidden, "cross_site_request");
        await using var db = store.Db();
        var line = Assert.Single(await db.Carts.AsNoTracking().Where(c => c.Status == CartStatus.Active).SelectMany(c => c.Items).ToListAsync());
        Assert.Equal(("PCC-1", 2), (line.Sku, line.Quantity));
    }

    private static HttpRequestMessage AddToCart(string sku, string quantity, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/cart/add")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["sku"] = sku, ["quantity"] = quantity }),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    [GeneratedRegex("<form[^>]*action=\"/cart/add\"[\\s\\S]*?</form>")]
    private static partial Regex AddToCartForm();
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Data;
using Storekeep.Recommendations;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Recommendations;

/// <summary>
/// Co-purchase counts (docs/marketing.md, Personalisation) equal an independent computation from the
/// orders tables, survive a twice-delivered event, rank "also bought", and reach the product page
/// and the order confirmation; recently viewed keeps a visitor's last 8 products.
/// </summary>
public sealed partial class RecommendationsTests
{
    public sealed record LineRow(Guid OrderId, string Sku);

    public sealed record PairRow(string Sku, string OtherSku, int Count);

    private static async Task<object> PlaceAsync(TestStore store, string email, params string[] skus)
    {
        var cart = await store.CartWithAsync(store.Client, skus.Select(s => (s, 1)).ToArray());
        return await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email)).Expect(HttpStatusCode.Created);
    }

    /// <summary>The counts from raw rows: per pair of different SKUs, the distinct paid (ever captured) orders holding both.</summary>
    private static async Task<List<PairRow>> ExpectedAsync(StorekeepDbContext db)
    {
        var lines = await db.Database.SqlQueryRaw<LineRow>(
            "SELECT l.order_id AS \"OrderId\", l.sku AS \"Sku\" FROM order_lines l JOIN orders o ON o.id = l.order_id " +
            "WHERE o.payment_status IN ('paid', 'partially_refunded', 'refunded')").ToListAsync();
        return lines.GroupBy(l => l.OrderId)
            .SelectMany(order => order.Select(l => l.Sku).Distinct().SelectMany(a => order.Select(l => l.Sku).Distinct().Where(b => b != a).Select(b => (a, b))))
            .GroupBy(p => p).Select(g => new PairRow(g.Key.a, g.Key.b, g.Count()))
            .OrderBy(p => p.Sku, StringComparer.Ordinal).ThenBy(p => p.OtherSku, StringComparer.Ordinal).ToList();
    }

    private static async Task<List<PairRow>> StoredAsync(StorekeepDbContext db) =>
        (await db.Database.SqlQueryRaw<PairRow>("SELECT sku AS \"Sku\", other_sku AS \"OtherSku\", order_count AS \"Count\" FROM co_purchases").ToListAsync())
            .OrderBy(p => p.Sku, StringComparer.Ordinal).ThenBy(p => p.OtherSku, StringComparer.Ordinal).ToList();

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Co_purchase_counts_equal_raw_sql_count_each_order_once_and_rank_also_bought(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        foreach (var sku in new[] { "REC-A", "REC-B", "REC-C", "REC-D", "REC-E" })
        {
            await store.AddProductAsync(sku, 10m, main: 100);
        }

        await PlaceAsync(store, "ada@example.com", "REC-A", "REC-B");
        await PlaceAsync(store, "bob@example.com", "REC-A", "REC-B", "REC-C");
        await PlaceAsync(store, "cy@example.com", "REC-C", "REC-A");
        await PlaceAsync(store, "di@example.com", "REC-B", "REC-D");
        await PlaceAsync(store, "ed@example.com", "REC-E");

        await using (var db = store.Db())
        {
            await Eventually.HoldsAsync(async () => await db.Set<CoPurchaseOrder>().CountAsync() == 5, "the subscriber counted the five paid orders", seconds: 60);
            var expected = await ExpectedAsync(db);
            Assert.Equal(8, expected.Count); // A-B, A-C, B-C, B-D, each way
            Assert.Equal(expected, await StoredAsync(db));
        }

        // A second delivery of an order's order.paid adds nothing.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var counted = await db.Set<CoPurchaseOrder>().AsNoTracking().Select(o => o.OrderId).ToListAsync();
            var again = await db.InTransactionAsync(ct => scope.ServiceProvider.GetRequiredService<CoPurchases>().CountOrdersAsync(counted, ct));
            Assert.Equal(0, again);
        }

        await using (var db = store.Db())
        {
            Assert.Equal(await ExpectedAsync(db), await StoredAsync(db));
        }

        // Orders counted together, as the subscriber counts a batch: two, then all five (the two again
        // among them) give the same figures; pairs shared by several orders of one call add up.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var coPurchases = scope.ServiceProvider.GetRequiredService<CoPurchases>();
            var counted = await db.Set<CoPurchaseOrder>().AsNoTracking().OrderBy(o => o.OrderId).Select(o => o.OrderId).ToListAsync();
            await db.Set<CoPurchase>().ExecuteDeleteAsync();
            await db.Set<CoPurchaseOrder>().ExecuteDeleteAsync();
            var first = await db.InTransactionAsync(ct => coPurchases.CountOrdersAsync(counted.Take(2).ToList(), ct));
            var rest = await db.InTransactionAsync(ct => coPurchases.CountOrdersAsync(counted, ct));
            Assert.Equal((2, 3), (first, rest));
            Assert.Equal(await ExpectedAsync(db), await StoredAsync(db));
        }

        // Rebuilding from the orders gives the same figures.
        var rebuilt = await store.Client.PostJson("/api/v1/recommendations/rebuild", new { }).Expect(HttpStatusCode.OK);
        Assert.Equal((8, 5), (rebuilt["pairs"].Int(), rebuilt["orders"].Int()));
        await using (var db = store.Db())
        {
            Assert.Equal(await ExpectedAsync(db), await StoredAsync(db));
        }

        // A was bought with B twice and C twice: the tie goes by SKU.
        var alsoBought = (await store.Client.GetAsync("/api/v1/products/REC-A/also-bought").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal(new[] { "REC-B", "REC-C" }, alsoBought.Select(x => x!["sku"].Str()).ToArray());
        Assert.Equal((2, 10m, "Product REC-B"), (alsoBought[0]!["count"].Int(), alsoBought[0]!["price"].Dec(), alsoBought[0]!["name"].Str()));
        var one = (await store.CreateClient().GetAsync("/api/v1/products/REC-B/also-bought?limit=1").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal("REC-A", Assert.Single(one)!["sku"].Str());
        Assert.Empty((await store.Client.GetAsync("/api/v1/products/NOPE/also-bought").Expect(HttpStatusCode.OK)).AsArray());
        foreach (var bad in new[] { "0", "21", "-3" })
        {
            var problem = await store.CreateClient().GetAsync($"/api/v1/products/REC-A/also-bought?limit={bad}").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Contains("limit", problem["errors"]!.AsObject().Select(e => e.Key));
        }

        await (await store.CreateClient().GetAsync("/api/v1/products/REC-A/also-bought?limit=abc")).ExpectProblem(HttpStatusCode.BadRequest);

        // A product taken off the storefront is not recommended.
        await using (var db = store.Db())
        {
            var c = await db.Products.SingleAsync(p => p.Slug == "product-rec-c");
            c.Status = Storekeep.Catalog.ProductStatus.Archived;
            await db.SaveChangesAsync();
        }

        Assert.Equal(new[] { "REC-B" }, (await store.Client.GetAsync("/api/v1/products/REC-A/also-bought").Expect(HttpStatusCode.OK)).AsArray().Select(x => x!["sku"].Str()).ToArray());

        // The product page shows them; the order confirmation of a new order of A suggests B.
        var page = await (await store.CreateClient().GetAsync("/p/product-rec-a")).Content.ReadAsStringAsync();
        Assert.Contains("Customers also bought", page, StringComparison.Ordinal);
        Assert.Contains("/p/product-rec-b", page, StringComparison.Ordinal);
        await PlaceAsync(store, "fay@example.com", "REC-A");
        await using (var db = store.Db())
        {
            await Eventually.HoldsAsync(() => db.Messages.AnyAsync(m => m.To == "fay@example.com" && m.Type == "order_confirmation"), "the confirmation is queued", seconds: 60);
            var text = await db.Messages.AsNoTracking().Where(m => m.To == "fay@example.com" && m.Type == "order_confirmation").Select(m => m.TextBody).SingleAsync();
            Assert.Contains("You may also like:", text, StringComparison.Ordinal);
            Assert.Contains("Product REC-B — 10.00", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Product REC-C", text, StringComparison.Ordinal);
        }

        await (await store.ClientForAsync(Storekeep.Access.Role.Warehouse)).PostJson("/api/v1/recommendations/rebuild", new { }).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Recently_viewed_keeps_the_last_eight_products_and_leaves_out_the_one_on_screen()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        for (var i = 1; i <= 10; i++)
        {
            await store.AddProductAsync($"SEEN-{i:00}", 5m, main: 10);
        }

        var browser = store.CreateBrowserClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        const string visitor = "0123456789abcdef0123456789abcdef";
        // The product page is shared by every guest (output-cached): it names its product, and its
        // script records the view and fetches this visitor's list from /recently-viewed.
        async Task<List<string>> ViewAsync(int i)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/p/product-seen-{i:00}");
            request.Headers.Add("Cookie", $"storekeep.vid={visitor}");
            using var response = await browser.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("data-testid=\"recently-viewed\"", html, StringComparison.Ordinal);
            var productId = RecentlyViewedSlot().Match(html).Groups[1].Value;
            Assert.NotEmpty(productId);

            using var fetch = new HttpRequestMessage(HttpMethod.Post, $"/recently-viewed?product={productId}");
            fetch.Headers.Add("Cookie", $"storekeep.vid={visitor}");
            fetch.Headers.Add("Sec-Fetch-Site", "same-origin");
            using var fragment = await browser.SendAsync(fetch);
            if (fragment.StatusCode == HttpStatusCode.NoContent)
            {
                return [];
            }

            Assert.Equal(HttpStatusCode.OK, fragment.StatusCode);
            var section = await fragment.Content.ReadAsStringAsync();
            Assert.Contains("data-testid=\"recently-viewed\"", section, StringComparison.Ordinal);
            return [.. ProductLink().Matches(section).Select(m => m.Groups[1].Value)];
        }

        Assert.Empty(await ViewAsync(1)); // the first product viewed: nothing else yet
        for (var i = 2; i <= 9; i++)
        {
            await ViewAsync(i);
        }

        // Viewing the tenth keeps 3..10 (1 and 2 dropped) and shows 9 down to 3, latest first.
        var shown = await ViewAsync(10);
        Assert.Equal(Enumerable.Range(3, 7).Reverse().Select(i => $"seen-{i:00}").ToList(), shown);
        await using (var db = store.Db())
        {
            Assert.Equal(8, await db.Set<RecentlyViewedProduct>().CountAsync(r => r.VisitorId == visitor));
        }

        // Viewing 5 again moves it to the front and excludes it from its own page.
        var again = await ViewAsync(5);
        Assert.DoesNotContain("seen-05", again);
        Assert.Equal("seen-10", again[0]);
        Assert.Equal(7, again.Count);

        // Views older than Recommendations:RecentlyViewedDays (90) are pruned by an hourly job.
        Assert.Contains(store.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is Storekeep.Web.Recommendations.RecentlyViewedPruneService);
        var now = DateTime.UtcNow;
        await using (var db = store.Db())
        {
            var old = new[] { "product-seen-03", "product-seen-04", "product-seen-06" };
            await db.Set<RecentlyViewedProduct>().Where(r => r.VisitorId == visitor && db.Products.Any(p => p.Id == r.ProductId && old.Contains(p.Slug)))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ViewedAt, now.AddDays(-91)));
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            Assert.Equal(3, await scope.ServiceProvider.GetRequiredService<RecentlyViewed>().PruneAsync(now.AddDays(-RecentlyViewed.DefaultDays), CancellationToken.None));
        }

        Assert.Equal(["seen-10", "seen-09", "seen-08", "seen-07"], await ViewAsync(5));
    }

    [GeneratedRegex("href=\"/p/product-(seen-\\d\\d)\"")]
    private static partial Regex ProductLink();

    [GeneratedRegex("data-recently-viewed=\"([0-9a-f]{32})\"")]
    private static partial Regex RecentlyViewedSlot();
}

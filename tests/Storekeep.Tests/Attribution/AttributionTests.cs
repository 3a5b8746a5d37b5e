using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Storekeep.Attribution;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Attribution;

/// <summary>
/// Visits keep their channel, orders record their first and last touch, spend is entered or
/// imported, and the acquisition report equals an independent computation from raw SQL.
/// </summary>
public sealed class AttributionTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_visits_channel_is_its_utm_tags_else_its_referrer_else_direct()
    {
        var tagged = Touches.Classify(" Newsletter ", "EMAIL", "december", "https://mail.example.com/inbox", "shop.example", Now);
        Assert.Equal(("newsletter", "email", "december"), (tagged.Source, tagged.Medium, tagged.Campaign));
        Assert.Equal("(none)", Touches.Classify("partner", null, null, null, "shop.example", Now).Medium);

        var search = Touches.Classify(null, null, null, "https://www.google.com/search?q=mugs", "shop.example", Now);
        Assert.Equal(("google.com", "organic"), (search.Source, search.Medium));
        Assert.Equal("https://www.google.com/search", search.Referrer); // the query (what was searched) is not kept

        var blog = Touches.Classify(null, null, null, "https://coffee-blog.example/best-mugs", "shop.example", Now);
        Assert.Equal(("coffee-blog.example", "referral"), (blog.Source, blog.Medium));

        // Our own pages, a non-web referrer and nothing at all are direct visits.
        foreach (var referrer in new[] { "https://shop.example/cart", "android-app://com.example", "not a url", null })
        {
            var direct = Touches.Classify(null, null, null, referrer, "shop.example", Now);
            Assert.Equal((Touches.Direct, Touches.NoMedium), (direct.Source, direct.Medium));
        }

        Assert.Equal(Touch.SourceMaxLength, Touches.Classify(new string('s', 500), null, null, null, null, Now).Source.Length);
    }

    private static HttpClient Browser(TestStore store) =>
        store.CreateBrowserClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>A page view in a new browser session of visitor <paramref name="visitor"/> (no session cookie).</summary>
    private static async Task VisitAsync(HttpClient browser, string visitor, string path, string? referrer = null, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"{VisitorCookieName}={visitor}" + (session is null ? "" : $"; storekeep.sid={session}"));
        if (referrer is not null)
        {
            request.Headers.Referrer = new Uri(referrer);
        }

        using var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private const string VisitorCookieName = "storekeep.vid";

    private static async Task<JsonNode> CheckoutAsync(TestStore store, HttpClient browser, string? visitor, string email, string sku)
    {
        var cart = await store.CartWithAsync(browser, (sku, 1));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/carts/{cart}/checkout")
        {
            Content = JsonContent.Create(TestCatalog.CheckoutBody(email: email)),
        };
        if (visitor is not null)
        {
            request.Headers.Add("Cookie", $"{VisitorCookieName}={visitor}");
        }

        return await (await browser.SendAsync(request)).Expect(HttpStatusCode.Created);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Orders_record_first_and_last_touch_and_the_report_equals_raw_sql(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("ACQ-1", 40m, main: 100);
        var browser = Browser(store);
        const string ada = "0123456789abcdef0123456789abcdef";
        const string bob = "fedcba9876543210fedcba9876543210";

        // Ada came from the newsletter, later from a Google search, and ordered: first touch newsletter, last google.
        await VisitAsync(browser, ada, "/?utm_source=Newsletter&utm_medium=email&utm_campaign=december");
        // A campaign link followed within a running session is a touch; reloading it is not another.
        await VisitAsync(browser, ada, "/?utm_source=newsletter&utm_medium=email&utm_campaign=december", session: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        await VisitAsync(browser, ada, "/?utm_source=newsletter&utm_medium=email&utm_campaign=december", session: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        await VisitAsync(browser, ada, "/", referrer: "https://www.google.com/search?q=mugs");
        var adaOrder = await CheckoutAsync(store, browser, ada, "ada@example.com", "ACQ-1");

        // Bob came directly, twice ordered (the second is no new customer); one order came through the API without a visit.
        await VisitAsync(browser, bob, "/");
        await CheckoutAsync(store, browser, bob, "bob@example.com", "ACQ-1");
        await CheckoutAsync(store, browser, bob, "bob@example.com", "ACQ-1");
        await CheckoutAsync(store, store.Client, null, "api@example.com", "ACQ-1");

        var acquisition = (await store.Client.GetAsync($"/api/v1/orders/{adaOrder["id"].Str()}").Expect(HttpStatusCode.OK))["acquisition"]!;
        Assert.Equal(("newsletter", "email", "december"), (acquisition["firstTouch"]!["source"].Str(), acquisition["firstTouch"]!["medium"].Str(), acquisition["firstTouch"]!["campaign"].Str()));
        Assert.Equal(("google.com", "organic"), (acquisition["lastTouch"]!["source"].Str(), acquisition["lastTouch"]!["medium"].Str()));

        // The customer's page says the same: the newsletter brought Ada, Google brought her back.
        var customer = (await store.Client.GetAsync("/api/v1/customers/ada@example.com").Expect(HttpStatusCode.OK))["acquisition"]!;
        Assert.Equal(("newsletter", "google.com"), (customer["firstTouch"]!["source"].Str(), customer["lastTouch"]!["source"].Str()));

        // Spend: one entry, and a CSV of two rows.
        await store.Client.PostJson("/api/v1/marketing/spend", new { date = $"{Now.AddDays(-40):yyyy-MM-dd}", source = "google.com", medium = "organic", amount = 999m }).Expect(HttpStatusCode.Created);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await store.Client.PostJson("/api/v1/marketing/spend", new { date = today, source = "Newsletter", medium = "email", campaign = "december", amount = 30m }).Expect(HttpStatusCode.Created);
        var imported = await ImportAsync(store, $"date,source,medium,campaign,amount\n{today},google.com,organic,,12.50\n{today},newsletter,email,december,20\n").Expect(HttpStatusCode.OK);
        Assert.Equal((2, 32.50m), (imported["imported"].Int(), imported["total"].Dec()));

        // A CSV with a bad row writes nothing and names the row.
        var refused = await ImportAsync(store, $"date,source,amount\n{today},google.com,5\nyesterday,,-3\n").ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains("rows[3].date", refused["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("rows[3].source", refused["errors"]!.AsObject().Select(e => e.Key));
        await ImportAsync(store, "source,amount\nx,1\n").ExpectProblem(HttpStatusCode.BadRequest);
        using (var wrongType = new StringContent("date,source,amount", Encoding.UTF8, "application/xml"))
        {
            await (await store.Client.PostAsync("/api/v1/marketing/spend/import", wrongType)).ExpectProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }

        await store.Client.PostJson("/api/v1/marketing/spend", new { date = "03/12/2026", source = "", amount = -1m }).ExpectProblem(HttpStatusCode.BadRequest);

        foreach (var touch in new[] { "first", "last" })
        {
            var report = await store.Client.GetAsync($"/api/v1/analytics/acquisition?touch={touch}").Expect(HttpStatusCode.OK);
            var expected = await ExpectedAsync(store, touch);
            var channels = report["channels"]!.AsArray();
            Assert.Equal(expected.Count, channels.Count);
            foreach (var row in expected)
            {
                var channel = channels.Single(c => c!["source"].Str() == row.Source && c["medium"]?.GetValue<string>() == row.Medium)!;
                Assert.Equal((row.Sessions, row.Orders, row.NewCustomers), (channel["sessions"].Int(), channel["orders"].Int(), channel["newCustomers"].Int()));
                Assert.Equal((row.Revenue, row.Spend), (channel["revenue"].Dec(), channel["spend"].Dec()));
                Assert.Equal(row.Cac, channel["cac"]?.GetValue<decimal>());
                Assert.Equal(row.Roas, channel["roas"]?.GetValue<decimal>());
            }
        }

        // The channels the story above makes, by hand: ada's order is the newsletter's by first touch, Google's by last.
        var first = (await store.Client.GetAsync("/api/v1/analytics/acquisition?touch=first").Expect(HttpStatusCode.OK))["channels"]!.AsArray();
        var newsletter = first.Single(c => c!["source"].Str() == "newsletter")!;
        Assert.Equal((1, 1, 50m, 50m), (newsletter["orders"].Int(), newsletter["newCustomers"].Int(), newsletter["spend"].Dec(), newsletter["cac"].Dec()));
        var direct = first.Single(c => c!["source"].Str() == Touches.Direct)!;
        Assert.Equal((2, 1), (direct["orders"].Int(), direct["newCustomers"].Int()));
        Assert.Equal(1, first.Single(c => c!["source"].Str() == AcquisitionReport.Unattributed)!["orders"].Int());
        Assert.Equal(2, newsletter["sessions"].Int()); // the first visit and the campaign link followed within a later session

        await store.Client.GetAsync("/api/v1/analytics/acquisition?touch=middle").ExpectProblem(HttpStatusCode.BadRequest, "invalid_touch");
        await (await store.ClientForAsync(Storekeep.Access.Role.Warehouse)).GetAsync("/api/v1/analytics/acquisition").ExpectProblem(HttpStatusCode.Forbidden);
    }

    private static async Task<HttpResponseMessage> ImportAsync(TestStore store, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return await store.Client.PostAsync("/api/v1/marketing/spend/import", content);
    }

    private sealed record ExpectedChannel(string Source, string? Medium, int Sessions, int Orders, int NewCustomers, decimal Revenue, decimal Spend, decimal? Cac, decimal? Roas);

    public sealed record TouchRow(string Source, string Medium);

    public sealed record OrderRow(string Email, long Number, long Total, string Status, string? FirstSource, string? FirstMedium, string? LastSource, string? LastMedium);

    public sealed record SpendRow(string Source, string? Medium, long Amount, DateOnly Date);

    /// <summary>The report recomputed from raw rows: every session, order and spend row is in range (today) except the old spend.</summary>
    private static async Task<List<ExpectedChannel>> ExpectedAsync(TestStore store, string touch)
    {
        await using var db = store.Db();
        var touches = await db.Database.SqlQueryRaw<TouchRow>("SELECT source AS \"Source\", medium AS \"Medium\" FROM visitor_touches").ToListAsync();
        var orders = await db.Database.SqlQueryRaw<OrderRow>(
            "SELECT o.email AS \"Email\", o.number AS \"Number\", o.total AS \"Total\", o.status AS \"Status\", a.first_source AS \"FirstSource\", a.first_medium AS \"FirstMedium\", " +
            "a.last_source AS \"LastSource\", a.last_medium AS \"LastMedium\" FROM orders o LEFT JOIN order_acquisitions a ON a.order_id = o.id").ToListAsync();
        var spend = await db.Database.SqlQueryRaw<SpendRow>("SELECT source AS \"Source\", medium AS \"Medium\", amount AS \"Amount\", date AS \"Date\" FROM marketing_spend").ToListAsync();
        var since = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30);
        spend = spend.Where(s => s.Date >= since).ToList();
        var counted = orders.Where(o => o.Status != "cancelled").OrderBy(o => o.Number).ToList();
        var firstOfEmail = counted.GroupBy(o => o.Email).ToDictionary(g => g.Key, g => g.Min(o => o.Number));
        (string, string?) Channel(OrderRow o) => touch == "first"
            ? (o.FirstSource ?? AcquisitionReport.Unattributed, o.FirstMedium)
            : (o.LastSource ?? AcquisitionReport.Unattributed, o.LastMedium);
        var keys = touches.Select(t => (t.Source, (string?)t.Medium)).Concat(counted.Select(Channel)).Concat(spend.Select(s => (s.Source, s.Medium))).Distinct();
        return keys.Select(k =>
        {
            var mine = counted.Where(o => Channel(o) == k).ToList();
            var revenue = mine.Sum(o => o.Total) / 100m;
            var spent = spend.Where(s => (s.Source, s.Medium) == k).Sum(s => s.Amount) / 100m;
            var fresh = mine.Count(o => firstOfEmail[o.Email] == o.Number);
            return new ExpectedChannel(k.Item1, k.Item2, touches.Count(t => (t.Source, (string?)t.Medium) == k), mine.Count, fresh, revenue, spent,
                fresh == 0 ? null : Math.Round(spent / fresh, 2, MidpointRounding.AwayFromZero), spent == 0 ? null : Math.Round(revenue / spent, 4));
        }).ToList();
    }
}

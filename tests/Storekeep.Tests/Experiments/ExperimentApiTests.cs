using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Storekeep.Experiments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Experiments;

/// <summary>
/// Experiments through the API and the storefront on both databases: validation, draft → running →
/// stopped, sticky assignment, exposures recorded once, an offer's discount for treatment only, orders
/// counted per variant, and the sample-ratio alarm.
/// </summary>
public sealed class ExperimentApiTests
{
    private const string VisitorCookie = "storekeep.vid";

    private static HttpClient Browser(TestStore store) =>
        store.CreateBrowserClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    private static async Task<string> PageAsync(HttpClient browser, string visitor, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"{VisitorCookie}={visitor}");
        using var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<JsonNode> SendAsync(HttpClient client, HttpMethod method, string url, string? visitor, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (visitor is not null)
        {
            request.Headers.Add("Cookie", $"{VisitorCookie}={visitor}");
        }

        var response = await client.SendAsync(request);
        return await response.Expect(method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK);
    }

    /// <summary>The first of a run of visitor ids (32 lower-case hex digits) that the experiment assigns to <paramref name="key"/>.</summary>
    private static List<string> VisitorsOf(JsonNode experiment, string key, int count)
    {
        var model = new Experiment { Id = Guid.Parse(experiment["id"].Str()), Name = "x" };
        var position = 0;
        foreach (var v in experiment["variants"]!.AsArray())
        {
            model.Variants.Add(new ExperimentVariant { Key = v!["key"].Str(), Weight = v["weight"].Int(), Position = position++ });
        }

        return [.. Enumerable.Range(1, 10_000).Select(i => i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture))
            .Where(v => ExperimentAssignment.Assign(model, v).Key == key).Take(count)];
    }

    private static JsonNode Variant(JsonNode results, string key) => results["variants"]!.AsArray().Single(v => v!["key"].Str() == key)!;

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_offer_experiment_discounts_treatment_only_and_counts_orders_per_variant(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("EXP-1", 50m, main: 100);
        var discount = await store.Client.PostJson("/api/v1/discounts", new { title = "Ten off", type = "percentage", value = 10m, appliesTo = new { all = true } }).Expect(HttpStatusCode.Created);
        var coded = await store.Client.PostJson("/api/v1/discounts", new { title = "Code", code = "EXPFIVE", type = "percentage", value = 5m, appliesTo = new { all = true } }).Expect(HttpStatusCode.Created);
        var marketing = await store.ClientForAsync(Storekeep.Access.Role.Marketing);
        var twoArms = new[] { new { key = "control", weight = 1 }, new { key = "treatment", weight = 1 } };

        // Validation: each of these is a 400 naming the field.
        async Task Refused(object body, string field)
        {
            var problem = await marketing.PostJson("/api/v1/experiments", body).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        }

        await Refused(new { name = "One arm", kind = "offer", metric = "conversion", discountId = discount["id"].Str(), variants = new[] { new { key = "control", weight = 1 } } }, "variants");
        await Refused(new { name = "No control", kind = "storefront", metric = "conversion", variants = new[] { new { key = "a", weight = 1 }, new { key = "b", weight = 1 } },
            content = new { a = new { headline = "A" }, b = new { headline = "B" } } }, "variants");
        await Refused(new { name = "Twice", kind = "campaign", metric = "conversion", campaignId = Guid.NewGuid(), variants = new[] { new { key = "control", weight = 1 }, new { key = "control", weight = 1 } } }, "variants[1].key");
        await Refused(new { name = "Weightless", kind = "campaign", metric = "conversion", campaignId = Guid.NewGuid(), variants = new[] { new { key = "control", weight = 1 }, new { key = "b", weight = 0 } } }, "variants[1].weight");
        await Refused(new { name = "No campaign", kind = "campaign", metric = "conversion", variants = twoArms }, "campaignId");
        await Refused(new { name = "Code", kind = "offer", metric = "conversion", discountId = coded["id"].Str(), variants = twoArms }, "discountId");
        await Refused(new { name = "No discount", kind = "offer", metric = "conversion", variants = twoArms }, "discountId");
        await Refused(new { name = "Arms", kind = "offer", metric = "conversion", discountId = discount["id"].Str(), variants = new[] { new { key = "control", weight = 1 }, new { key = "b", weight = 1 } } }, "variants");
        await Refused(new { name = "Blank", kind = "storefront", metric = "conversion", variants = twoArms }, "content.treatment");
        await Refused(new { name = "Kind", kind = "banner", metric = "clicks", variants = twoArms }, "kind");
        await Refused(new { name = "Metric", kind = "banner", metric = "clicks", variants = twoArms }, "metric");

        // A campaign experiment names a campaign that exists (CampaignTests covers one that does).
        await marketing.PostJson("/api/v1/experiments", new { name = "Subject lines", kind = "campaign", metric = "conversion", campaignId = Guid.NewGuid(), variants = twoArms })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_campaign");

        var experiment = await marketing.PostJson("/api/v1/experiments", new
        {
            name = "Ten percent off",
            kind = "offer",
            metric = "revenue_per_visitor",
            discountId = discount["id"].Str(),
            variants = twoArms,
        }).Expect(HttpStatusCode.Created);
        var id = experiment["id"].Str();
        Assert.Equal("draft", experiment["status"].Str());
        Assert.Equal("running", (await marketing.PostJson($"/api/v1/experiments/{id}/start", new { }).Expect(HttpStatusCode.OK))["status"].Str());
        await marketing.PostJson($"/api/v1/experiments/{id}/start", new { }).ExpectProblem(HttpStatusCode.Conflict, "experiment_not_draft");

        var browser = Browser(store);
        var controls = VisitorsOf(experiment, "control", 1);
        var treated = VisitorsOf(experiment, "treatment", 2);
        var totals = new Dictionary<string, decimal>();
        foreach (var visitor in new[] { controls[0], treated[0] })
        {
            await PageAsync(browser, visitor, "/"); // the visit the order will carry
            var cart = await store.CartWithAsync(browser, ("EXP-1", 2));
            var priced = await SendAsync(browser, HttpMethod.Get, $"/api/v1/carts/{cart}", visitor);
            var again = await SendAsync(browser, HttpMethod.Get, $"/api/v1/carts/{cart}", visitor);
            var expected = visitor == treated[0] ? 10m : 0m;
            Assert.Equal((expected, expected), (priced["discountTotal"].Dec(), again["discountTotal"].Dec()));
            var order = await SendAsync(browser, HttpMethod.Post, $"/api/v1/carts/{cart}/checkout", visitor, TestCatalog.CheckoutBody(email: $"{visitor[^4..]}@example.com"));
            Assert.Equal(expected, order["discountTotal"].Dec());
            totals[visitor] = order["total"].Dec();
        }

        // A second treatment visitor prices a cart from eight tabs at once (their first exposure races
        // itself: every request succeeds, one row is kept) and leaves; an API caller without a visitor
        // id is in no experiment: no discount.
        var browsing = await store.CartWithAsync(browser, ("EXP-1", 1));
        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(browser, HttpMethod.Get, $"/api/v1/carts/{browsing}", treated[1])));
        Assert.All(racing, r => Assert.Equal(5m, r["discountTotal"].Dec()));
        Assert.Equal(0m, (await SendAsync(store.Client, HttpMethod.Get, $"/api/v1/carts/{browsing}", null))["discountTotal"].Dec());

        await using (var db = store.Db())
        {
            var exposures = await db.Set<ExperimentExposure>().AsNoTracking().Where(x => x.ExperimentId == Guid.Parse(id)).ToListAsync();
            Assert.Equal(3, exposures.Count); // once per visitor, however often their cart was priced
            Assert.Equal(["control", "treatment", "treatment"], exposures.OrderBy(x => x.VariantKey).Select(x => x.VariantKey));
        }

        var results = await marketing.GetAsync($"/api/v1/experiments/{id}/results").Expect(HttpStatusCode.OK);
        Assert.Equal("revenue_per_visitor", results["metric"].Str());
        var control = Variant(results, "control");
        var treatment = Variant(results, "treatment");
        Assert.Equal((1, 1, 1.0), (control["visitors"].Int(), control["conversions"].Int(), control["conversionRate"]!.GetValue<double>()));
        Assert.Equal((totals[controls[0]], totals[controls[0]]), (control["revenue"].Dec(), control["revenuePerVisitor"].Dec()));
        Assert.Equal((2, 1, 0.5), (treatment["visitors"].Int(), treatment["conversions"].Int(), treatment["conversionRate"]!.GetValue<double>()));
        Assert.Equal((totals[treated[0]], totals[treated[0]] / 2), (treatment["revenue"].Dec(), treatment["revenuePerVisitor"].Dec()));
        Assert.Null(control["uplift"]);
        var expectedUplift = (double)((totals[treated[0]] / 2 - totals[controls[0]]) / totals[controls[0]]);
        Assert.Equal(expectedUplift, treatment["uplift"]!.GetValue<double>(), 9);
        Assert.False(results["sampleRatioMismatch"]!["flagged"]!.GetValue<bool>());

        // Stopped: orders placed afterwards no longer count, and it cannot stop twice.
        Assert.Equal("stopped", (await marketing.PostJson($"/api/v1/experiments/{id}/stop", new { }).Expect(HttpStatusCode.OK))["status"].Str());
        await marketing.PostJson($"/api/v1/experiments/{id}/stop", new { }).ExpectProblem(HttpStatusCode.Conflict, "experiment_not_running");
        await marketing.PostJson($"/api/v1/experiments/{id}/start", new { }).ExpectProblem(HttpStatusCode.Conflict, "experiment_not_draft");
        var late = await store.CartWithAsync(browser, ("EXP-1", 1));
        await SendAsync(browser, HttpMethod.Post, $"/api/v1/carts/{late}/checkout", treated[1], TestCatalog.CheckoutBody(email: "late@example.com"));
        var after = await marketing.GetAsync($"/api/v1/experiments/{id}/results").Expect(HttpStatusCode.OK);
        Assert.Equal(1, Variant(after, "treatment")["conversions"].Int());

        var list = await marketing.GetAsync("/api/v1/experiments").Expect(HttpStatusCode.OK);
        Assert.Single(list["items"]!.AsArray());
        await marketing.GetAsync($"/api/v1/experiments/{Guid.NewGuid()}/results").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_storefront_experiment_shows_each_visitor_their_variant_on_every_visit_and_flags_a_skewed_split(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var experiment = await store.Client.PostJson("/api/v1/experiments", new
        {
            name = "Home headline",
            kind = "storefront",
            metric = "conversion",
            variants = new[] { new { key = "control", weight = 1 }, new { key = "treatment", weight = 1 } },
            content = new
            {
                control = new { headline = "Mugs for every morning" },
                treatment = new { headline = "Half the mugs, twice the coffee", banner = "Free shipping this week" },
            },
        }).Expect(HttpStatusCode.Created);
        var id = experiment["id"].Str();

        // A draft changes nothing.
        var browser = Browser(store);
        var ada = VisitorsOf(experiment, "control", 1)[0];
        var bob = VisitorsOf(experiment, "treatment", 1)[0];
        Assert.Contains("<h1>Storekeep demo store</h1>", await PageAsync(browser, ada, "/"), StringComparison.Ordinal);

        await store.Client.PostJson($"/api/v1/experiments/{id}/start", new { }).Expect(HttpStatusCode.OK);
        for (var visit = 0; visit < 3; visit++)
        {
            // Interleaved, so a cached page of one variant is never served to the other.
            var adas = await PageAsync(browser, ada, "/");
            Assert.Contains("Mugs for every morning</h1>", adas, StringComparison.Ordinal);
            Assert.DoesNotContain("Free shipping this week", adas, StringComparison.Ordinal);
            var bobs = await PageAsync(browser, bob, "/");
            Assert.Contains("Half the mugs, twice the coffee</h1>", bobs, StringComparison.Ordinal);
            Assert.Contains("Free shipping this week", bobs, StringComparison.Ordinal);
        }

        await using (var db = store.Db())
        {
            var exposures = await db.Set<ExperimentExposure>().AsNoTracking().Where(x => x.ExperimentId == Guid.Parse(id)).ToListAsync();
            Assert.Equal([(ada, "control"), (bob, "treatment")], exposures.Select(x => (x.VisitorId, x.VariantKey)).OrderBy(x => x.Item2));

            // 300 more control visitors and 200 more treatment ones, written as exposures: a 50/50 split gone wrong.
            var now = DateTime.UtcNow;
            for (var i = 0; i < 500; i++)
            {
                db.Add(new ExperimentExposure { ExperimentId = Guid.Parse(id), VisitorId = $"{i:x30}ff", VariantKey = i < 300 ? "control" : "treatment", ExposedAt = now });
            }

            await db.SaveChangesAsync();
        }

        var results = await store.Client.GetAsync($"/api/v1/experiments/{id}/results").Expect(HttpStatusCode.OK);
        Assert.Equal((301, 201), (Variant(results, "control")["visitors"].Int(), Variant(results, "treatment")["visitors"].Int()));
        var srm = results["sampleRatioMismatch"]!;
        Assert.True(srm["flagged"]!.GetValue<bool>());
        // χ² = 2 × 50² / 251 = 19.9203187…; p = erfc(√(χ²/2)) (chi-squared with one degree of freedom) = 8.0737674e-6 (mpmath).
        Assert.Equal(8.07376742e-6, srm["pValue"]!.GetValue<double>(), 13);

        // The back office shows it to marketing, with the chart and the mismatch warning; support may not look.
        var marketing = await store.SignedInStaffAsync(Storekeep.Access.Role.Marketing);
        Assert.Contains("Home headline", await marketing.GetPageAsync("/admin/experiments"), StringComparison.Ordinal);
        var page = await marketing.GetPageAsync($"/admin/experiments/{id}");
        Assert.Contains("data-testid=\"srm-warning\"", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"experiment-chart\"", page, StringComparison.Ordinal);
        var support = await store.SignedInStaffAsync(Storekeep.Access.Role.Support);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.GetAsync("/admin/experiments")).StatusCode);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Sales;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// The back office's commission plans (on the commissions page) and forecast accuracy page: they
/// show what the API built and computes, and refuse the roles they are not for.
/// </summary>
public sealed class SalesPayPagesTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Plans_and_forecast_accuracy_pages_show_the_apis_figures_and_refuse_other_roles(string database)
    {
        // The page's default period is the last complete quarter (of the real date): deals are made before it and won in it.
        var quarter = SalesPeriod.OfQuarter(DateTime.UtcNow).Previous;
        var clock = new ManualClock(new DateTimeOffset(quarter.Start.AddDays(-10).AddHours(9), TimeSpan.Zero));
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<TimeProvider>(clock));
        var users = await SalesTests.StaffAsync(store,
            ("ann@example.com", "Ann Seller", Role.Sales), ("ben@example.com", "Ben Seller", Role.Sales), ("max@example.com", "Max Manager", Role.Manager));
        var team = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "Pay team", managerId = users[2] }).Expect(HttpStatusCode.Created))["id"].Str();
        var ann = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[0], name = "Ann Tiered", teamId = team }).Expect(HttpStatusCode.Created))["id"].Str();
        var ben = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[1], name = "Ben Planless", teamId = team }).Expect(HttpStatusCode.Created))["id"].Str();

        var plan = await store.Client.PostJson("/api/v1/sales/commission-plans", new
        {
            name = "Pay Tiered Plan", basis = "paid", rate = 5m, tiers = new[] { new { fromAttainment = 100m, rate = 8.5m }, new { fromAttainment = 80m, rate = 7m } },
        }).Expect(HttpStatusCode.Created);
        await store.Client.PutJson($"/api/v1/sales/reps/{ann}/commission-plan", new { planId = plan["id"].Str() }).Expect(HttpStatusCode.OK);

        var close = quarter.Start.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        async Task<string> DealAsync(string owner, decimal amount, string category, int probability)
        {
            var id = (await store.Client.PostJson("/api/v1/sales/deals", new { title = $"Pay deal {amount}", amount, expectedCloseDate = close, ownerRepId = owner })
                .Expect(HttpStatusCode.Created))["id"].Str();
            await store.Client.PatchJson($"/api/v1/sales/deals/{id}", new { forecastCategory = category, probability }).Expect(HttpStatusCode.OK);
            return id;
        }

        var annCommit = await DealAsync(ann, 1000m, "commit", 80);
        await DealAsync(ann, 500.50m, "best_case", 50);
        var benPipeline = await DealAsync(ben, 800m, "pipeline", 40);
        var benCommit = await DealAsync(ben, 300m, "commit", 90);
        clock.Now = new DateTimeOffset(quarter.Start.AddDays(20), TimeSpan.Zero);
        await store.Client.PostJson($"/api/v1/sales/deals/{annCommit}/win", new { }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/sales/deals/{benPipeline}/win", new { }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/sales/deals/{benCommit}/lose", new { reason = "Budget" }).Expect(HttpStatusCode.OK);
        clock.Now = DateTimeOffset.UtcNow; // sign-in cookies live in real time

        // Commission plans: a manager sees the plan, its tiers by attainment and who is on it, and which plan each statement used.
        var manager = await store.SignedInStaffAsync("max@example.com", SalesTests.Password);
        var commissions = WebUtility.HtmlDecode(await manager.GetPageAsync("/admin/sales/commissions"));
        var planRow = Assert.Single(Rows(commissions, "commission-plan-row"));
        foreach (var expected in new[] { "Pay Tiered Plan", "paid", "5 %", "from 80 %: 7 %; from 100 %: 8.5 %", "Ann Tiered" })
        {
            Assert.Contains(expected, planRow, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Ben Planless", planRow, StringComparison.Ordinal);
        Assert.Contains("new-plan-save", commissions, StringComparison.Ordinal);
        Assert.Contains("assign-plan-save", commissions, StringComparison.Ordinal);
        var statements = Rows(commissions, "commission-statement", "div");
        Assert.Contains(statements, s => s.Contains("Ann Tiered", StringComparison.Ordinal) && s.Contains("Plan: Pay Tiered Plan (paid basis)", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("Ben Planless", StringComparison.Ordinal) && s.Contains("Plan: none", StringComparison.Ordinal));

        // Forecast accuracy: the page's figures are the API's for the same period, formatted.
        var api = await store.Client.GetAsync($"/api/v1/sales/forecast-accuracy?period={quarter.Key}").Expect(HttpStatusCode.OK);
        Assert.Equal(1300m, Dec(api["forecast"]!["commit"]));
        Assert.Equal(1800m, Dec(api["won"]));
        var seller = await store.SignedInStaffAsync("ann@example.com", SalesTests.Password);
        var accuracy = WebUtility.HtmlDecode(await (await store.SignedInStaffAsync(Role.Manager)).GetPageAsync("/admin/sales/forecast-accuracy"));
        Assert.Contains(quarter.Key, accuracy, StringComparison.Ordinal);
        Cell(accuracy, "accuracy-commit", Money(api["forecast"]!["commit"]));
        Cell(accuracy, "accuracy-best-case", Money(api["forecast"]!["bestCase"]));
        Cell(accuracy, "accuracy-pipeline", Money(api["forecast"]!["pipeline"]));
        Cell(accuracy, "accuracy-weighted", Money(api["forecast"]!["weighted"]));
        Cell(accuracy, "accuracy-deals", api["forecast"]!["deals"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture));
        Cell(accuracy, "accuracy-won", Money(api["won"]));
        Cell(accuracy, "accuracy-won-from-commit", Money(api["wonFromCommit"]));
        Cell(accuracy, "accuracy-accuracy", "<b>" + Percent(api["accuracy"]) + "</b>");
        Cell(accuracy, "accuracy-weighted-accuracy", Percent(api["weightedAccuracy"]));
        Assert.Equal("138.46 %", Percent(api["accuracy"])); // 1800 won ÷ 1300 commit
        Assert.Equal("1,300.00", Money(api["forecast"]!["commit"]));

        var repRows = Rows(accuracy, "accuracy-rep-row");
        Assert.Equal(2, repRows.Count);
        foreach (var rep in api["perRep"]!.AsArray())
        {
            var row = Assert.Single(repRows, r => r.Contains(rep!["name"].Str(), StringComparison.Ordinal));
            Assert.Contains(Money(rep!["forecast"]!["commit"]), row, StringComparison.Ordinal);
            Assert.Contains(Money(rep["won"]), row, StringComparison.Ordinal);
            Assert.Contains(">" + Percent(rep["accuracy"]) + "<", row, StringComparison.Ordinal);
        }

        var trend = Rows(accuracy, "accuracy-trend-row");
        Assert.Equal(4, trend.Count);
        Assert.Contains(quarter.Previous.Previous.Previous.Key, trend[0], StringComparison.Ordinal);
        Assert.Contains(quarter.Key, trend[3], StringComparison.Ordinal);
        Assert.Contains(Percent(api["accuracy"]), trend[3], StringComparison.Ordinal);
        Assert.Contains("accuracy-chart", accuracy, StringComparison.Ordinal);

        // Ann, a rep, sees her own figures only: her 1,000.00 commit won, not Ben's deals.
        var annAccuracy = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/sales/forecast-accuracy"));
        var annApi = api["perRep"]!.AsArray().Single(r => r!["repId"].Str() == ann)!;
        Cell(annAccuracy, "accuracy-commit", Money(annApi["forecast"]!["commit"]));
        Cell(annAccuracy, "accuracy-won", Money(annApi["won"]));
        Assert.Single(Rows(annAccuracy, "accuracy-rep-row"));

        // ?period= picks another period: the one before has no forecast.
        var earlier = WebUtility.HtmlDecode(await seller.GetPageAsync($"/admin/sales/forecast-accuracy?period={quarter.Previous.Key}"));
        Cell(earlier, "accuracy-commit", "0.00");
        Cell(earlier, "accuracy-weighted-accuracy", "–");

        // Pay is for managers: a rep gets 403 on the commissions page; warehouse staff on both.
        await seller.GetPageAsync("/admin/sales/commissions", HttpStatusCode.Forbidden);
        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        await warehouse.GetPageAsync("/admin/sales/commissions", HttpStatusCode.Forbidden);
        await warehouse.GetPageAsync("/admin/sales/forecast-accuracy", HttpStatusCode.Forbidden);
    }

    private static decimal Dec(JsonNode? node) => node!.GetValue<decimal>();

    private static string Money(JsonNode? node) => Dec(node).ToString("N2", CultureInfo.InvariantCulture);

    private static string Percent(JsonNode? node) => node is null ? "–" : (Dec(node) * 100m).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    private static void Cell(string html, string testId, string expected) =>
        Assert.Contains($"data-testid=\"{testId}\">{expected}</td>", html, StringComparison.Ordinal);

    /// <summary>The inner HTML of each element carrying data-testid="<paramref name="testId"/>" (not nested in one of its kind).</summary>
    private static List<string> Rows(string html, string testId, string tag = "tr") =>
        [.. Regex.Matches(html, $"<{tag}[^>]*data-testid=\"{testId}\"[^>]*>(.*?)</{tag}>", RegexOptions.Singleline).Select(m => m.Groups[1].Value)];
}

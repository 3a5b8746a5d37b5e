using System.Globalization;
using System.Net;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>The demo store's sales team: reps who sign in with the sales role, companies, a year of deals, overdue activities.</summary>
public sealed class SalesDemoTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_demo_store_has_a_sales_team_with_a_year_of_won_lost_and_open_deals(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Seed:Demo"] = "true" });
        var reps = (await store.Client.GetAsync("/api/v1/sales/reps").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal(3, reps.Count);
        Assert.Contains(reps, r => r!["email"].Str() == "sales@demo.storekeep.test");
        Assert.Equal(2, (await store.Client.GetAsync("/api/v1/sales/territories").Expect(HttpStatusCode.OK)).AsArray().Count);
        Assert.Equal(25, (await store.Client.GetAsync("/api/v1/companies?limit=200").Expect(HttpStatusCode.OK))["items"]!.AsArray().Count);

        var from = DateTime.UtcNow.Date.AddDays(-366).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var metrics = await store.Client.GetAsync($"/api/v1/sales/metrics?from={from}").Expect(HttpStatusCode.OK);
        Assert.True(metrics["won"].Int() >= 10 && metrics["lost"].Int() >= 10 && metrics["openDeals"].Int() >= 5, metrics.ToJsonString());
        Assert.True(metrics["salesCycleDaysMean"].Dec() > 0 && metrics["weightedPipeline"].Dec() > 0, metrics.ToJsonString());
        Assert.NotEmpty((await store.Client.GetAsync("/api/v1/sales/activities?overdue=true").Expect(HttpStatusCode.OK))["items"]!.AsArray());

        // The demo sales account is a rep and sees the board.
        var seller = await store.SignedInStaffAsync(Storekeep.Access.Role.Sales);
        Assert.Contains("Sales pipeline", await seller.GetPageAsync("/admin/sales/pipeline"), StringComparison.Ordinal);

        // Quotas and commissions show real figures: last quarter's quotas near what was sold, a tiered plan.
        var now = DateTime.UtcNow.Date.AddDays(-1);
        var lastQuarter = new DateTime(now.Year, ((now.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-3);
        var period = $"{lastQuarter.Year}-Q{((lastQuarter.Month - 1) / 3) + 1}";
        var quotas = await store.Client.GetAsync($"/api/v1/sales/quotas?period={period}").Expect(HttpStatusCode.OK);
        Assert.All(quotas["reps"]!.AsArray(), r => Assert.True(r!["quota"].Dec() >= 500m, quotas.ToJsonString()));
        Assert.Contains(quotas["reps"]!.AsArray(), r => r!["attained"].Dec() > 0m);
        var commissions = await store.Client.GetAsync($"/api/v1/sales/commissions?period={period}").Expect(HttpStatusCode.OK);
        Assert.True(commissions["commission"].Dec() > 0m, commissions.ToJsonString());
        Assert.Contains("Leaderboard", await seller.GetPageAsync($"/admin/sales/quotas"), StringComparison.Ordinal);
        var manager = await store.SignedInStaffAsync(Storekeep.Access.Role.Manager);
        var commissionsPage = WebUtility.HtmlDecode(await manager.GetPageAsync("/admin/sales/commissions"));
        Assert.Contains("Commission statements", commissionsPage, StringComparison.Ordinal);
        Assert.Contains("from 80 %: 7 %; from 100 %: 10 %", commissionsPage, StringComparison.Ordinal); // the demo's "Wholesale standard" plan

        // Forecast accuracy over the year of deals: the page shows the API's figures.
        var accuracy = await store.Client.GetAsync($"/api/v1/sales/forecast-accuracy?period={period}").Expect(HttpStatusCode.OK);
        var accuracyPage = WebUtility.HtmlDecode(await (await store.SignedInStaffAsync(Storekeep.Access.Role.Manager)).GetPageAsync($"/admin/sales/forecast-accuracy?period={period}"));
        Assert.Contains($"data-testid=\"accuracy-won\">{accuracy["won"].Dec().ToString("N2", CultureInfo.InvariantCulture)}</td>", accuracyPage, StringComparison.Ordinal);
        Assert.Contains($"data-testid=\"accuracy-commit\">{accuracy["forecast"]!["commit"].Dec().ToString("N2", CultureInfo.InvariantCulture)}</td>", accuracyPage, StringComparison.Ordinal);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(accuracyPage, "data-testid=\"accuracy-trend-row\"").Count);
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Sales;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// The back office's sales team page (teams, reps, territories, stage probabilities) and the
/// sales tasks page (activities across deals, overdue first to see, paged by due date).
/// </summary>
public sealed class SalesSetupPagesTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_team_and_tasks_pages_show_what_the_api_built_page_by_due_date_and_refuse_warehouse_staff(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var users = await SalesTests.StaffAsync(store, ("ann@example.com", "Ann Seller", Role.Sales), ("cat@example.com", "Cat Manager", Role.Manager));
        var teamId = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "Northern Wholesale", managerId = users[1] }).Expect(HttpStatusCode.Created))["id"].Str();
        var ann = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[0], name = "Ann Fjordsen", teamId }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson("/api/v1/sales/territories", new
        {
            name = "Nordics", countries = new[] { "se", "NO" }, industries = new[] { "Furniture" }, assignment = "round_robin", repIds = new[] { ann },
        }).Expect(HttpStatusCode.Created);
        var deal = (await store.Client.PostJson("/api/v1/sales/deals", new { title = "Fjord Furniture deal", amount = 900m, expectedCloseDate = "2027-01-01", ownerRepId = ann })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PatchJson($"/api/v1/sales/deals/{deal}", new { probability = 33 }).Expect(HttpStatusCode.OK);
        var late = (await store.Client.PostJson($"/api/v1/sales/deals/{deal}/activities", new { type = "task", subject = "Ring the Fjord buyer", dueAt = DateTime.UtcNow.AddDays(-2) })
            .Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/sales/deals/{deal}/activities", new { type = "email", subject = "Sent the brochure", done = true }).Expect(HttpStatusCode.Created);

        await using (var scope = store.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Deals>().UpdateStagesAsync(
                new UpdateStagesRequest([new StageProbabilityRequest("negotiation", 47)]), CancellationToken.None);
        }

        var seller = await store.SignedInStaffAsync("ann@example.com", SalesTests.Password); // the deal's rep: her tasks are hers to see
        var team = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/sales/team"));
        foreach (var expected in new[] { "Northern Wholesale", "Cat Manager", "Ann Fjordsen", "ann@example.com", "Nordics", "SE, NO", "Furniture", "round robin", "47 %", "Open deals with a probability set by hand: 1." })
        {
            Assert.Contains(expected, team, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("new-team-save", team, StringComparison.Ordinal); // building the team is sales.manage
        Assert.Contains("new-team-save", await (await store.SignedInStaffAsync(Role.Manager)).GetPageAsync("/admin/sales/team"), StringComparison.Ordinal);

        var tasks = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/sales/activities"));
        Assert.Contains("1 overdue", tasks, StringComparison.Ordinal);
        Assert.Contains("Ring the Fjord buyer", tasks, StringComparison.Ordinal);
        Assert.Contains("Sent the brochure", tasks, StringComparison.Ordinal);
        Assert.Contains($"/admin/sales/deals/{deal}", tasks, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(tasks, "data-testid=\"activity-overdue\""));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(tasks, "data-testid=\"activity-done\"")); // only the open one

        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        await warehouse.GetPageAsync("/admin/sales/team", HttpStatusCode.Forbidden);
        await warehouse.GetPageAsync("/admin/sales/activities", HttpStatusCode.Forbidden);

        // 60 more: 30 dated, 30 undated. Pages of 50 by due date, undated last, each row once.
        var now = DateTime.UtcNow;
        for (var i = 0; i < 60; i++)
        {
            await store.Client.PostJson($"/api/v1/sales/deals/{deal}/activities", new
            {
                type = "call", subject = $"Call {i:00}", dueAt = i % 2 == 0 ? now.AddDays(1 + (i % 7)) : (DateTime?)null,
            }).Expect(HttpStatusCode.Created);
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            var views = scope.ServiceProvider.GetRequiredService<SalesSetupViews>();
            var rows = new List<ActivityRow>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await views.ActivitiesAsync(Guid.Parse(ann), overdueOnly: false, openOnly: false, cursor, SalesScope.Everyone, CancellationToken.None);
                Assert.Equal(1, page.Overdue);
                rows.AddRange(page.Items);
                cursor = page.NextCursor;
                pages++;
            }
            while (cursor is not null);

            Assert.Equal(2, pages);
            Assert.Equal(62, rows.Count);
            Assert.Equal(62, rows.Select(r => r.Id).Distinct().Count());
            Assert.Equal("Ring the Fjord buyer", rows[0].Subject);
            var dated = rows.TakeWhile(r => r.DueAt is not null).ToList();
            Assert.Equal(31, dated.Count);
            Assert.Equal(dated.OrderBy(r => r.DueAt).Select(r => r.DueAt), dated.Select(r => r.DueAt));
            Assert.All(rows.Skip(31), r => Assert.Null(r.DueAt));

            var open = await views.ActivitiesAsync(null, overdueOnly: false, openOnly: true, null, SalesScope.Everyone, CancellationToken.None);
            Assert.DoesNotContain(open.Items, r => r.Subject == "Sent the brochure");
            var overdue = await views.ActivitiesAsync(null, overdueOnly: true, openOnly: false, null, SalesScope.Everyone, CancellationToken.None);
            Assert.Equal(late, Assert.Single(overdue.Items).Id.ToString());
            Assert.Empty((await views.ActivitiesAsync(Guid.NewGuid(), false, false, null, SalesScope.Everyone, CancellationToken.None)).Items);
        }

        await store.Client.PostAsync($"/api/v1/sales/activities/{late}/done", null).Expect(HttpStatusCode.OK);
        tasks = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/sales/activities"));
        Assert.Contains("Nothing overdue.", tasks, StringComparison.Ordinal);
        Assert.Contains("activities-more", tasks, StringComparison.Ordinal); // 62 rows: a second page
    }
}

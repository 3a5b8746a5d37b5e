using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// The sales team and pipeline over the API: reps tied to back-office users, territories assigning
/// new companies round-robin under concurrency, buyers joining companies, deals through the stages
/// with a kept manual probability, concurrent moves and closes writing history exactly once.
/// </summary>
public sealed class SalesTests
{
    internal const string Password = "Correct-Horse-Battery-9";

    /// <summary>Back-office users: returns their ids in order.</summary>
    internal static async Task<List<Guid>> StaffAsync(TestStore store, params (string Email, string Name, Role Role)[] users)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
        await staff.EnsureRolesAsync();
        var ids = new List<Guid>();
        foreach (var (email, name, role) in users)
        {
            ids.Add((await staff.CreateAsync(email, name, [role], Password)).Id);
        }

        return ids;
    }

    private static async Task<long> ScalarAsync(TestStore store, string sql)
    {
        await using var db = store.Db();
        return await db.Database.SqlQueryRaw<long>(sql).SingleAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Reps_territories_companies_and_deals_assign_round_robin_and_move_through_the_pipeline_once_under_concurrency(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var users = await StaffAsync(store,
            ("ann@example.com", "Ann Seller", Role.Sales), ("bob@example.com", "Bob Seller", Role.Sales),
            ("cat@example.com", "Cat Manager", Role.Manager), ("wes@example.com", "Wes Warehouse", Role.Warehouse));

        var team = await store.Client.PostJson("/api/v1/sales/teams", new { name = "Wholesale", managerId = users[2] }).Expect(HttpStatusCode.Created);
        var teamId = team["id"].Str();
        await store.Client.PostJson("/api/v1/sales/teams", new { name = "Nobody's", managerId = users[3] }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_manager");

        var ann = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[0], name = "Ann", teamId }).Expect(HttpStatusCode.Created))["id"].Str();
        var bob = (await store.Client.PostJson("/api/v1/sales/reps", new { email = "BOB@example.com", teamId }).Expect(HttpStatusCode.Created));
        Assert.Equal("Bob Seller", bob["name"].Str()); // the user's display name by default
        var bobId = bob["id"].Str();
        var cat = (await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[2], name = "Cat", teamId }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[3], name = "Wes", teamId }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "rep_user_not_sales");
        await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[0], name = "Ann again", teamId }).ExpectProblem(HttpStatusCode.Conflict, "rep_exists");
        await store.Client.PostJson("/api/v1/sales/reps", new { email = "nobody@example.com", teamId }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_user");
        await store.Client.PostJson("/api/v1/sales/reps", new { userId = Guid.NewGuid(), teamId = Guid.NewGuid() }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_user");

        // DACH round-robin between Ann and Bob; everything else to its owner, Cat.
        var dach = await store.Client.PostJson("/api/v1/sales/territories", new
        {
            name = "DACH", countries = new[] { "de", "AT", "CH" }, assignment = "round_robin", repIds = new[] { ann, bobId },
        }).Expect(HttpStatusCode.Created);
        Assert.Equal(["DE", "AT", "CH"], dach["countries"]!.AsArray().Select(c => c.Str()));
        await store.Client.PostJson("/api/v1/sales/territories", new { name = "Rest", assignment = "owner", repIds = new[] { cat } }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/sales/territories", new { name = "Bad", assignment = "owner", repIds = new[] { Guid.NewGuid() } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_rep");
        Assert.Equal(2, (await store.Client.GetAsync("/api/v1/sales/territories").Expect(HttpStatusCode.OK)).AsArray().Count);

        // Twelve German companies at once: the cursor hands out turns one by one, six each.
        var created = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => store.Client.PostJson("/api/v1/companies", new
        {
            name = $"Gmbh {i}", country = "DE", industry = "Retail", paymentTerms = "net_30", creditLimit = 5000.50m,
        })));
        var owners = new List<string>();
        foreach (var response in created)
        {
            var company = await response.Expect(HttpStatusCode.Created);
            Assert.Equal("net_30", company["paymentTerms"].Str());
            Assert.Equal(5000.50m, company["creditLimit"].Dec());
            owners.Add(company["ownerRepId"].Str());
        }

        Assert.Equal(6, owners.Count(o => o == ann));
        Assert.Equal(6, owners.Count(o => o == bobId));
        Assert.Equal(12, await ScalarAsync(store, "SELECT assignment_cursor AS \"Value\" FROM sales_territories WHERE name = 'DACH'"));
        Assert.Equal(500050, await ScalarAsync(store, "SELECT MAX(credit_limit) AS \"Value\" FROM companies"));

        var french = await store.Client.PostJson("/api/v1/companies", new { name = "SARL Lyon", country = "FR", paymentTerms = "prepaid" }).Expect(HttpStatusCode.Created);
        Assert.Equal(cat, french["ownerRepId"].Str());
        var frenchId = french["id"].Str();

        // Buyers: a new customer (201), the same again (200), listed on the company.
        var buyer = await store.Client.PostJson($"/api/v1/companies/{frenchId}/buyers", new { email = "Achat@Lyon.example" }).Expect(HttpStatusCode.Created);
        Assert.Equal("achat@lyon.example", buyer["email"].Str());
        await store.Client.PostJson($"/api/v1/companies/{frenchId}/buyers", new { email = "achat@lyon.example" }).Expect(HttpStatusCode.OK);
        var withBuyers = await store.Client.GetAsync($"/api/v1/companies/{frenchId}").Expect(HttpStatusCode.OK);
        Assert.Equal(buyer["customerId"].Str(), Assert.Single(withBuyers["buyers"]!.AsArray())!["customerId"].Str());
        Assert.Equal(1, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM customers WHERE company_id IS NOT NULL"));
        var patched = await store.Client.PatchJson($"/api/v1/companies/{frenchId}", new { paymentTerms = "net_60", region = "Auvergne" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("net_60", "Auvergne", "SARL Lyon"), (patched["paymentTerms"].Str(), patched["region"].Str(), patched["name"].Str()));
        var page = await store.Client.GetAsync("/api/v1/companies?limit=5").Expect(HttpStatusCode.OK);
        Assert.Equal(5, page["items"]!.AsArray().Count);
        Assert.NotNull(page["nextCursor"]);

        // A deal of the French company goes to the company's owner (the Rest territory assigns by owner).
        var deal = await store.Client.PostJson("/api/v1/sales/deals", new
        {
            title = "Lyon restock", companyId = frenchId, contactEmail = "achat@lyon.example", amount = 12500.25m, expectedCloseDate = "2027-03-31", source = "trade fair",
        }).Expect(HttpStatusCode.Created);
        var dealId = deal["id"].Str();
        Assert.Equal((cat, "prospecting", 10, "pipeline", "SARL Lyon"), (deal["ownerRepId"].Str(), deal["stage"].Str(), deal["probability"].Int(), deal["forecastCategory"].Str(), deal["companyName"].Str()));

        await store.Client.PostJson($"/api/v1/sales/deals/{dealId}/stage", new { stage = "qualification" }).Expect(HttpStatusCode.OK);
        var proposal = await store.Client.PostJson($"/api/v1/sales/deals/{dealId}/stage", new { stage = "proposal" }).Expect(HttpStatusCode.OK);
        Assert.Equal(40, proposal["probability"].Int());
        var manual = await store.Client.PatchJson($"/api/v1/sales/deals/{dealId}", new { probability = 55, forecastCategory = "commit" }).Expect(HttpStatusCode.OK);
        Assert.True(manual["probabilityManual"]!.GetValue<bool>());
        await store.Client.PatchJson($"/api/v1/sales/deals/{dealId}", new { forecastCategory = "closed" }).ExpectProblem(HttpStatusCode.BadRequest);

        // Eight concurrent moves to negotiation: one moves it, the others find it moved (no-op or 409); one history row.
        var moves = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.Client.PostJson($"/api/v1/sales/deals/{dealId}/stage", new { stage = "negotiation" })));
        foreach (var move in moves)
        {
            if (move.StatusCode != HttpStatusCode.OK)
            {
                await move.ExpectProblem(HttpStatusCode.Conflict, "deal_stage_changed");
            }
        }

        var history = (await store.Client.GetAsync($"/api/v1/sales/deals/{dealId}/history").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal([null, "prospecting", "qualification", "proposal"], history.Select(h => h!["from"]?.GetValue<string>()));
        Assert.Equal(["prospecting", "qualification", "proposal", "negotiation"], history.Select(h => h!["to"].Str()));
        Assert.Equal([10, 20, 40, 55], history.Select(h => h!["probability"].Int())); // the manual 55 is kept

        // Four wins and four losses at once: exactly one closes the deal.
        var closes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? store.Client.PostJson($"/api/v1/sales/deals/{dealId}/win", new { })
            : store.Client.PostJson($"/api/v1/sales/deals/{dealId}/lose", new { reason = "price" })));
        Assert.Single(closes, c => c.StatusCode == HttpStatusCode.OK);
        foreach (var refused in closes.Where(c => c.StatusCode != HttpStatusCode.OK))
        {
            var problem = await refused.ExpectProblem(HttpStatusCode.Conflict);
            Assert.Contains(problem["code"].Str(), new[] { "deal_closed", "deal_stage_changed" });
        }

        var closed = await store.Client.GetAsync($"/api/v1/sales/deals/{dealId}").Expect(HttpStatusCode.OK);
        var won = closed["stage"].Str() == "won";
        Assert.Equal(won ? (100, "closed") : (0, "omitted"), (closed["probability"].Int(), closed["forecastCategory"].Str()));
        Assert.Equal(won ? null : "price", closed["lostReason"]?.GetValue<string>());
        Assert.Equal(1, await ScalarAsync(store, $"SELECT COUNT(*) AS \"Value\" FROM sales_deal_stage_changes WHERE from_stage = 'negotiation'"));
        Assert.Equal(5, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM sales_deal_stage_changes"));
        await store.Client.PostJson($"/api/v1/sales/deals/{dealId}/stage", new { stage = "closing" }).ExpectProblem(HttpStatusCode.Conflict, "deal_closed");
        await store.Client.PatchJson($"/api/v1/sales/deals/{dealId}", new { probability = 5 }).ExpectProblem(HttpStatusCode.Conflict, "deal_closed");
        await store.Client.PostJson($"/api/v1/sales/deals/{dealId}/win", new { }).ExpectProblem(HttpStatusCode.Conflict, "deal_closed");

        // Default probabilities are editable; a new move takes the new default.
        var stages = await store.Client.PutJson("/api/v1/sales/stages", new { stages = new[] { new { stage = "qualification", probability = 25 } } }).Expect(HttpStatusCode.OK);
        Assert.Equal([10, 25, 40, 60, 80, 100, 0], stages["stages"]!.AsArray().Select(s => s!["probability"].Int()));
        await store.Client.PutJson("/api/v1/sales/stages", new { stages = new[] { new { stage = "won", probability = 90 } } }).ExpectProblem(HttpStatusCode.BadRequest);
        var second = await store.Client.PostJson("/api/v1/sales/deals", new { title = "Berlin pilot", amount = 900m, expectedCloseDate = "2027-01-15", ownerRepId = ann })
            .Expect(HttpStatusCode.Created);
        var secondId = second["id"].Str();
        Assert.Equal(25, (await store.Client.PostJson($"/api/v1/sales/deals/{secondId}/stage", new { stage = "qualification" }).Expect(HttpStatusCode.OK))["probability"].Int());
        await store.Client.PostJson($"/api/v1/sales/deals/{secondId}/lose", new { reason = " " }).ExpectProblem(HttpStatusCode.BadRequest);

        // Lists filter by rep, team and stage.
        Assert.Equal(secondId, Assert.Single((await store.Client.GetAsync($"/api/v1/sales/deals?repId={ann}").Expect(HttpStatusCode.OK))["items"]!.AsArray())!["id"].Str());
        Assert.Equal(2, (await store.Client.GetAsync($"/api/v1/sales/deals?teamId={teamId}").Expect(HttpStatusCode.OK))["items"]!.AsArray().Count);
        Assert.Equal(secondId, Assert.Single((await store.Client.GetAsync("/api/v1/sales/deals?stage=qualification").Expect(HttpStatusCode.OK))["items"]!.AsArray())!["id"].Str());

        // Activities: one overdue until done, one logged done.
        var overdue = await store.Client.PostJson($"/api/v1/sales/deals/{secondId}/activities", new { type = "call", subject = "Call the buyer", dueAt = DateTime.UtcNow.AddDays(-1) })
            .Expect(HttpStatusCode.Created);
        Assert.True(overdue["overdue"]!.GetValue<bool>());
        await store.Client.PostJson($"/api/v1/sales/deals/{secondId}/activities", new { type = "note", subject = "Met at the fair", done = true }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/sales/deals/{secondId}/activities", new { type = "fax", subject = "x" }).ExpectProblem(HttpStatusCode.BadRequest);
        var late = (await store.Client.GetAsync($"/api/v1/sales/activities?repId={ann}&overdue=true").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(overdue["id"].Str(), Assert.Single(late)!["id"].Str());
        Assert.Empty((await store.Client.GetAsync($"/api/v1/sales/activities?repId={bobId}&overdue=true").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        var done = await store.Client.PostAsync($"/api/v1/sales/activities/{overdue["id"].Str()}/done", null).Expect(HttpStatusCode.OK);
        Assert.True(done["done"]!.GetValue<bool>());
        Assert.Empty((await store.Client.GetAsync("/api/v1/sales/activities?overdue=true").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal(2, (await store.Client.GetAsync("/api/v1/sales/activities").Expect(HttpStatusCode.OK))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_rep_sees_their_own_pipeline_a_team_manager_their_team_and_a_sales_manager_everyone()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("SCOPE-1", 10.00m, main: 10);
        var users = await StaffAsync(store,
            ("ann@example.com", "Ann Seller", Role.Sales), ("bob@example.com", "Bob Seller", Role.Sales),
            ("lea@example.com", "Lea Lead", Role.Sales), ("cy@example.com", "Cy Elsewhere", Role.Sales), ("max@example.com", "Max Manager", Role.Manager));
        var north = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "North", managerId = users[2] }).Expect(HttpStatusCode.Created))["id"].Str();
        var south = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "South" }).Expect(HttpStatusCode.Created))["id"].Str();
        var reps = new List<string>();
        foreach (var (user, team) in new[] { (users[0], north), (users[1], north), (users[3], south) })
        {
            reps.Add((await store.Client.PostJson("/api/v1/sales/reps", new { userId = user, teamId = team }).Expect(HttpStatusCode.Created))["id"].Str());
        }

        async Task<string> DealAsync(string title, string? owner) =>
            (await store.Client.PostJson("/api/v1/sales/deals", new { title, amount = 100m, expectedCloseDate = "2027-01-01", ownerRepId = owner }).Expect(HttpStatusCode.Created))["id"].Str();
        var annDeal = await DealAsync("Ann's deal", reps[0]);
        var bobDeal = await DealAsync("Bob's deal", reps[1]);
        await DealAsync("Cy's deal", reps[2]);
        await DealAsync("Nobody's deal", null);
        var bobQuote = (await store.Client.PostJson("/api/v1/sales/quotes", new { email = "buyer@example.test", dealId = bobDeal, validUntil = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), lines = new[] { new { sku = "SCOPE-1", quantity = 1 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var annQuote = (await store.Client.PostJson("/api/v1/sales/quotes", new { email = "other@example.test", dealId = annDeal, validUntil = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), lines = new[] { new { sku = "SCOPE-1", quantity = 2 } } })
            .Expect(HttpStatusCode.Created))["id"].Str();

        await store.Client.PostJson($"/api/v1/sales/deals/{bobDeal}/activities", new { type = "call", subject = "Call Bob's buyer" }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/sales/deals/{annDeal}/activities", new { type = "call", subject = "Call Ann's buyer" }).Expect(HttpStatusCode.Created);

        async Task<string> BoardAsync(string email) =>
            WebUtility.HtmlDecode(await (await store.SignedInStaffAsync(email, Password)).GetPageAsync("/admin/sales/pipeline"));
        static void Sees(string page, bool ann, bool bob, bool cy)
        {
            Assert.Equal(ann, page.Contains("Ann's deal", StringComparison.Ordinal));
            Assert.Equal(bob, page.Contains("Bob's deal", StringComparison.Ordinal));
            Assert.Equal(cy, page.Contains("Cy's deal", StringComparison.Ordinal));
            Assert.Contains("Nobody's deal", page, StringComparison.Ordinal); // the unassigned pool is everyone's
        }

        Sees(await BoardAsync("ann@example.com"), ann: true, bob: false, cy: false);
        Sees(await BoardAsync("lea@example.com"), ann: true, bob: true, cy: false); // manages North
        Sees(await BoardAsync("max@example.com"), ann: true, bob: true, cy: true); // the manager role sees everyone's

        // Ann cannot open Bob's deal or quote, and her quote list holds her own deal's quote only; Lea, North's manager, opens both.
        var ann = await store.SignedInStaffAsync("ann@example.com", Password);
        var bobsDealForAnn = WebUtility.HtmlDecode(await ann.GetPageAsync($"/admin/sales/deals/{bobDeal}"));
        Assert.Contains("another rep's pipeline", bobsDealForAnn, StringComparison.Ordinal);
        Assert.DoesNotContain("Bob's deal", bobsDealForAnn, StringComparison.Ordinal);
        Assert.Contains("another rep's pipeline", WebUtility.HtmlDecode(await ann.GetPageAsync($"/admin/sales/quotes/{bobQuote}")), StringComparison.Ordinal);
        var annQuotes = WebUtility.HtmlDecode(await ann.GetPageAsync("/admin/sales/quotes"));
        Assert.Contains("other@example.test", annQuotes, StringComparison.Ordinal);
        Assert.DoesNotContain("buyer@example.test", annQuotes, StringComparison.Ordinal);
        Assert.Contains("Ann's deal", WebUtility.HtmlDecode(await ann.GetPageAsync($"/admin/sales/deals/{annDeal}")), StringComparison.Ordinal);
        var annTasks = WebUtility.HtmlDecode(await ann.GetPageAsync("/admin/sales/activities"));
        Assert.Contains("Call Ann's buyer", annTasks, StringComparison.Ordinal);
        Assert.DoesNotContain("Call Bob's buyer", annTasks, StringComparison.Ordinal);
        var lea = await store.SignedInStaffAsync("lea@example.com", Password);
        Assert.Contains("Bob's deal", WebUtility.HtmlDecode(await lea.GetPageAsync($"/admin/sales/deals/{bobDeal}")), StringComparison.Ordinal);
        Assert.Contains("Call Bob's buyer", WebUtility.HtmlDecode(await lea.GetPageAsync("/admin/sales/activities")), StringComparison.Ordinal);
        Assert.Contains("buyer@example.test", WebUtility.HtmlDecode(await lea.GetPageAsync($"/admin/sales/quotes/{bobQuote}")), StringComparison.Ordinal);
        Assert.Contains("other@example.test", WebUtility.HtmlDecode(await lea.GetPageAsync($"/admin/sales/quotes/{annQuote}")), StringComparison.Ordinal);

        // Forecast accuracy lists the reps in scope only: Ann herself, Lea North's two, the manager all three.
        static int RepRows(string page) => page.Split("data-testid=\"accuracy-rep-row\"").Length - 1;
        Assert.Equal(1, RepRows(await ann.GetPageAsync("/admin/sales/forecast-accuracy")));
        Assert.Equal(2, RepRows(await lea.GetPageAsync("/admin/sales/forecast-accuracy")));
        Assert.Equal(3, RepRows(await (await store.SignedInStaffAsync("max@example.com", Password)).GetPageAsync("/admin/sales/forecast-accuracy")));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Sales_reads_and_writes_deals_but_only_managers_build_the_team_and_bad_input_is_refused_whole(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var sales = await store.ClientForAsync(Role.Sales);
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var manager = await store.ClientForAsync(Role.Manager);

        await sales.PostJson("/api/v1/sales/teams", new { name = "Mine" }).ExpectProblem(HttpStatusCode.Forbidden);
        await sales.PutJson("/api/v1/sales/stages", new { stages = new[] { new { stage = "proposal", probability = 50 } } }).ExpectProblem(HttpStatusCode.Forbidden);
        await warehouse.GetAsync("/api/v1/sales/deals").ExpectProblem(HttpStatusCode.Forbidden);
        await warehouse.GetAsync("/api/v1/companies").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/sales/metrics").ExpectProblem(HttpStatusCode.Unauthorized);
        await manager.PostJson("/api/v1/sales/teams", new { name = "Managed" }).Expect(HttpStatusCode.Created);
        await sales.PostJson("/api/v1/sales/deals", new { title = "Board card deal", amount = 4321.5m, expectedCloseDate = "2027-01-01" }).Expect(HttpStatusCode.Created);

        var deal = await sales.PostJson("/api/v1/sales/deals", new { title = "Sold by sales", amount = 10m, expectedCloseDate = "2027-01-01" }).Expect(HttpStatusCode.Created);
        Assert.Null(deal["ownerRepId"]); // no territory: unowned
        await sales.PostJson($"/api/v1/sales/deals/{deal["id"].Str()}/stage", new { stage = "proposal" }).Expect(HttpStatusCode.OK);

        var before = await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM sales_deals");
        var invalid = await sales.PostJson("/api/v1/sales/deals", new { title = " ", amount = 10.001m, contactEmail = "not-an-email" }).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = invalid["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["amount", "contactEmail", "expectedCloseDate", "title"], errors);
        Assert.Equal(before, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM sales_deals"));
        await sales.PostJson("/api/v1/sales/deals", new { title = "x", amount = 1m, expectedCloseDate = "2027-01-01", companyId = Guid.NewGuid() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_company");
        await sales.PatchJson($"/api/v1/sales/deals/{deal["id"].Str()}", new { probability = 101 }).ExpectProblem(HttpStatusCode.BadRequest);
        await sales.PostJson($"/api/v1/sales/deals/{deal["id"].Str()}/stage", new { stage = "won" }).ExpectProblem(HttpStatusCode.BadRequest);
        await sales.GetAsync("/api/v1/sales/deals/not-an-id").ExpectProblem(HttpStatusCode.NotFound);
        await sales.GetAsync("/api/v1/sales/deals?stage=maybe").ExpectProblem(HttpStatusCode.BadRequest);
        await sales.GetAsync("/api/v1/sales/metrics?from=2026-05-01&to=2026-04-01").ExpectProblem(HttpStatusCode.BadRequest);
        await sales.GetAsync("/api/v1/sales/metrics?from=yesterday").ExpectProblem(HttpStatusCode.BadRequest);

        // The back office: the board shows the open deals' cards, the deal page its history; warehouse staff are refused.
        var seller = await store.SignedInStaffAsync(Role.Sales);
        var board = WebUtility.HtmlDecode(await seller.GetPageAsync("/admin/sales/pipeline"));
        Assert.Contains("Board card deal", board, StringComparison.Ordinal);
        Assert.Contains("Sold by sales", board, StringComparison.Ordinal);
        var dealPage = WebUtility.HtmlDecode(await seller.GetPageAsync($"/admin/sales/deals/{deal["id"].Str()}"));
        Assert.Contains("prospecting → proposal", dealPage, StringComparison.Ordinal);
        await (await store.SignedInStaffAsync(Role.Warehouse)).GetPageAsync("/admin/sales/pipeline", HttpStatusCode.Forbidden);

        var company = await sales.PostJson("/api/v1/companies", new { name = "", country = "XX", paymentTerms = "net_45", creditLimit = -1m }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["country", "creditLimit", "name", "paymentTerms"], company["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        await manager.PostJson("/api/v1/sales/territories", new { name = "T", countries = new[] { "ZZ" }, assignment = "random" }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0, await ScalarAsync(store, "SELECT COUNT(*) AS \"Value\" FROM companies"));
    }
}

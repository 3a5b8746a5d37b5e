using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Fulfillment;

/// <summary>Scanning while picking (POST /pick-lists/scans), the scanning page, and pick accuracy in the fulfillment report.</summary>
public sealed class PickScanTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Scans_are_right_only_for_units_the_order_still_needs_and_pick_accuracy_counts_them(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 20, title: "Mug");
        await store.AddProductAsync("CAP-1", 5m, main: 10, title: "Cap");
        await store.AddProductAsync("TEE-1", 20m, main: 10, title: "Tee");
        var order = await store.PlaceOrderAsync(("MUG-1", 3), ("CAP-1", 1));
        var number = order["number"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var warehouse = await store.ClientForAsync(Role.Warehouse);

        async Task<System.Text.Json.Nodes.JsonNode> Scan(string code, int quantity = 1) =>
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = number, code, quantity })).Expect(HttpStatusCode.Created);

        var first = await Scan("mug-1", 2);
        Assert.True(first["correct"]!.GetValue<bool>());
        Assert.Equal("MUG-1", first["sku"].Str());
        Assert.Equal([("CAP-1", 1, 0), ("MUG-1", 3, 2)], first["lines"]!.AsArray().Select(l => (l!["sku"].Str(), l["toPick"].Int(), l["picked"].Int())));
        Assert.False(first["complete"]!.GetValue<bool>());

        var notOnOrder = await Scan("TEE-1");
        Assert.False(notOnOrder["correct"]!.GetValue<bool>());
        Assert.Contains("not on order", notOnOrder["message"].Str(), StringComparison.Ordinal);
        var tooMany = await Scan("MUG-1", 2);
        Assert.False(tooMany["correct"]!.GetValue<bool>());
        Assert.Contains("needs 1 more of MUG-1", tooMany["message"].Str(), StringComparison.Ordinal);
        var unknown = await Scan("NOPE-404");
        Assert.False(unknown["correct"]!.GetValue<bool>());
        Assert.Null(unknown["sku"]);
        Assert.True((await Scan("CAP-1"))["correct"]!.GetValue<bool>());
        var last = await Scan("MUG-1");
        Assert.True(last["correct"]!.GetValue<bool>());
        Assert.True(last["complete"]!.GetValue<bool>());
        Assert.Contains("is picked", last["message"].Str(), StringComparison.Ordinal);

        // Bad input is a problem and records nothing.
        await using (var db = store.Db())
        {
            var before = await db.PickScans.CountAsync(TestContext.Current.CancellationToken);
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = number, code = "MUG-1", quantity = 0 })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = number })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "MOON", order = number, code = "MUG-1" })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = "999999", code = "MUG-1" })).ExpectProblem(HttpStatusCode.NotFound, "not_found");
            var marketing = await store.ClientForAsync(Role.Marketing);
            Assert.Equal(HttpStatusCode.Forbidden, (await marketing.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = number, code = "MUG-1" })).StatusCode);
            Assert.Equal(before, await db.PickScans.CountAsync(TestContext.Current.CancellationToken));
        }

        // Pickers racing for the last unit of another order: exactly one is right.
        var other = await store.PlaceOrderAsync(("TEE-1", 1));
        var otherNumber = other["number"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var race = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
            await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "main", order = otherNumber, code = "TEE-1" })).Expect(HttpStatusCode.Created)));
        Assert.Equal(1, race.Count(r => r["correct"]!.GetValue<bool>()));

        // Pick accuracy = right scans ÷ all scans of the orders placed in the range, against raw SQL.
        var today = DateTime.UtcNow.Date;
        var report = await store.Client.GetAsync($"/api/v1/analytics/fulfillment?from={today:yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}").Expect(HttpStatusCode.OK);
        await using var check = store.Db();
        var counts = await check.Database.SqlQueryRaw<Counts>(
            "SELECT COUNT(*) AS \"All\", SUM(CASE WHEN s.correct THEN 1 ELSE 0 END) AS \"Right\" FROM pick_scans s JOIN orders o ON o.id = s.order_id WHERE o.status <> 'cancelled' AND o.created_at >= {0} AND o.created_at < {1}",
            today, today.AddDays(1)).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((12L, 4L), (counts.All, counts.Right)); // the first order: 6 scans, 3 right; the race: 6 scans, 1 right
        Assert.Equal(Math.Round((decimal)counts.Right / counts.All, 4, MidpointRounding.AwayFromZero), report["pickAccuracy"].Dec());
    }

    private sealed record Counts(long All, long Right);

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_scanning_page_shows_the_orders_pick_progress_to_fulfillment_roles_only(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 20, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 3));
        var number = order["number"]!.GetValue<long>();
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        await (await warehouse.PostJson("/api/v1/pick-lists/scans", new { warehouse = "MAIN", order = number.ToString(System.Globalization.CultureInfo.InvariantCulture), code = "MUG-1", quantity = 2 })).Expect(HttpStatusCode.Created);

        var browser = await store.SignedInStaffAsync(Role.Warehouse);
        var page = WebUtility.HtmlDecode(await browser.GetPageAsync($"/admin/pick-scan?order={number}"));
        Assert.Contains($"Order #{number} in MAIN", page, StringComparison.Ordinal);
        Assert.Contains("Blue mug", page, StringComparison.Ordinal);
        Assert.Contains("2 of 3 unit(s) picked", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"scan-code\"", page, StringComparison.Ordinal);
        var orderPage = await browser.GetPageAsync($"/admin/orders/{number}");
        Assert.Contains($"/admin/pick-scan?order={number}", orderPage, StringComparison.Ordinal);

        var missing = WebUtility.HtmlDecode(await browser.GetPageAsync("/admin/pick-scan?order=999999"));
        Assert.Contains("data-testid=\"scan-error\"", missing, StringComparison.Ordinal);

        var marketing = await store.SignedInStaffAsync(Role.Marketing);
        await marketing.GetPageAsync("/admin/pick-scan", HttpStatusCode.Forbidden);
    }
}

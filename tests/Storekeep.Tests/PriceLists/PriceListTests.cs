using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.PriceLists;

/// <summary>
/// B2B price lists: tiers and percentages charge what an independent computation over the raw rows
/// says, at every quantity; bad sheets are refused whole with the field named; a replaced sheet
/// keeps nothing of the old one.
/// </summary>
public sealed class PriceListTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Lists_charge_the_best_tier_the_quantity_reaches_or_the_percentage_never_above_the_regular_price(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEA-1", 12.40m, main: 100);
        await store.AddProductAsync("TEA-2", 7.99m, main: 100);
        await store.AddProductAsync("TEA-3", 3.33m, main: 100);

        // TEA-1: 11.50 from 1, 10.00 from 10, 10.50 from 20 (a worse tier higher up: the best one still applies).
        // TEA-2: 8.50 from 1 (above the regular price: the regular price applies), 6.00 from 50. TEA-3: no tier.
        var created = await store.Client.PostJson("/api/v1/price-lists", new
        {
            name = "Wholesale A",
            entries = new object[]
            {
                new { sku = "TEA-1", price = 11.50m },
                new { sku = "TEA-1", price = 10.00m, minimumQuantity = 10 },
                new { sku = "TEA-1", price = 10.50m, minimumQuantity = 20 },
                new { sku = "TEA-2", price = 8.50m, minimumQuantity = 1 },
                new { sku = "TEA-2", price = 6.00m, minimumQuantity = 50 },
            },
        }).Expect(HttpStatusCode.Created);
        var id = created["id"].Str();
        Assert.Equal(("USD", 5), (created["currency"].Str(), created["entries"]!.AsArray().Count));
        var percent = (await store.Client.PostJson("/api/v1/price-lists", new { name = "Partners 12.5%", percentOff = 12.5m }).Expect(HttpStatusCode.Created))["id"].Str();

        var quantities = new[] { 1, 9, 10, 19, 20, 49, 50, 1000 };
        foreach (var list in new[] { id, percent })
        {
            var query = string.Join("&", quantities.SelectMany(q => new[] { "TEA-1", "TEA-2", "TEA-3" }.Select(s => $"sku={s}&quantity={q}")));
            var prices = (await store.Client.GetAsync($"/api/v1/price-lists/{list}/prices?{query}").Expect(HttpStatusCode.OK)).AsArray();
            var expected = await ReferenceAsync(store, Guid.Parse(list), [.. quantities.SelectMany(q => new[] { "TEA-1", "TEA-2", "TEA-3" }.Select(s => (s, q)))]);
            Assert.Equal(expected, prices.Select(p => (p!["sku"].Str(), p["quantity"].Int(), p["unitPrice"].Dec(), p["lineTotal"].Dec())).ToList());
        }

        // Written out by hand, so a mistake shared by both computations still shows.
        var some = (await store.Client.GetAsync($"/api/v1/price-lists/{id}/prices?sku=TEA-1&quantity=25&sku=TEA-2&quantity=5&sku=TEA-2&quantity=50").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal((10.00m, 10, 250.00m), (some[0]!["unitPrice"].Dec(), some[0]!["tier"].Int(), some[0]!["lineTotal"].Dec()));
        Assert.Equal((7.99m, null), (some[1]!["unitPrice"].Dec(), some[1]!["tier"]));
        Assert.Equal(6.00m, some[2]!["unitPrice"].Dec());
        var partner = (await store.Client.GetAsync($"/api/v1/price-lists/{percent}/prices?sku=TEA-3&quantity=3").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal((2.91m, 8.73m), (partner[0]!["unitPrice"].Dec(), partner[0]!["lineTotal"].Dec())); // 3.33 × 0.875 = 2.91375

        // Replacing the sheet keeps nothing of the old one; the listing counts tiers and SKUs.
        var replaced = await store.Client.PutJson($"/api/v1/price-lists/{id}", new { name = "Wholesale A", entries = new[] { new { sku = "TEA-3", price = 3.00m, minimumQuantity = 12 } } })
            .Expect(HttpStatusCode.OK);
        Assert.Equal("TEA-3", Assert.Single(replaced["entries"]!.AsArray())!["sku"].Str());
        // The same sheet again (a tier with the same SKU and minimum replaced by itself) is no clash.
        replaced = await store.Client.PutJson($"/api/v1/price-lists/{id}", new { name = "Wholesale A", entries = new[] { new { sku = "TEA-3", price = 2.90m, minimumQuantity = 12 } } })
            .Expect(HttpStatusCode.OK);
        Assert.Equal(2.90m, Assert.Single(replaced["entries"]!.AsArray())!["price"].Dec());
        // Renaming onto another list's name is refused and changes nothing, tiers included.
        var kept = (await store.Client.GetAsync($"/api/v1/price-lists/{id}").Expect(HttpStatusCode.OK)).ToJsonString();
        await store.Client.PutJson($"/api/v1/price-lists/{id}", new { name = "Partners 12.5%", entries = new[] { new { sku = "TEA-1", price = 1m, minimumQuantity = 1 } } })
            .ExpectProblem(HttpStatusCode.Conflict, "price_list_exists");
        Assert.Equal(kept, (await store.Client.GetAsync($"/api/v1/price-lists/{id}").Expect(HttpStatusCode.OK)).ToJsonString());
        await using (var db = store.Db())
        {
            Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT CAST(COUNT(*) AS INTEGER) AS \"Value\" FROM price_list_entries").SingleAsync());
        }

        var listed = (await store.Client.GetAsync("/api/v1/price-lists").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(["Partners 12.5%", "Wholesale A"], listed.Select(l => l!["name"].Str()));
        Assert.Equal((1, 1), (listed[1]!["entries"].Int(), listed[1]!["skus"].Int()));

        // Sales reps read lists (they quote from them) but do not change them.
        var sales = await store.ClientForAsync(Role.Sales);
        await sales.GetAsync($"/api/v1/price-lists/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Forbidden, (await sales.PostJson("/api/v1/price-lists", new { name = "Mine", percentOff = 50 })).StatusCode);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Bad_sheets_are_refused_whole_with_the_field_named(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEA-1", 12.40m, main: 10);
        await store.Client.PostJson("/api/v1/price-lists", new { name = "Taken", percentOff = 5 }).Expect(HttpStatusCode.Created);

        async Task<JsonNode> Refused(object body, HttpStatusCode status, string code) =>
            await store.Client.PostJson("/api/v1/price-lists", body).ExpectProblem(status, code);

        var both = await Refused(new { name = "X", percentOff = 10, entries = new[] { new { sku = "TEA-1", price = 1m } } }, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(both["errors"]!["percentOff"]);
        Assert.NotNull((await Refused(new { name = "X" }, HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["entries"]);
        Assert.NotNull((await Refused(new { name = "X", percentOff = 100 }, HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["percentOff"]);
        Assert.NotNull((await Refused(new { name = "X", currency = "EUR", percentOff = 10 }, HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["currency"]);
        var tiers = await Refused(new { name = "X", entries = new object[] { new { sku = "TEA-1", price = 1.005m }, new { sku = "TEA-1", price = 2m, minimumQuantity = 0 }, new { sku = "TEA-1", price = 2m, minimumQuantity = 1 } } },
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(tiers["errors"]!["entries[0].price"]);
        Assert.NotNull(tiers["errors"]!["entries[1].minimumQuantity"]);
        Assert.NotNull(tiers["errors"]!["entries[2].minimumQuantity"]); // a second tier from 1 unit
        Assert.Contains("NOPE-9", (await Refused(new { name = "X", entries = new[] { new { sku = "NOPE-9", price = 1m } } }, HttpStatusCode.UnprocessableEntity, "unknown_sku"))["detail"].Str(), StringComparison.Ordinal);
        await Refused(new { name = "Taken", percentOff = 10 }, HttpStatusCode.Conflict, "price_list_exists");
        await store.Client.GetAsync($"/api/v1/price-lists/{Guid.NewGuid()}/prices?sku=TEA-1&quantity=1").ExpectProblem(HttpStatusCode.NotFound);
        var taken = (await store.Client.GetAsync("/api/v1/price-lists").Expect(HttpStatusCode.OK))["items"]!.AsArray().Single()!["id"].Str();
        await store.Client.GetAsync($"/api/v1/price-lists/{taken}/prices?sku=TEA-1").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.GetAsync($"/api/v1/price-lists/{taken}/prices?sku=NOPE-9&quantity=1").ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_sku");

        await using var db = store.Db();
        Assert.Equal(1, await db.Database.SqlQueryRaw<int>("SELECT CAST(COUNT(*) AS INTEGER) AS \"Value\" FROM price_lists").SingleAsync());
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT CAST(COUNT(*) AS INTEGER) AS \"Value\" FROM price_list_entries").SingleAsync());
    }

    /// <summary>
    /// The rule from the raw rows in whole cents: a tier list charges the lowest tier price whose minimum
    /// the quantity reaches, capped at the regular price; a percentage list charges the regular cents
    /// times (10000 − basis points) / 10000, rounded half up.
    /// </summary>
    private static async Task<List<(string Sku, int Quantity, decimal Unit, decimal Line)>> ReferenceAsync(TestStore store, Guid list, List<(string Sku, int Quantity)> lines)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        async Task<List<object[]>> RowsAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<object[]>();
            while (await reader.ReadAsync())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }

            return rows;
        }

        var listText = db.Database.IsNpgsql() ? list.ToString() : list.ToString().ToUpperInvariant();
        var percent = (await RowsAsync($"SELECT percent_off FROM price_lists WHERE id = '{listText}'")).Single()[0] is { } p and not DBNull ? Convert.ToInt64(p, CultureInfo.InvariantCulture) : (long?)null;
        var regular = (await RowsAsync("SELECT sku, price FROM product_variants")).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        var tiers = (await RowsAsync($"SELECT sku, minimum_quantity, price FROM price_list_entries WHERE price_list_id = '{listText}'"))
            .Select(r => (Sku: (string)r[0]!, Minimum: Convert.ToInt32(r[1], CultureInfo.InvariantCulture), Cents: Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        return [.. lines.Select(l =>
        {
            var cents = regular[l.Sku];
            if (percent is { } basisPoints)
            {
                cents = ((cents * (10_000 - basisPoints)) + 5_000) / 10_000;
            }
            else
            {
                foreach (var t in tiers.Where(t => t.Sku == l.Sku && t.Minimum <= l.Quantity))
                {
                    cents = Math.Min(cents, t.Cents);
                }
            }

            return (l.Sku, l.Quantity, cents / 100m, cents * l.Quantity / 100m);
        })];
    }
}

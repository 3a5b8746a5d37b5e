using System.Globalization;
using System.Net;
using Storekeep.Catalog;
using Storekeep.Tests.Analytics;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Planning;

/// <summary>Weekly demand by category: a line's category is its variant's product's; lines of deleted variants and of products without one are "(none)".</summary>
public sealed class ForecastByCategoryTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Category_history_sums_the_lines_of_each_categorys_variants(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var monday = new DateTime(2026, 4, 6, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = store.Db())
        {
            var variants = await AnalyticsFixtures.CatalogAsync(db, ("CAT-A", "Mugs", 1m), ("CAT-B", "Mugs", 1m), ("CAT-C", null, 1m));
            // A variant that no longer exists (never saved): its lines have no category.
            variants["CAT-GONE"] = new ProductVariant { Sku = "CAT-GONE", Price = 1m };
            for (var week = 0; week < 4; week++)
            {
                var at = monday.AddDays(7 * week + week % 7).AddHours(10);
                await AnalyticsFixtures.OrderAsync(db, at, "ada@example.com", null, variants, [("CAT-A", 1 + week, 5m), ("CAT-B", 2, 5m)]);
                await AnalyticsFixtures.OrderAsync(db, at.AddHours(1), "bo@example.com", null, variants, [("CAT-C", 3, 5m), ("CAT-GONE", week + 1, 5m)]);
            }
        }

        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        var items = (await manager.GetAsync("/api/v1/planning/forecast?groupBy=category&asOf=2026-05-13").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(["(none)", "mugs"], items.Select(i => i!["key"]!.GetValue<string>()));
        var history = items.ToDictionary(
            i => i!["key"]!.GetValue<string>(),
            i => i!["history"]!.AsArray().ToDictionary(w => DateOnly.Parse(w!["weekStart"]!.GetValue<string>(), CultureInfo.InvariantCulture), w => w!["units"]!.GetValue<double>()));
        for (var week = 0; week < 4; week++)
        {
            var start = DateOnly.FromDateTime(monday).AddDays(7 * week);
            Assert.Equal(1 + week + 2, history["mugs"][start]);
            Assert.Equal(3 + week + 1, history["(none)"][start]);
        }

        Assert.Equal(0, history["mugs"][new DateOnly(2026, 5, 4)]);
    }
}

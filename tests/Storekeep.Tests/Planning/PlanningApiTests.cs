using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Planning;

public sealed class PlanningApiTests
{
    private static Address Somewhere => new() { Name = "Ada", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" };
    private static long _number = 700_000;

    private static async Task<Order> PlaceAsync(StorekeepDbContext db, DateTime at, params (string Sku, int Quantity, decimal UnitPrice)[] lines)
    {
        var order = Order.Place(Interlocked.Increment(ref _number), "ada@example.com", null, "USD", Somewhere, "standard",
            lines.Select(l => new OrderLine { Sku = l.Sku, Title = "Thing", Quantity = l.Quantity, UnitPrice = l.UnitPrice, LineTotal = l.Quantity * l.UnitPrice }),
            0m, 0m, false, null, at);
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }

    private static async Task<long> RawUnitsAsync(StorekeepDbContext db, string sku, DateTime from, DateTime to) =>
        await db.Database.SqlQuery<long>($"SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS \"Value\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' AND l.sku = {sku} AND o.created_at >= {from} AND o.created_at < {to}").SingleAsync();

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Forecast_history_equals_a_raw_sql_sum_per_monday_week_and_abc_matches_a_reference(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var asOf = new DateOnly(2026, 6, 3); // a Wednesday: its week (from Monday 1 June) is not history
        var firstMonday = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(42);
        await using (var db = store.Db())
        {
            for (var week = 0; week < 21; week++)
            {
                var monday = firstMonday.AddDays(7 * week);
                // The edges of the week: Monday 00:00:00 is this week, Sunday 23:59:59 the same week.
                await PlaceAsync(db, monday, ("PLAN-A", 1 + random.Next(5), 10m));
                await PlaceAsync(db, monday.AddDays(7).AddSeconds(-1), ("PLAN-A", 1 + random.Next(3), 10m), ("PLAN-B", random.Next(2) + 1, 3.5m));
                if (week % 3 == 0)
                {
                    await PlaceAsync(db, monday.AddDays(3).AddHours(13), ("PLAN-C", 2, 100m));
                }
            }

            var cancelled = await PlaceAsync(db, firstMonday.AddDays(15), ("PLAN-A", 50, 10m));
            var tracked = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == cancelled.Id);
            tracked.Cancel("test", Actor.System, firstMonday.AddDays(16));
            await db.SaveChangesAsync();
            await PlaceAsync(db, new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), ("PLAN-A", 99, 10m)); // in asOf's week: not history
        }

        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        var body = await manager.GetAsync("/api/v1/planning/forecast?groupBy=sku&horizonWeeks=5&asOf=2026-06-03&limit=2").Expect(HttpStatusCode.OK);
        var items = body["items"]!.AsArray();
        Assert.Equal(["PLAN-A", "PLAN-B"], items.Select(i => i!["key"]!.GetValue<string>()));
        var next = body["nextCursor"]!.GetValue<string>();
        var rest = await manager.GetAsync($"/api/v1/planning/forecast?groupBy=sku&horizonWeeks=5&asOf=2026-06-03&cursor={next}").Expect(HttpStatusCode.OK);
        Assert.Equal("PLAN-C", Assert.Single(rest["items"]!.AsArray())!["key"]!.GetValue<string>());

        await using var check = store.Db();
        foreach (var item in items.Concat(rest["items"]!.AsArray()))
        {
            var sku = item!["key"]!.GetValue<string>();
            var history = item["history"]!.AsArray();
            Assert.Equal(new DateOnly(2026, 5, 25), DateOnly.Parse(history[^1]!["weekStart"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            foreach (var week in history)
            {
                var start = DateOnly.Parse(week!["weekStart"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(DayOfWeek.Monday, start.DayOfWeek);
                var from = start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                Assert.Equal(await RawUnitsAsync(check, sku, from, from.AddDays(7)), (long)week["units"]!.GetValue<double>());
            }

            var forecast = item["forecast"]!.AsArray();
            Assert.Equal(5, forecast.Count);
            Assert.Equal("2026-06-01", forecast[0]!["weekStart"]!.GetValue<string>());
            Assert.All(forecast, f => Assert.True(f!["lo80"]!.GetValue<double>() <= f["units"]!.GetValue<double>() && f["units"]!.GetValue<double>() <= f["hi80"]!.GetValue<double>()));
        }

        // ABC by revenue against a reference from raw SQL sums.
        var abc = (await manager.GetAsync("/api/v1/planning/abc?from=2026-01-05&to=2026-06-01&by=revenue").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var from0 = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        var to0 = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var revenue = new Dictionary<string, long>();
        foreach (var sku in new[] { "PLAN-A", "PLAN-B", "PLAN-C" })
        {
            revenue[sku] = await check.Database.SqlQuery<long>($"SELECT CAST(COALESCE(SUM(l.line_total), 0) AS BIGINT) AS \"Value\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' AND l.sku = {sku} AND o.created_at >= {from0} AND o.created_at < {to0}").SingleAsync();
        }

        var total = (double)revenue.Values.Sum();
        var cumulative = 0.0;
        var ranked = revenue.OrderByDescending(r => r.Value).ToList();
        Assert.Equal(ranked.Select(r => r.Key), abc.Select(a => a!["sku"]!.GetValue<string>()));
        foreach (var (row, (sku, cents)) in abc.Zip(ranked))
        {
            var before = cumulative;
            cumulative += cents / total;
            Assert.Equal(cents / 100m, row!["value"]!.GetValue<decimal>());
            Assert.Equal(cents / total, row["share"]!.GetValue<double>(), 5);
            Assert.Equal(cumulative, row["cumulativeShare"]!.GetValue<double>(), 5);
            Assert.Equal(before < 0.8 ? "A" : before < 0.95 ? "B" : "C", row["abc"]!.GetValue<string>());
        }

        // PLAN-C sells every third week only: very variable (Z); units of PLAN-A vary little.
        Assert.Equal("Z", abc.Single(a => a!["sku"]!.GetValue<string>() == "PLAN-C")!["xyz"]!.GetValue<string>());

        // Without from, the year before to; without either, the year ending after today.
        async Task<string> AbcAsync(string query) => (await manager.GetAsync("/api/v1/planning/abc" + query).Expect(HttpStatusCode.OK)).ToJsonString();
        var yearBefore = await AbcAsync("?to=2026-06-01");
        Assert.Equal(await AbcAsync("?from=2025-06-01&to=2026-06-01"), yearBefore);
        Assert.NotEqual(await AbcAsync("?from=2026-05-02&to=2026-06-01"), yearBefore);
        var end = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        Assert.Equal(await AbcAsync($"?from={end.AddDays(-365):yyyy-MM-dd}&to={end:yyyy-MM-dd}"), await AbcAsync(""));

        await (await store.ClientForAsync(Storekeep.Access.Role.Sales)).GetAsync("/api/v1/planning/forecast").ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/api/v1/planning/forecast?groupBy=colour", "invalid_group_by")]
    [InlineData("/api/v1/planning/forecast?horizonWeeks=0", "invalid_horizon")]
    [InlineData("/api/v1/planning/forecast?horizonWeeks=105", "invalid_horizon")]
    [InlineData("/api/v1/planning/forecast?horizonWeeks=ten", "invalid_horizon")]
    [InlineData("/api/v1/planning/forecast?asOf=2026-13-01", "invalid_period")]
    [InlineData("/api/v1/planning/abc?from=2026-01-01&to=2025-01-01", "invalid_period")]
    [InlineData("/api/v1/planning/abc?from=2026-01-01&to=2026-01-01", "invalid_period")]
    [InlineData("/api/v1/planning/abc?from=9998-01-01", "invalid_period")]
    [InlineData("/api/v1/planning/abc?from=2026-01-01&to=2026-02-01&by=profit", "invalid_abc_basis")]
    public async Task Bad_input_is_a_problem_with_a_stable_code(string url, string code)
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        await manager.GetAsync(url).ExpectProblem(HttpStatusCode.BadRequest, code);
    }
}

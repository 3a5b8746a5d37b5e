using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Planning;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Planning;

/// <summary>
/// Replenishment: the formulas on numbers worked by hand, and over the API on both databases the
/// demand against raw SQL, the suggestion rounded to the supplier's pack, and one click making a
/// draft purchase order per supplier.
/// </summary>
public sealed class ReplenishmentTests
{
    [Fact]
    public void The_formulas_match_a_hand_computation()
    {
        // d = 2/day, σ = 1, L = 9 days, 95% → z = 1.6449: SS = ⌈1.6449 × 1 × 3⌉ = ⌈4.93⌉ = 5; ROP = ⌈2 × 9 + 5⌉ = 23.
        // EOQ = ⌈√(2 × 730 × 50 / (4.00 × 0.25))⌉ = ⌈√73000⌉ = ⌈270.19⌉ = 271.
        // Position 20 − 2 + 0 = 18 ≤ 23: order max(271, 23 − 18) = 271, up to a pack of 12 → 276.
        var figures = Replenishment.Figures(2, 1, 9, 0.95, 4.00m, 50m, 0.25, onHand: 20, reserved: 2, incoming: 0, packSize: 12, minimum: 1);
        Assert.Equal(new ReplenishmentFigures(5, 23, 271, 276, 9), figures);

        // A minimum of 300 (a multiple of 12) wins over the EOQ.
        Assert.Equal(300, Replenishment.Figures(2, 1, 9, 0.95, 4.00m, 50m, 0.25, 20, 2, 0, packSize: 12, minimum: 300).SuggestedQuantity);

        // Enough on its way: position 18 + 10 = 28 > 23, nothing to order; cover counts only what is here.
        var covered = Replenishment.Figures(2, 1, 9, 0.95, 4.00m, 50m, 0.25, 20, 2, incoming: 10, packSize: 12, minimum: 1);
        Assert.Equal((0L, 9.0), (covered.SuggestedQuantity, covered.DaysOfCover!.Value));

        // Without a cost there is no EOQ: the gap to the reorder point is ordered (at least one pack).
        var noCost = Replenishment.Figures(2, 1, 9, 0.95, null, 50m, 0.25, 20, 2, 0, packSize: 12, minimum: 1);
        Assert.Equal((null, 12L), (noCost.EconomicOrderQuantity, noCost.SuggestedQuantity));

        // No demand: nothing to order, no cover date.
        var idle = Replenishment.Figures(0, 0, 9, 0.98, 4m, 50m, 0.25, 0, 0, 0, 1, 1);
        Assert.Equal(new ReplenishmentFigures(0, 0, null, 0, null), idle);
    }

    [Fact]
    public void Daily_demand_counts_days_without_sales_as_zero()
    {
        var start = new DateOnly(2026, 1, 1);
        var (mean, sd) = Replenishment.DemandOf(new Dictionary<DateOnly, double> { [start] = 4, [start.AddDays(2)] = 2 }, start, 4);
        Assert.Equal(1.5, mean); // (4 + 0 + 2 + 0) / 4
        Assert.Equal(Math.Sqrt((6.25 + 2.25 + 0.25 + 2.25) / 4), sd, 12);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Suggestions_follow_demand_from_raw_sql_and_become_draft_purchase_orders_per_supplier(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("REPL-MUG", 12m, main: 5, title: "Mug");
        await store.AddProductAsync("REPL-CUP", 6m, main: 400, title: "Cup");
        await store.AddProductAsync("REPL-BOWL", 9m, main: 1, title: "Bowl"); // no supplier sells it

        // Sales over the last weeks: mugs and bowls sell, cups barely.
        var today = DateTime.UtcNow.Date;
        var number = 800_000L;
        await using (var db = store.Db())
        {
            for (var day = 1; day <= 60; day++)
            {
                var lines = new List<OrderLine> { new() { Sku = "REPL-MUG", Title = "Mug", Quantity = 1 + day % 3, UnitPrice = 12m, LineTotal = 12m * (1 + day % 3) } };
                if (day % 2 == 0)
                {
                    lines.Add(new() { Sku = "REPL-BOWL", Title = "Bowl", Quantity = 1, UnitPrice = 9m, LineTotal = 9m });
                }

                if (day % 30 == 0)
                {
                    lines.Add(new() { Sku = "REPL-CUP", Title = "Cup", Quantity = 1, UnitPrice = 6m, LineTotal = 6m });
                }

                db.Orders.Add(Order.Place(++number, "buyer@example.com", null, "USD", new Address { Name = "B", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" },
                    "standard", lines, 0m, 0m, false, null, today.AddDays(-day).AddHours(10)));
            }

            await db.SaveChangesAsync();
        }

        var supplier = await store.Client.PostJson("/api/v1/suppliers", new { name = "Acme Ceramics", email = "orders@acme.example", currency = "USD", leadTimeDays = 10 }).Expect(HttpStatusCode.Created);
        var supplierId = supplier["id"].Str();
        await store.Client.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "REPL-MUG", cost = 4.00m, packSize = 6, minimumOrderQuantity = 12 }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "REPL-CUP", cost = 2.00m, leadTimeDays = 30 }).Expect(HttpStatusCode.Created);

        var manager = await store.ClientForAsync(Role.Manager);
        var rows = (await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MAIN&limit=200").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var mug = rows.Single(r => r!["sku"].Str() == "REPL-MUG")!;
        var bowl = rows.Single(r => r!["sku"].Str() == "REPL-BOWL")!;
        var cup = rows.Single(r => r!["sku"].Str() == "REPL-CUP")!;

        // Demand: units in the 91 whole days before today, from raw SQL, over 91.
        await using (var db = store.Db())
        {
            var from = today.AddDays(-91);
            foreach (var row in new[] { mug, bowl, cup })
            {
                var sku = row["sku"].Str();
                var daily = await db.Database.SqlQuery<long>(
                    $"SELECT CAST(SUM(l.quantity) AS BIGINT) AS \"Value\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' AND l.sku = {sku} AND o.created_at >= {from} AND o.created_at < {today} GROUP BY l.sku, o.id").ToListAsync();
                var mean = daily.Sum() / 91.0; // one order a day per SKU here, so per order is per day
                var variance = (daily.Sum(u => (u - mean) * (u - mean)) + (91 - daily.Count) * mean * mean) / 91;
                Assert.Equal(Math.Round(mean, 4), row["dailyDemand"]!.GetValue<double>(), 9);
                Assert.Equal(Math.Round(Math.Sqrt(variance), 4), row["demandStdDev"]!.GetValue<double>(), 9);
            }
        }

        // The mug: its figures follow the formulas with its supplier's terms, rounded to packs of 6.
        var mugFigures = Replenishment.Figures(mug["dailyDemand"]!.GetValue<double>(), mug["demandStdDev"]!.GetValue<double>(), 10,
            mug["serviceLevel"]!.GetValue<double>(), 4.00m, 50m, 0.25, 5, 0, 0, packSize: 6, minimum: 12);
        Assert.Equal(10, mug["leadTimeDays"]!.GetValue<int>());
        Assert.Equal(supplierId, mug["supplierId"].Str());
        Assert.Equal(mugFigures.SuggestedQuantity, mug["suggestedQuantity"]!.GetValue<long>());
        Assert.True(mugFigures.SuggestedQuantity >= 12 && mugFigures.SuggestedQuantity % 6 == 0, $"suggested {mugFigures.SuggestedQuantity}");
        Assert.Equal(mugFigures.ReorderPoint, mug["reorderPoint"]!.GetValue<long>());
        Assert.Equal(mugFigures.EconomicOrderQuantity, mug["economicOrderQuantity"]!.GetValue<long>());
        Assert.Equal(0, cup["suggestedQuantity"]!.GetValue<long>()); // 400 on hand covers years of cup sales
        Assert.True(bowl["suggestedQuantity"]!.GetValue<long>() > 0);
        Assert.Null(bowl["supplierId"]?.GetValue<string>());
        Assert.Equal("REPL-BOWL", rows[0]!["sku"].Str()); // most urgent first: 1 bowl left

        // One click: a draft order to Acme with the mug only; the bowl has nobody to order from.
        var made = await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }).Expect(HttpStatusCode.Created);
        var order = made["purchaseOrders"]!.AsArray().Single()!;
        Assert.Equal(("draft", supplierId), (order["status"].Str(), order["supplierId"].Str()));
        var line = order["lines"]!.AsArray().Single()!;
        Assert.Equal(("REPL-MUG", mugFigures.SuggestedQuantity), (line["sku"].Str(), line["quantity"]!.GetValue<long>()));
        Assert.Equal(["REPL-BOWL"], made["skippedWithoutSupplier"]!.AsArray().Select(s => s!.GetValue<string>()));
        await using (var db = store.Db())
        {
            Assert.Equal(mugFigures.SuggestedQuantity, await db.Database.SqlQuery<long>(
                $"SELECT CAST(l.quantity AS BIGINT) AS \"Value\" FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id WHERE l.sku = 'REPL-MUG' AND o.status = 'draft'").SingleAsync());
        }

        // Bad input changes nothing.
        await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { }).ExpectProblem(HttpStatusCode.BadRequest, Replenishment.WarehouseRequiredCode);
        await manager.GetAsync("/api/v1/planning/replenishment?warehouse=NOPE").ExpectProblem(HttpStatusCode.NotFound, "not_found");
        var sales = await store.ClientForAsync(Role.Sales);
        await sales.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
        await using (var db = store.Db())
        {
            Assert.Equal(1, await db.Database.SqlQuery<long>($"SELECT COUNT(*) AS \"Value\" FROM purchase_orders").SingleAsync());
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task With_a_forecast_demand_follows_it_the_low_stock_alert_moves_to_the_reorder_point_and_drafts_are_not_ordered_twice(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("FC-TEA", 8m, main: 500, title: "Tea");

        // 40 weeks of daily sales with a weekly rhythm: enough history for a forecast (26 weeks).
        var today = DateTime.UtcNow.Date;
        await using (var db = store.Db())
        {
            for (var day = 1; day <= 280; day++)
            {
                var quantity = 2 + (day % 7 == 0 ? 3 : 0) + day % 2;
                db.Orders.Add(Order.Place(700_000 + day, "tea@example.com", null, "USD", new Address { Name = "T", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" },
                    "standard", [new() { Sku = "FC-TEA", Title = "Tea", Quantity = quantity, UnitPrice = 8m, LineTotal = 8m * quantity }], 0m, 0m, false, null, today.AddDays(-day).AddHours(11)));
            }

            await db.SaveChangesAsync();
        }

        var supplier = await store.Client.PostJson("/api/v1/suppliers", new { name = "Leaf & Co", email = "po@leaf.example", currency = "USD", leadTimeDays = 14 }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/suppliers/{supplier["id"].Str()}/products", new { sku = "FC-TEA", cost = 3.00m, packSize = 10 }).Expect(HttpStatusCode.Created);
        var manager = await store.ClientForAsync(Role.Manager);

        // Demand: the forecast of the weekly history (read with raw SQL, weeks from Monday) over the 14 days from today.
        var row = await TeaAsync(manager);
        Assert.Equal(("forecast", true), (row["demandSource"].Str(), row["forecastMethod"]?.GetValue<string>() is { Length: > 0 }));
        var thisWeek = DateOnly.FromDateTime(today).AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var units = new SortedDictionary<DateOnly, double>();
        await using (var db = store.Db())
        {
            var sold = await db.Database.SqlQuery<Sold>(
                $"SELECT o.created_at AS \"At\", CAST(l.quantity AS BIGINT) AS \"Quantity\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.sku = 'FC-TEA' AND o.status <> 'cancelled'").ToListAsync();
            foreach (var s in sold.Where(s => DateOnly.FromDateTime(s.At) < thisWeek))
            {
                var day = DateOnly.FromDateTime(s.At);
                var week = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
                units[week] = units.GetValueOrDefault(week) + s.Quantity;
            }
        }

        var weeks = new List<double>();
        for (var week = units.Keys.First(); week < thisWeek; week = week.AddDays(7))
        {
            weeks.Add(units.GetValueOrDefault(week));
        }

        var dayOfWeek = DateOnly.FromDateTime(today).DayNumber - thisWeek.DayNumber;
        var forecast = Storekeep.Planning.Forecasting.Forecaster.Forecast(new Storekeep.Planning.Forecasting.WeeklySeries([.. weeks]), Math.Max(13, (dayOfWeek + 14 + 6) / 7)).Forecast;
        var (mean, sd) = Replenishment.ForecastDemandOf(forecast.Mean, forecast.ResidualStdDev, dayOfWeek, 14);
        Assert.Equal(forecast.Method, row["forecastMethod"].Str());
        Assert.Equal(Math.Round(mean, 4), row["dailyDemand"]!.GetValue<double>(), 9);
        Assert.Equal(Math.Round(sd, 4), row["demandStdDev"]!.GetValue<double>(), 9);
        var reorderPoint = row["reorderPoint"]!.GetValue<long>();
        Assert.True(reorderPoint > 20, $"reorder point {reorderPoint}"); // about 2.9 a day for 14 days
        Assert.Equal(0, row["suggestedQuantity"]!.GetValue<long>()); // 500 on hand

        // The refresh puts the reorder point on the stock level; the alert fires there, not at the threshold of 0.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<ReorderPointAlerts>().RefreshAsync(TestContext.Current.CancellationToken) >= 1);
        }

        var stock = await store.Client.GetAsync("/api/v1/inventory/FC-TEA").Expect(HttpStatusCode.OK);
        Assert.Equal(reorderPoint, stock["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == "MAIN")!["reorderPoint"]!.GetValue<long>());
        await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "FC-TEA", warehouse = "MAIN", quantity = -(500 - reorderPoint - 1), reason = "count" }).Expect(HttpStatusCode.Created);
        await using (var db = store.Db())
        {
            Assert.Empty(await db.OutboxEvents.Where(e => e.Type == EventTypes.InventoryLowStock).ToListAsync()); // one above the reorder point
        }

        await store.Client.PostJson("/api/v1/inventory/adjustments", new { sku = "FC-TEA", warehouse = "MAIN", quantity = -1, reason = "count" }).Expect(HttpStatusCode.Created);
        await using (var db = store.Db())
        {
            var payload = Assert.Single(await db.OutboxEvents.Where(e => e.Type == EventTypes.InventoryLowStock).ToListAsync()).Payload;
            Assert.Contains($"\"available\":{reorderPoint}", payload, StringComparison.Ordinal);
            Assert.Contains($"\"threshold\":{reorderPoint}", payload, StringComparison.Ordinal);
        }

        var low = await store.Client.GetAsync("/api/v1/inventory/low-stock").Expect(HttpStatusCode.OK);
        Assert.Contains(low["items"]!.AsArray(), i => i!["sku"].Str() == "FC-TEA" && i["warehouse"].Str() == "MAIN");

        // At the reorder point a suggestion appears; one click drafts it, a second click drafts nothing more.
        var suggested = (await TeaAsync(manager))["suggestedQuantity"]!.GetValue<long>();
        Assert.True(suggested > 0 && suggested % 10 == 0, $"suggested {suggested}");
        var first = await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }).Expect(HttpStatusCode.Created);
        Assert.Equal(suggested, first["purchaseOrders"]!.AsArray().Single()!["lines"]!.AsArray().Single()!["quantity"]!.GetValue<long>());
        var second = await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }).Expect(HttpStatusCode.Created);
        Assert.Empty(second["purchaseOrders"]!.AsArray());
        var after = await TeaAsync(manager);
        Assert.Equal((suggested, 0L, 0L), (after["inDraftPurchaseOrders"]!.GetValue<long>(), after["suggestedQuantity"]!.GetValue<long>(), after["incoming"]!.GetValue<long>()));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> TeaAsync(HttpClient manager) =>
        (await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MAIN&limit=200").Expect(HttpStatusCode.OK))["items"]!.AsArray().Single(r => r!["sku"].Str() == "FC-TEA")!;

    private sealed record Sold(DateTime At, long Quantity);
}

using System.Data.Common;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Planning;

/// <summary>
/// Inventory health against an independent computation: the ledger read with raw SQL and walked
/// forward from its first row (the app walks back from today's stock levels), valued at the
/// variants' costs read as raw minor units; on both databases, for the whole store and one warehouse.
/// </summary>
public sealed class InventoryHealthTests
{
    private const int From = 180;

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Average_inventory_turnover_sell_through_and_dead_stock_match_the_ledger(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await SeedAsync(store, today);
        var manager = await store.ClientForAsync(Role.Manager);

        foreach (var warehouse in new string?[] { null, "MAIN", "WEST" })
        {
            var from = today.AddDays(-From);
            var query = $"/api/v1/planning/inventory-health?from={from:yyyy-MM-dd}" + (warehouse is null ? "" : $"&warehouse={warehouse}");
            var health = await manager.GetAsync(query).Expect(HttpStatusCode.OK);
            var expected = await ReferenceAsync(store, warehouse, from, today);

            Assert.Equal(expected.Days, health["days"]!.GetValue<int>());
            Assert.Equal(expected.Average, health["averageInventoryCost"]!.GetValue<decimal>());
            Assert.Equal(expected.Cogs, health["costOfGoodsSold"]!.GetValue<decimal>());
            Assert.Equal(expected.Opening, health["openingUnits"]!.GetValue<long>());
            Assert.Equal(expected.Received, health["unitsReceived"]!.GetValue<long>());
            Assert.Equal(expected.Sold, health["unitsSold"]!.GetValue<long>());
            var turnover = expected.Average > 0 ? Math.Round((double)(expected.Cogs / expected.Average), 4) : (double?)null;
            Assert.Equal(turnover, health["turnover"]?.GetValue<double>());
            Assert.Equal(turnover is > 0 ? Math.Round(expected.Days / turnover.Value, 1) : null, health["daysOfInventory"]?.GetValue<double>());
            var available = expected.Opening + expected.Received;
            Assert.Equal(available > 0 ? Math.Round((double)expected.Sold / available, 4) : null, health["sellThroughRate"]?.GetValue<double>());
        }

        // Dead stock (whole store): B's last sale was 100 days ago, C and D never sold; A sold a week ago.
        var all = await manager.GetAsync("/api/v1/planning/inventory-health").Expect(HttpStatusCode.OK);
        var dead = all["deadStock"]!.AsArray().Select(d => (d!["sku"].Str(), d["onHand"]!.GetValue<long>(), d["value"]!.GetValue<decimal>(), d["daysSinceLastSale"]?.GetValue<int>())).ToList();
        Assert.Equal([("HEALTH-B", 30L, 75.00m, (int?)100), ("HEALTH-C", 20L, 200.00m, null), ("HEALTH-D", 5L, 0m, null)], dead.OrderBy(d => d.Item1, StringComparer.Ordinal).ToList());
        Assert.Equal("HEALTH-C", dead[0].Item1); // most value first
        Assert.Equal(275.00m, all["deadStockValue"]!.GetValue<decimal>());
        Assert.Equal(1, all["unvaluedSkus"]!.GetValue<int>());
        Assert.Equal(365, all["days"]!.GetValue<int>()); // by default from 365 days before tomorrow: today and the 364 days before
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_ranges_and_unknown_warehouses_are_problems(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var bad = await store.Client.GetAsync("/api/v1/planning/inventory-health?from=2026-13-01").Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_report_date", bad["code"].Str());
        var backwards = await store.Client.GetAsync("/api/v1/planning/inventory-health?from=2026-05-01&to=2026-04-01").Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_report_range", backwards["code"].Str());
        await store.Client.GetAsync("/api/v1/planning/inventory-health?warehouse=NOPE").Expect(HttpStatusCode.NotFound);
    }

    /// <summary>Four SKUs with a history of receipts, shipments, a return and a transfer, and the orders behind their last sales.</summary>
    private static async Task SeedAsync(TestStore store, DateOnly today)
    {
        foreach (var sku in new[] { "HEALTH-A", "HEALTH-B", "HEALTH-C", "HEALTH-D" })
        {
            await store.AddProductAsync(sku, 10m, main: 0);
        }

        await using var db = store.Db();
        var main = await db.Warehouses.Where(w => w.Code == "MAIN").Select(w => w.Id).SingleAsync();
        var west = await db.Warehouses.Where(w => w.Code == "WEST").Select(w => w.Id).SingleAsync();
        foreach (var (sku, cost) in new[] { ("HEALTH-A", (decimal?)4.00m), ("HEALTH-B", 2.50m), ("HEALTH-C", 10.00m), ("HEALTH-D", null) })
        {
            (await db.Variants.SingleAsync(v => v.Sku == sku)).Cost = cost;
        }

        void Move(string sku, int daysAgo, MovementType type, long delta, Guid? warehouse = null) =>
            db.StockMovements.Add(new StockMovement
            {
                Sku = sku, WarehouseId = warehouse ?? main, Type = type, OnHandDelta = delta, Actor = "test",
                CreatedAt = today.AddDays(-daysAgo).ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc),
            });

        Move("HEALTH-A", 200, MovementType.Receipt, 100);
        for (var daysAgo = 182; daysAgo >= 7; daysAgo -= 7)
        {
            Move("HEALTH-A", daysAgo, MovementType.Shipment, -3);
        }

        Move("HEALTH-A", 60, MovementType.Receipt, 40);
        Move("HEALTH-A", 50, MovementType.Return, 1);
        Move("HEALTH-A", 30, MovementType.TransferOut, -10);
        Move("HEALTH-A", 30, MovementType.TransferIn, 10, west);
        Move("HEALTH-B", 150, MovementType.Receipt, 50);
        Move("HEALTH-B", 120, MovementType.Shipment, -10);
        Move("HEALTH-B", 100, MovementType.Shipment, -10);
        Move("HEALTH-C", 300, MovementType.Receipt, 20);
        Move("HEALTH-D", 10, MovementType.Receipt, 5);
        await db.SaveChangesAsync();

        // Stock levels are the ledger's sums, as the app keeps them.
        foreach (var level in await db.StockLevels.Where(l => l.Sku.StartsWith("HEALTH-")).ToListAsync())
        {
            level.OnHand = await db.StockMovements.Where(m => m.Sku == level.Sku && m.WarehouseId == level.WarehouseId).SumAsync(m => m.OnHandDelta);
        }

        // An owned address per order: EF cannot share one instance between two orders.
        static Address Address() => new() { Name = "B", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" };
        db.Orders.Add(Order.Place(900_001, "a@example.com", null, "USD", Address(), "standard",
            [new() { Sku = "HEALTH-A", Title = "A", Quantity = 3, UnitPrice = 10m, LineTotal = 30m }], 0m, 0m, false, null, today.AddDays(-7).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc)));
        db.Orders.Add(Order.Place(900_002, "b@example.com", null, "USD", Address(), "standard",
            [new() { Sku = "HEALTH-B", Title = "B", Quantity = 10, UnitPrice = 10m, LineTotal = 100m }], 0m, 0m, false, null, today.AddDays(-100).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc)));
        await db.SaveChangesAsync();
    }

    private sealed record Expected(int Days, decimal Average, decimal Cogs, long Opening, long Received, long Sold);

    /// <summary>The ledger walked forward from its first row, day by day, with raw SQL's rows and costs.</summary>
    private static async Task<Expected> ReferenceAsync(TestStore store, string? warehouse, DateOnly from, DateOnly today)
    {
        await using var db = store.Db();
        DbConnection connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var ledger = new List<(string Sku, string Type, long Delta, DateOnly Day)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT m.sku, m.type, m.on_hand_delta, m.created_at, w.code FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                if (warehouse is null || reader.GetString(4) == warehouse)
                {
                    var at = reader.GetValue(3) is DateTime dt ? dt : DateTime.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                    ledger.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), DateOnly.FromDateTime(at)));
                }
            }
        }

        var costs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT sku, cost FROM product_variants WHERE cost IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                costs[reader.GetString(0)] = reader.GetInt64(1) / 100m; // minor units
            }
        }

        var days = today.DayNumber - from.DayNumber + 1;
        var valueDays = 0m;
        for (var day = from; day <= today; day = day.AddDays(1))
        {
            foreach (var (sku, cost) in costs)
            {
                valueDays += ledger.Where(m => m.Sku == sku && m.Day <= day).Sum(m => m.Delta) * cost;
            }
        }

        var inRange = ledger.Where(m => m.Day >= from && m.Day <= today).ToList();
        var sales = inRange.Where(m => m.Type is "shipment" or "return").ToList();
        var received = inRange.Where(m => m.Type == "receipt" || (warehouse is not null && m.Type is "transfer_in" or "transfer_out")).Sum(m => m.Delta);
        return new Expected(
            days,
            Math.Round(valueDays / days, 2, MidpointRounding.AwayFromZero),
            Math.Round(sales.Sum(m => -m.Delta * costs.GetValueOrDefault(m.Sku)), 2, MidpointRounding.AwayFromZero),
            ledger.Where(m => m.Day < from).Sum(m => m.Delta),
            received,
            -sales.Sum(m => m.Delta));
    }
}

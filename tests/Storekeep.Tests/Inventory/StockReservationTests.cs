using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Inventory;

public sealed class StockReservationTests
{
    private static async Task<(Guid East, Guid West)> TwoWarehousesAsync(StorekeepDbContext db, params (string Sku, int East, int West)[] stock)
    {
        var east = new Warehouse { Code = "EAST", Name = "East", Priority = 1 };
        var west = new Warehouse { Code = "WEST", Name = "West", Priority = 2 };
        db.Warehouses.AddRange(east, west);
        foreach (var (sku, e, w) in stock)
        {
            db.StockLevels.Add(new StockLevel { Sku = sku, WarehouseId = east.Id, OnHand = e, LowStockThreshold = 2 });
            db.StockLevels.Add(new StockLevel { Sku = sku, WarehouseId = west.Id, OnHand = w, LowStockThreshold = 2 });
        }

        await db.SaveChangesAsync();
        return (east.Id, west.Id);
    }

    private static Task<IReadOnlyList<StockAllocation>> ReserveAsync(StorekeepDbContext db, params StockRequest[] lines) =>
        db.InTransactionAsync(ct => new InventoryService(db, TimeProvider.System).ReserveAsync(lines, "order:test", Actor.System, ct));

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Whole_order_goes_to_the_first_warehouse_that_can_ship_all_of_it(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var (_, west) = await TwoWarehousesAsync(db, ("A", 10, 10), ("B", 0, 5));

        var plan = await ReserveAsync(db, new StockRequest("A", 3), new StockRequest("B", 2));

        Assert.All(plan, a => Assert.Equal(west, a.WarehouseId));
        var levels = await db.StockLevels.AsNoTracking().Where(s => s.WarehouseId == west).OrderBy(s => s.Sku).ToListAsync();
        Assert.Equal([3L, 2L], levels.Select(l => l.Reserved));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_line_no_single_warehouse_can_cover_is_split_by_priority(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var (east, west) = await TwoWarehousesAsync(db, ("A", 4, 5));

        var plan = await ReserveAsync(db, new StockRequest("A", 7));

        Assert.Equal(2, plan.Count);
        Assert.Equal(4, plan.Single(p => p.WarehouseId == east).Quantity);
        Assert.Equal(3, plan.Single(p => p.WarehouseId == west).Quantity);
    }

    /// <summary>
    /// A one-line reservation is one statement with the plan's choice made inside it: the
    /// highest-priority warehouse that has all of the line (codes ordered ordinally on a tie, as the
    /// plan orders them), no levels read first; a line no warehouse has alone is still split.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_one_line_reservation_takes_the_plans_warehouse_in_one_statement(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        Guid first, second, third;
        await using (var setup = store.Db())
        {
            // Same priority: "WEST" comes before "east" ordinally (not in a linguistic order).
            var east = new Warehouse { Code = "east", Name = "East", Priority = 5 };
            var west = new Warehouse { Code = "WEST", Name = "West", Priority = 5 };
            var near = new Warehouse { Code = "NEAR", Name = "Near", Priority = 1 };
            setup.Warehouses.AddRange(east, west, near);
            setup.StockLevels.AddRange(
                new StockLevel { Sku = "A", WarehouseId = near.Id, OnHand = 2, LowStockThreshold = 0 },
                new StockLevel { Sku = "A", WarehouseId = east.Id, OnHand = 9, LowStockThreshold = 0 },
                new StockLevel { Sku = "A", WarehouseId = west.Id, OnHand = 9, LowStockThreshold = 0 });
            await setup.SaveChangesAsync();
            (first, second, third) = (near.Id, west.Id, east.Id);
        }

        var log = new StatementLog();
        var options = new DbContextOptionsBuilder<StorekeepDbContext>();
        DatabaseSetup.Configure(options, store.Provider, store.ConnectionString);
        await using var db = new StorekeepDbContext(options.AddInterceptors(log).Options);

        // 2 fit Near (priority 1); 3 do not, so the first of the tied two that has all of it.
        Assert.Equal(first, Assert.Single(await ReserveAsync(db, new StockRequest("A", 2))).WarehouseId);
        Assert.Equal(second, Assert.Single(await ReserveAsync(db, new StockRequest("A", 3))).WarehouseId);
        Assert.Empty(log.ReadsOf("stock_levels"));
        Assert.Equal(2, log.Statements.Count(s => s.Contains("stock_levels", StringComparison.Ordinal) && !s.Contains("INSERT INTO", StringComparison.Ordinal)));

        // 12 is more than any one warehouse has left (West 6, East 9): split by priority, then code.
        var split = await ReserveAsync(db, new StockRequest("A", 12));
        Assert.Equal([(second, 6), (third, 6)], split.Select(a => (a.WarehouseId, a.Quantity)).ToArray());
        var reserved = await db.StockLevels.AsNoTracking().ToDictionaryAsync(l => l.WarehouseId, l => l.Reserved);
        Assert.Equal((2L, 9L, 6L), (reserved[first], reserved[second], reserved[third]));
        Assert.Equal(17, await db.StockMovements.SumAsync(m => m.ReservedDelta));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_plan_beaten_after_its_snapshot_is_undone_exactly_and_made_again(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var setup = store.Db())
        {
            await TwoWarehousesAsync(setup, ("A", 5, 5), ("B", 5, 5));
        }

        // Another checkout reserves 4 × B in East after this one read the balances and before its
        // first guarded update: the plan (all from East) then fails on B, after A was reserved.
        var options = new DbContextOptionsBuilder<StorekeepDbContext>();
        DatabaseSetup.Configure(options, store.Provider, store.ConnectionString);
        var rival = new RivalReservation("UPDATE stock_levels SET reserved = reserved + 4 WHERE sku = 'B' AND warehouse_id = (SELECT id FROM warehouses WHERE code = 'EAST')");
        await using var db = new StorekeepDbContext(options.AddInterceptors(rival).Options);

        var plan = await ReserveAsync(db, new StockRequest("A", 3), new StockRequest("B", 3));

        Assert.True(rival.Fired);
        var west = await db.Warehouses.Where(w => w.Code == "WEST").Select(w => w.Id).SingleAsync();
        Assert.All(plan, a => Assert.Equal(west, a.WarehouseId));
        var reserved = await db.StockLevels.AsNoTracking().Join(db.Warehouses, s => s.WarehouseId, w => w.Id, (s, w) => new { w.Code, s.Sku, s.Reserved })
            .OrderBy(r => r.Code).ThenBy(r => r.Sku).Select(r => $"{r.Code}/{r.Sku}={r.Reserved}").ToListAsync();
        Assert.Equal(["EAST/A=0", "EAST/B=4", "WEST/A=3", "WEST/B=3"], reserved);
        var movements = await db.StockMovements.AsNoTracking().OrderBy(m => m.Sku).Select(m => $"{m.Sku}:{m.ReservedDelta}").ToListAsync();
        Assert.Equal(["A:3", "B:3"], movements);
    }

    /// <summary>Runs <paramref name="sql"/> once, in the reserving transaction, just before its first guarded stock update.</summary>
    private sealed class RivalReservation(string sql) : DbCommandInterceptor
    {
        public bool Fired { get; private set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command,
            CommandEventData eventData,
            InterceptionResult<DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            if (!Fired && command.CommandText.StartsWith("UPDATE stock_levels SET reserved = reserved +", StringComparison.Ordinal))
            {
                Fired = true;
                await using var rival = command.Connection!.CreateCommand();
                rival.Transaction = command.Transaction;
                rival.CommandText = sql;
                await rival.ExecuteNonQueryAsync(cancellationToken);
            }

            return result;
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Reserving_more_than_exists_changes_nothing_and_says_insufficient_stock(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        await TwoWarehousesAsync(db, ("A", 2, 3), ("B", 9, 9));

        var error = await Assert.ThrowsAsync<StorekeepException>(() => ReserveAsync(db, new StockRequest("B", 1), new StockRequest("A", 6)));

        Assert.Equal("insufficient_stock", error.Code);
        Assert.Equal(0, await db.StockLevels.SumAsync(s => s.Reserved));
        Assert.Equal(0, await db.StockMovements.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Crossing_the_low_stock_threshold_raises_one_event_and_ledger_matches_balances(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        await TwoWarehousesAsync(db, ("A", 5, 0));

        await ReserveAsync(db, new StockRequest("A", 2)); // 3 left: above threshold 2
        await ReserveAsync(db, new StockRequest("A", 2)); // 1 left: crosses
        await ReserveAsync(db, new StockRequest("A", 1)); // 0 left: already below, no second event

        var events = await db.OutboxEvents.Where(e => e.Type == EventTypes.InventoryLowStock).ToListAsync();
        Assert.Single(events);
        Assert.Contains("\"available\":1", events[0].Payload, StringComparison.Ordinal);
        var reserved = await db.StockLevels.SumAsync(s => s.Reserved);
        var ledger = await db.StockMovements.SumAsync(m => m.ReservedDelta);
        Assert.Equal(5, reserved);
        Assert.Equal(reserved, ledger);
    }
}

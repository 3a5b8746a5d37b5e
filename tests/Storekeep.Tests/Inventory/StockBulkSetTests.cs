using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Inventory;

public sealed class StockBulkSetTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Setting_available_stock_in_bulk_moves_on_hand_by_the_exact_difference_with_one_ledger_row_per_change(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var main = new Warehouse { Code = "MAIN", Name = "Main", Priority = 1 };
        var other = new Warehouse { Code = "OTHER", Name = "Other", Priority = 2 };
        db.Warehouses.AddRange(main, other);
        db.StockLevels.AddRange(
            new StockLevel { Sku = "A", WarehouseId = main.Id, OnHand = 10, Reserved = 3, LowStockThreshold = 1 },
            new StockLevel { Sku = "B", WarehouseId = main.Id, OnHand = 5, LowStockThreshold = 2 },
            new StockLevel { Sku = "E", WarehouseId = main.Id, OnHand = 4, LowStockThreshold = 2 },
            new StockLevel { Sku = "A", WarehouseId = other.Id, OnHand = 50, LowStockThreshold = 2 });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var inventory = new InventoryService(db, TimeProvider.System);
        StockTarget[] targets = [new("C", 9), new("A", 2), new("B", 1), new("D", 0), new("E", 4)];
        var movements = await db.InTransactionAsync(ct => inventory.SetAvailableAsync(
            main.Id, targets, MovementType.Adjustment, t => $"set to {t.Available}", new Actor("tester"), "import:test", ct));

        // A: 7 available → 2 (reserved stays 3); B: 5 → 1; C: new row with 9; D: target 0 and no row, nothing; E: unchanged.
        var levels = await db.StockLevels.AsNoTracking().Where(s => s.WarehouseId == main.Id).ToDictionaryAsync(s => s.Sku);
        Assert.Equal(["A", "B", "C", "E"], levels.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((5L, 3L), (levels["A"].OnHand, levels["A"].Reserved));
        Assert.Equal((1L, 0L), (levels["B"].OnHand, levels["B"].Reserved));
        Assert.Equal((9L, 0L), (levels["C"].OnHand, levels["C"].Reserved));
        Assert.Equal(InventoryService.DefaultLowStockThreshold, levels["C"].LowStockThreshold);
        Assert.Equal(4L, levels["E"].OnHand);
        Assert.Equal(50L, (await db.StockLevels.AsNoTracking().SingleAsync(s => s.WarehouseId == other.Id)).OnHand);

        Assert.Equal(["A", "B", "C"], movements.Select(m => m.Sku));
        var ledger = await db.StockMovements.AsNoTracking().OrderBy(m => m.Sku).ToListAsync();
        Assert.Equal([("A", -5L), ("B", -4L), ("C", 9L)], ledger.Select(m => (m.Sku, m.OnHandDelta)));
        Assert.All(ledger, m =>
        {
            Assert.Equal(MovementType.Adjustment, m.Type);
            Assert.Equal(0, m.ReservedDelta);
            Assert.Equal(main.Id, m.WarehouseId);
            Assert.Equal("tester", m.Actor);
            Assert.Equal("import:test", m.Reference);
        });
        Assert.Equal("set to 9", ledger.Single(m => m.Sku == "C").Reason);

        // Only B crossed its threshold (A went from 7 to 2, above its threshold of 1).
        var events = await db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.InventoryLowStock).ToListAsync();
        var lowStock = Assert.Single(events);
        Assert.Contains("\"sku\":\"B\"", lowStock.Payload, StringComparison.Ordinal);

        // The ledger adds up to the balances.
        foreach (var (sku, level) in levels)
        {
            var before = sku switch { "A" => 10L, "B" => 5L, "E" => 4L, _ => 0L };
            Assert.Equal(level.OnHand, before + ledger.Where(m => m.Sku == sku).Sum(m => m.OnHandDelta));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bulk_setting_spans_several_statements_and_a_second_run_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var main = new Warehouse { Code = "MAIN", Name = "Main", Priority = 1 };
        db.Warehouses.Add(main);
        await db.SaveChangesAsync();
        var count = InventoryService.BulkChunk * 2 + 7;
        var targets = Enumerable.Range(0, count).Select(i => new StockTarget($"SKU-{i:D5}", 1 + (i % 13))).Reverse().ToList();
        var inventory = new InventoryService(db, TimeProvider.System);

        await db.InTransactionAsync(ct => inventory.SetAvailableAsync(main.Id, targets, MovementType.Adjustment, _ => null, Actor.System, "first", ct));
        db.ChangeTracker.Clear();
        var again = await db.InTransactionAsync(ct => inventory.SetAvailableAsync(main.Id, targets, MovementType.Adjustment, _ => null, Actor.System, "second", ct));

        Assert.Empty(again);
        Assert.Equal(count, await db.StockLevels.CountAsync());
        Assert.Equal(targets.Sum(t => t.Available), await db.StockLevels.SumAsync(s => s.OnHand));
        Assert.Equal(count, await db.StockMovements.CountAsync(m => m.Reference == "first"));
        Assert.Equal(0, await db.StockMovements.CountAsync(m => m.Reference == "second"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bulk_setting_refuses_negative_targets_and_repeated_skus(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var inventory = new InventoryService(db, TimeProvider.System);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.InTransactionAsync(ct =>
            inventory.SetAvailableAsync(Guid.NewGuid(), [new StockTarget("A", -1)], MovementType.Adjustment, _ => null, Actor.System, null, ct)));
        await Assert.ThrowsAsync<ArgumentException>(() => db.InTransactionAsync(ct =>
            inventory.SetAvailableAsync(Guid.NewGuid(), [new StockTarget("A", 1), new StockTarget("A", 2)], MovementType.Adjustment, _ => null, Actor.System, null, ct)));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            inventory.SetAvailableAsync(Guid.NewGuid(), [new StockTarget("A", 1)], MovementType.Adjustment, _ => null, Actor.System, null, CancellationToken.None));
    }
}

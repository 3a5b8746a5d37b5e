using Microsoft.EntityFrameworkCore;

namespace Storekeep.Inventory;

/// <summary>A stock level with what can still be promised from it, as the database computes it.</summary>
public sealed class AvailableStock
{
    public Guid Id { get; init; }
    public Guid WarehouseId { get; init; }
    public required string Sku { get; init; }
    public long OnHand { get; init; }
    public long Reserved { get; init; }
    public long LowStockThreshold { get; init; }

    /// <summary>Planning's reorder point; while set, the stock is low at or under it instead of the threshold.</summary>
    public long? ReorderPoint { get; init; }

    /// <summary>On hand minus reserved.</summary>
    public long Available { get; init; }
}

/// <summary>
/// The one read path for available stock (on hand minus reserved): every query that filters,
/// sorts, sums or shows availability composes over <see cref="WithAvailable"/>, so the definition
/// is written once. Limits are not enforced here: the guarded UPDATEs in
/// <see cref="InventoryService"/> state the same condition in SQL, because a limit is checked by the
/// database in the statement that changes the row, never read first and written after.
/// </summary>
public static class StockAvailability
{
    public static IQueryable<AvailableStock> WithAvailable(this IQueryable<StockLevel> levels) =>
        levels.Select(s => new AvailableStock
        {
            Id = s.Id,
            WarehouseId = s.WarehouseId,
            Sku = s.Sku,
            OnHand = s.OnHand,
            Reserved = s.Reserved,
            LowStockThreshold = s.LowStockThreshold,
            ReorderPoint = s.ReorderPoint,
            Available = s.OnHand - s.Reserved,
        });

    /// <summary>Levels with at least one unit that can be promised.</summary>
    public static IQueryable<AvailableStock> InStock(this IQueryable<StockLevel> levels) =>
        levels.WithAvailable().Where(s => s.Available > 0);

    /// <summary>Levels whose available stock is at or under their alert level (reorder point, else low-stock threshold).</summary>
    public static IQueryable<AvailableStock> AtOrBelowThreshold(this IQueryable<StockLevel> levels) =>
        levels.WithAvailable().Where(s => s.Available <= (s.ReorderPoint ?? s.LowStockThreshold));

    /// <summary>Available units summed over the given levels (all warehouses of a SKU, say).</summary>
    public static Task<long> SumAvailableAsync(this IQueryable<StockLevel> levels, CancellationToken ct) =>
        levels.WithAvailable().SumAsync(s => s.Available, ct);
}

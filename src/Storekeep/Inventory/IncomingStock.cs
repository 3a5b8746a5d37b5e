namespace Storekeep.Inventory;

/// <summary>Units of a SKU on their way into a warehouse (ordered from a supplier, not yet received).</summary>
public sealed record IncomingQuantity(string Sku, Guid WarehouseId, long Quantity);

/// <summary>
/// Where incoming stock comes from: an extension point another capability implements (Purchasing:
/// the outstanding quantities of sent and partially received purchase orders). Inventory shows the
/// sum of every implementation next to on hand and reserved; with none registered, incoming is 0.
/// </summary>
public interface IIncomingStock
{
    /// <summary>Incoming units per SKU and warehouse, for the given SKUs (all SKUs when null).</summary>
    Task<IReadOnlyList<IncomingQuantity>> IncomingAsync(IReadOnlyCollection<string>? skus, CancellationToken ct);
}

internal static class IncomingStockExtensions
{
    public static async Task<Dictionary<(string Sku, Guid WarehouseId), long>> IncomingByLevelAsync(
        this IEnumerable<IIncomingStock> sources, IReadOnlyCollection<string>? skus, CancellationToken ct)
    {
        var result = new Dictionary<(string, Guid), long>();
        if (skus is { Count: 0 })
        {
            return result;
        }

        foreach (var source in sources)
        {
            foreach (var row in await source.IncomingAsync(skus, ct))
            {
                result[(row.Sku, row.WarehouseId)] = result.GetValueOrDefault((row.Sku, row.WarehouseId)) + row.Quantity;
            }
        }

        return result;
    }
}

using Storekeep.Shared;

namespace Storekeep.Fulfillment;

public sealed record ItemLineRequest(string? Sku, int? Quantity);

public sealed record CreateShipmentRequest(string? Warehouse, IReadOnlyList<ItemLineRequest?>? Lines, string? Carrier, string? TrackingNumber);

public sealed record CreateReturnRequest(IReadOnlyList<ItemLineRequest?>? Lines, string? Reason, bool? Restock);

public sealed record ItemLineView(string Sku, int Quantity);

public sealed record ShipmentView(
    Guid Id,
    Guid OrderId,
    string Warehouse,
    string Carrier,
    string TrackingNumber,
    ShipmentStatus Status,
    IReadOnlyList<ItemLineView> Lines,
    DateTime ShippedAt,
    DateTime? DeliveredAt)
{
    public static ShipmentView From(Shipment s, string warehouseCode) => new(
        s.Id, s.OrderId, warehouseCode, s.Carrier, s.TrackingNumber, s.Status,
        s.Lines.Select(l => new ItemLineView(l.Sku, l.Quantity)).ToList(), s.ShippedAt, s.DeliveredAt);
}

public sealed record ReturnView(
    Guid Id,
    string RmaNumber,
    Guid OrderId,
    ReturnStatus Status,
    string Reason,
    bool Restock,
    IReadOnlyList<ItemLineView> Lines,
    DateTime CreatedAt,
    DateTime? ReceivedAt)
{
    /// <summary>Lines per SKU; the per-warehouse split is bookkeeping, not something a client asked for.</summary>
    public static ReturnView From(ReturnRequest r) => new(
        r.Id, r.RmaNumber, r.OrderId, r.Status, r.Reason, r.Restock,
        r.Lines.GroupBy(l => l.Sku, StringComparer.Ordinal).Select(g => new ItemLineView(g.Key, g.Sum(l => l.Quantity))).ToList(),
        r.CreatedAt, r.ReceivedAt);
}

public sealed record OutstandingAllocationView(string Warehouse, string Sku, int Quantity);

public sealed record PickListOrderView(Guid OrderId, long Number, int Quantity);

public sealed record PickListLineView(string Sku, string Title, int Quantity, IReadOnlyList<PickListOrderView> Orders);

public sealed record PickListView(string Warehouse, DateTime GeneratedAt, IReadOnlyList<PickListLineView> Lines);

public sealed record PickScanRequest(string? Warehouse, string? Order, string? Code, int? Quantity);

/// <summary>A line of an order to pick in a warehouse: units to pick (reserved, not released) and units scanned right so far.</summary>
public sealed record PickProgressLineView(string Sku, string Title, int ToPick, int Picked);

/// <summary>
/// The answer to a scan: whether it was right, what it was, and the order's pick progress in the
/// warehouse after it. <paramref name="Message"/> says what to do next in words a picker reads.
/// </summary>
public sealed record PickScanView(
    Guid Id,
    bool Correct,
    string Code,
    string? Sku,
    int Quantity,
    string Message,
    long OrderNumber,
    string Warehouse,
    DateTime ScannedAt,
    IReadOnlyList<PickProgressLineView> Lines,
    bool Complete);

// Events: enough for a consumer (a carrier integration, a mailer) to act without a lookup.

/// <summary>order.shipped: a shipment of the order left a warehouse.</summary>
public sealed record OrderShipped(Guid OrderId, long Number, string Email, Orders.FulfillmentStatus FulfillmentStatus, ShipmentView Shipment) : Events.IEvent
{
    public static string EventType => Events.EventTypes.OrderShipped;
}

/// <summary>return.created: a return (RMA) was opened for some of the order's items.</summary>
public sealed record ReturnCreated(Guid OrderId, long Number, string Email, ReturnView Return) : Events.IEvent
{
    public static string EventType => Events.EventTypes.ReturnCreated;
}

/// <summary>return.received: the returned items arrived back.</summary>
public sealed record ReturnReceived(Guid OrderId, long Number, string Email, ReturnView Return) : Events.IEvent
{
    public static string EventType => Events.EventTypes.ReturnReceived;
}

internal static class ItemLines
{
    public const int MaxLines = 200;

    /// <summary>Validates <c>lines</c> and merges repeated SKUs (case-insensitively, as order lines match).</summary>
    public static List<(string Sku, int Quantity)> Validate(Validation v, IReadOnlyList<ItemLineRequest?>? lines)
    {
        if (lines is null || lines.Count == 0)
        {
            v.Add("lines", "'lines' must list at least one {sku, quantity}.");
            return [];
        }

        if (lines.Count > MaxLines)
        {
            v.Add("lines", $"'lines' may have at most {MaxLines} entries.");
            return [];
        }

        var merged = new List<(string Sku, int Quantity)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line is null)
            {
                v.Add($"lines[{i}]", $"'lines[{i}]' must be an object {{sku, quantity}}.");
                continue;
            }

            var sku = v.Code($"lines[{i}].sku", line.Sku, 64);
            var quantity = v.Quantity($"lines[{i}].quantity", line.Quantity);
            if (v.HasErrors)
            {
                continue;
            }

            var at = merged.FindIndex(m => string.Equals(m.Sku, sku, StringComparison.OrdinalIgnoreCase));
            if (at < 0)
            {
                merged.Add((sku, quantity));
            }
            else
            {
                merged[at] = (merged[at].Sku, merged[at].Quantity + quantity);
            }
        }

        return merged;
    }
}

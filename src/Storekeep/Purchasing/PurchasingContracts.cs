namespace Storekeep.Purchasing;

public static class PurchasingPermissions
{
    /// <summary>See suppliers and purchase orders.</summary>
    public const string Read = "purchasing.read";

    /// <summary>Create suppliers and purchase orders, send and cancel them.</summary>
    public const string Write = "purchasing.write";

    /// <summary>Receive the goods of a purchase order into stock.</summary>
    public const string Receive = "purchasing.receive";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

public sealed record CreateSupplierRequest(string? Name, string? Email, string? Currency, int? LeadTimeDays);

/// <param name="Cost">What one unit costs, in the supplier's currency.</param>
/// <param name="MinimumOrderQuantity">At least this many per order (default 1).</param>
/// <param name="PackSize">Ordered in multiples of this (default 1).</param>
/// <param name="LeadTimeDays">Overrides the supplier's lead time for this SKU.</param>
public sealed record SupplierProductRequest(string? Sku, string? SupplierSku, decimal? Cost, int? MinimumOrderQuantity, int? PackSize, int? LeadTimeDays);

/// <param name="UnitCost">Per unit in the supplier's currency; when left out, the supplier's cost for the SKU.</param>
public sealed record PurchaseOrderLineRequest(string? Sku, int? Quantity, decimal? UnitCost);

public sealed record CreatePurchaseOrderRequest(Guid? SupplierId, string? Warehouse, IReadOnlyList<PurchaseOrderLineRequest?>? Lines, DateTime? ExpectedAt);

public sealed record ReceiptLineRequest(string? Sku, int? Quantity);

public sealed record ReceivePurchaseOrderRequest(IReadOnlyList<ReceiptLineRequest?>? Lines);

public sealed record SupplierProductView(
    Guid Id,
    string Sku,
    string? SupplierSku,
    decimal Cost,
    int MinimumOrderQuantity,
    int PackSize,
    int? LeadTimeDays,
    DateTime UpdatedAt);

/// <param name="Products">The SKUs it sells the store (only when one supplier is read; null in lists).</param>
public sealed record SupplierView(
    Guid Id,
    string Name,
    string Email,
    string Currency,
    int LeadTimeDays,
    DateTime CreatedAt,
    IReadOnlyList<SupplierProductView>? Products);

/// <param name="Outstanding">Ordered and not yet received.</param>
public sealed record PurchaseOrderLineView(
    string Sku,
    string? SupplierSku,
    int Quantity,
    int ReceivedQuantity,
    int Outstanding,
    decimal UnitCost,
    decimal LineTotal);

/// <param name="Number">PO-1001: the reference on the supplier's paperwork and on the stock ledger (<c>po:PO-1001</c>).</param>
/// <param name="Total">Quantity × unit cost over the lines, in <paramref name="Currency"/>.</param>
public sealed record PurchaseOrderView(
    Guid Id,
    string Number,
    PurchaseOrderStatus Status,
    Guid SupplierId,
    string SupplierName,
    string Warehouse,
    string Currency,
    decimal Total,
    DateTime? ExpectedAt,
    string Actor,
    DateTime CreatedAt,
    DateTime? SentAt,
    DateTime? ReceivedAt,
    DateTime? CancelledAt,
    IReadOnlyList<PurchaseOrderLineView> Lines);

public sealed record PurchaseOrderListFilter(string? Status, string? SupplierId, int? Limit, string? Cursor);

using MudBlazor;
using Storekeep.Access;
using Storekeep.Purchasing;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Purchasing;

/// <summary>Suppliers, purchase orders, receiving goods into stock, and incoming stock.</summary>
public sealed class PurchasingModule : StorekeepModule
{
    public override string Name => "Purchasing";

    public override IEnumerable<string> EventTypes =>
    [
        Storekeep.Events.EventTypes.PurchaseOrderCreated, Storekeep.Events.EventTypes.PurchaseOrderSent,
        Storekeep.Events.EventTypes.PurchaseOrderReceived, Storekeep.Events.EventTypes.PurchaseOrderCancelled,
    ];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("unknown_supplier", 422, "No supplier has this id."),
        new("supplier_product_changed", 409, "The SKU was added to the supplier by another request at the same time; retry."),
        new("purchase_order_not_draft", 409, "Only a draft purchase order can be sent."),
        new("purchase_order_not_cancellable", 409, "The purchase order is received or already cancelled."),
        new("purchase_order_not_receivable", 409, "Goods are received only against a sent or partially received purchase order."),
        new("sku_not_on_purchase_order", 422, "The SKU received is not on the purchase order."),
        new("receipt_exceeds_outstanding", 409, "More units received than are outstanding (ordered and not yet received) on the line."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(PurchasingPermissions.Read, Role.Owner, Role.Manager, Role.Warehouse),
        new(PurchasingPermissions.Write, Role.Owner, Role.Manager),
        new(PurchasingPermissions.Receive, Role.Owner, Role.Manager, Role.Warehouse),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(42, "Purchase orders", "/admin/purchase-orders", Icons.Material.Filled.LocalShipping, PurchasingPermissions.Read),
        new(43, "Suppliers", "/admin/suppliers", Icons.Material.Filled.Factory, PurchasingPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Suppliers>();
        services.AddScoped<PurchaseOrders>();
        services.AddScoped<Storekeep.Inventory.IIncomingStock, IncomingPurchases>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPurchasingEndpoints();
}

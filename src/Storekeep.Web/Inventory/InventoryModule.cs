using MudBlazor;
using Storekeep.Access;
using Storekeep.Inventory;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Inventory;

/// <summary>Warehouses, stock levels, movements, transfers and low-stock alerts.</summary>
public sealed class InventoryModule : StorekeepModule
{
    public override string Name => "Inventory";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("unknown_sku", 422, "No product variant has this SKU."),
        new("unknown_warehouse", 422, "No warehouse has this code."),
        new("warehouse_code_taken", 409, "A warehouse with this code already exists."),
        new("stock_changed", 409, "Stock changed while a bulk stock update ran; nothing was written."),
        new("reservation_missing", 409, "There is no reservation to release."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.InventoryRead, Role.Owner, Role.Manager, Role.Warehouse, Role.Sales, Role.Support),
        new(Storekeep.Access.Permissions.InventoryWrite, Role.Owner, Role.Manager, Role.Warehouse),
    ];

    public override IEnumerable<string> EventTypes => [Storekeep.Events.EventTypes.InventoryLowStock];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(40, "Inventory", "/admin/inventory", Icons.Material.Filled.Warehouse, Storekeep.Access.Permissions.InventoryRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<InventoryService>();
        services.AddScoped<WarehouseService>();
        services.AddScoped<StockService>();
        services.AddScoped<StockTotals>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapInventoryEndpoints();
}

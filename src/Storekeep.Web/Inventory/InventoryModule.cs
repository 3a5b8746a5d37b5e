using MudBlazor;
using Storekeep.Access;
using Storekeep.Inventory;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Inventory;

/// <summary>Warehouses, stock levels, movements, transfers and low-stock alerts.</summary>
public sealed class InventoryModule : StorekeepModule
{
    public override string Name => "Inventory";

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

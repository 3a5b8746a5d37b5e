using MudBlazor;
using Storekeep.Access;
using Storekeep.Orders;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Orders;

/// <summary>Orders: their lines, allocations, timeline, search and cancellation.</summary>
public sealed class OrdersModule : StorekeepModule
{
    public override string Name => "Orders";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.OrdersRead, Role.Owner, Role.Manager, Role.Sales, Role.Warehouse, Role.Support),
        new(Storekeep.Access.Permissions.OrdersManage, Role.Owner, Role.Manager, Role.Sales, Role.Support),
    ];

    public override IEnumerable<string> EventTypes =>
        [Storekeep.Events.EventTypes.OrderPlaced, Storekeep.Events.EventTypes.OrderPaid, Storekeep.Events.EventTypes.OrderCancelled];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(10, "Orders", "/admin/orders", Icons.Material.Filled.Receipt, Storekeep.Access.Permissions.OrdersRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<OrderQueries>();
        services.AddScoped<OrderSearch>();
        services.AddScoped<OrderCancellation>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapOrdersEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Orders.Import;
using Storekeep.Web.Admin.Orders;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Orders;

/// <summary>Orders: their lines, allocations, timeline, search and cancellation.</summary>
public sealed class OrdersModule : StorekeepModule
{
    public override string Name => "Orders";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("order_already_cancelled", 409, "The order is already cancelled."),
        new("order_already_shipped", 409, "The order has shipped and can no longer be cancelled; create a return."),
        new("order_cancelled", 409, "The order is cancelled; it can no longer ship or be paid."),
        new("order_empty", 422, "An order needs at least one line."),
        new("order_not_paid", 409, "The order is not paid; it ships once payment is received (cash on delivery ships at once)."),
        new("shipment_exceeds_order", 409, "More units than are left to ship on the line."),
        new("already_paid", 409, "The order or payment has already been paid."),
        new("invalid_import_map", 400, "The order import's column map cannot be used (unknown field, a required field unmapped, a header the file lacks); the problem lists why."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.OrdersRead, Role.Owner, Role.Manager, Role.Sales, Role.Warehouse, Role.Support),
        new(Storekeep.Access.Permissions.OrdersManage, Role.Owner, Role.Manager, Role.Sales, Role.Support),
        new(OrderImportPermissions.Import, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<string> EventTypes =>
        [Storekeep.Events.EventTypes.OrderPlaced, Storekeep.Events.EventTypes.OrderPaid, Storekeep.Events.EventTypes.OrderCancelled];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(10, "Orders", "/admin/orders", Icons.Material.Filled.Receipt, Storekeep.Access.Permissions.OrdersRead),
        new(12, "Import orders", "/admin/orders/import", Icons.Material.Filled.UploadFile, OrderImportPermissions.Import),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<OrderQueries>();
        services.AddScoped<OrderSearch>();
        services.AddScoped<OrderCancellation>();
        services.AddScoped<OrderHistoryImporter>();
        services.AddReplicaReader<OrderCsvExporter>();
    }

    public override void MapApi(RouteGroupBuilder api)
    {
        api.MapOrdersEndpoints();
        api.MapOrderImportEndpoints();
    }

    public override void MapPages(IEndpointRouteBuilder app) => app.MapOrderCsvDownload();
}

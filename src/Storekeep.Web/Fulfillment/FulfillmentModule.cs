using Storekeep.Access;
using Storekeep.Fulfillment;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Fulfillment;

/// <summary>Shipments, pick lists, deliveries and returns.</summary>
public sealed class FulfillmentModule : StorekeepModule
{
    public override string Name => "Fulfillment";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("shipment_spans_warehouses", 409, "No single warehouse holds all of the units; ship one shipment per warehouse."),
        new("not_allocated_in_warehouse", 409, "The units are not held for the order in that warehouse."),
        new("shipment_already_delivered", 409, "The shipment is already delivered."),
        new("return_exceeds_shipped", 409, "More units than were shipped and not already returned."),
        new("return_already_received", 409, "The return has already been received."),
        new("sku_not_in_order", 422, "The SKU is not on the order."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.FulfillmentWrite, Role.Owner, Role.Manager, Role.Warehouse),
        new(Storekeep.Access.Permissions.ReturnsCreate, Role.Owner, Role.Manager, Role.Support, Role.Warehouse),
    ];

    public override IEnumerable<string> EventTypes =>
    [
        Storekeep.Events.EventTypes.OrderShipped, Storekeep.Events.EventTypes.OrderDelivered,
        Storekeep.Events.EventTypes.ReturnCreated, Storekeep.Events.EventTypes.ReturnReceived,
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ShipmentService>();
        services.AddScoped<PickListService>();
        services.AddScoped<PickScanning>();
        services.AddScoped<ReturnService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapFulfillmentEndpoints();
}

using Storekeep.Access;
using Storekeep.Fulfillment;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Fulfillment;

/// <summary>Shipments, pick lists, deliveries and returns.</summary>
public sealed class FulfillmentModule : StorekeepModule
{
    public override string Name => "Fulfillment";

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
        services.AddScoped<ReturnService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapFulfillmentEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Customers;

/// <summary>The people who buy: their profiles and purchase history.</summary>
public sealed class CustomersModule : StorekeepModule
{
    public override string Name => "Customers";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.CustomersRead, Role.Owner, Role.Manager, Role.Sales, Role.Support, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(50, "Customers", "/admin/customers", Icons.Material.Filled.People, Storekeep.Access.Permissions.CustomersRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CustomerDirectory>();
        services.AddScoped<CustomerRegistry>();
        services.AddScoped<CustomerAccounts>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCustomersEndpoints();
}

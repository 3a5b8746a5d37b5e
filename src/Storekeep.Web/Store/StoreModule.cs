using MudBlazor;
using Storekeep.Access;
using Storekeep.Store;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Store;

/// <summary>The store's own settings: name, currency, address, accepted payment methods (and the settings API, which also serves Pricing's shipping and tax).</summary>
public sealed class StoreModule : StorekeepModule
{
    public override string Name => "Store";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("currency_locked", 409, "The currency cannot change once the store has orders."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.SettingsManage, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(100, "Settings", "/admin/settings", Icons.Material.Filled.Settings, Storekeep.Access.Permissions.SettingsManage),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<StoreSettingsService>();

    public override void MapApi(RouteGroupBuilder api) => api.MapSettingsEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Store;

/// <summary>The store's own settings: name, currency, address, payment methods, shipping and tax.</summary>
public sealed class StoreModule : StorekeepModule
{
    public override string Name => "Store";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("currency_locked", 409, "The currency cannot change once the store has orders."),
        new("shipping_method_code_taken", 409, "A shipping method with this code already exists."),
        new("tax_rate_exists", 409, "A tax rate for this country and region already exists."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.SettingsManage, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(100, "Settings", "/admin/settings", Icons.Material.Filled.Settings, Storekeep.Access.Permissions.SettingsManage),
    ];

    public override void MapApi(RouteGroupBuilder api) => api.MapSettingsEndpoints();
}

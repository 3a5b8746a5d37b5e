using MudBlazor;
using Storekeep.Access;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Access;

/// <summary>API keys: who may call the API, with which role.</summary>
public sealed class AccessModule : StorekeepModule
{
    public override string Name => "Access";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.ApiKeysManage, Role.Owner),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(120, "API keys", "/admin/settings/api-keys", Icons.Material.Filled.Key, Storekeep.Access.Permissions.ApiKeysManage),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiKeyService>();
        services.AddScoped<ApiKeyAdministration>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapAccessEndpoints();
}

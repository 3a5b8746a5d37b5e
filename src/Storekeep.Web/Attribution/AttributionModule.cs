using MudBlazor;
using Storekeep.Access;
using Storekeep.Attribution;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Attribution;

/// <summary>Attribution and acquisition cost: each visit's channel, orders' first and last touch, marketing spend, and CAC and ROAS per channel (docs/marketing.md).</summary>
public sealed class AttributionModule : StorekeepModule
{
    public override string Name => "Attribution";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("invalid_touch", 400, "The acquisition report's touch is first or last."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(AttributionPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(AttributionPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(74, "Acquisition", "/admin/acquisition", Icons.Material.Filled.Campaign, AttributionPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Touches>();
        services.AddScoped<MarketingSpendLedger>();
        services.AddScoped<AcquisitionReport>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapAttributionEndpoints();
}

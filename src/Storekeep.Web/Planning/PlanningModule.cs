using MudBlazor;
using Storekeep.Access;
using Storekeep.Planning;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Planning;

/// <summary>Demand forecasts and ABC/XYZ classes (docs/planning.md).</summary>
public sealed class PlanningModule : StorekeepModule
{
    public override string Name => "Planning";

    public override IEnumerable<PermissionGrant> Permissions =>
        [new(PlanningPermissions.Read, Role.Owner, Role.Manager)];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("invalid_group_by", 400, "groupBy is neither sku nor category."),
        new("invalid_horizon", 400, "horizonWeeks is outside 1..104."),
        new("invalid_abc_basis", 400, "by is neither revenue, margin nor units."),
        new("invalid_period", 400, "from or to is not a date, or from is not before to."),
        new(ForecastAccuracy.InvalidOriginsCode, 400, "origins is outside 1..8."),
        new(Replenishment.WarehouseRequiredCode, 400, "Purchase orders from replenishment need the warehouse they go to."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(65, "Planning", "/admin/planning", Icons.Material.Filled.Insights, PlanningPermissions.Read),
        new(66, "Replenishment", "/admin/planning/replenishment", Icons.Material.Filled.LocalShipping, PlanningPermissions.Read),
        new(67, "Inventory health", "/admin/planning/inventory-health", Icons.Material.Filled.HealthAndSafety, PlanningPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Planning:Abc").Get<AbcSettings>() ?? new AbcSettings());
        services.AddScoped<DemandHistory>();
        services.AddScoped<ForecastService>();
        services.AddScoped<ForecastAccuracy>();
        services.AddScoped<AbcAnalysis>();
        services.AddSingleton(configuration.GetSection("Planning:Replenishment").Get<ReplenishmentSettings>() ?? new ReplenishmentSettings());
        services.AddScoped<Replenishment>();
        services.AddSingleton(configuration.GetSection("Planning:InventoryHealth").Get<InventoryHealthSettings>() ?? new InventoryHealthSettings());
        services.AddScoped<InventoryHealth>();
        services.AddSingleton<ForecastCache>();
        services.AddScoped<ReorderPointAlerts>();
        services.AddSingleton(configuration.GetSection("Planning:ReorderPoints").Get<ReorderPointRefreshSettings>() ?? new ReorderPointRefreshSettings());
        services.AddHostedService<ReorderPointRefreshService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPlanningEndpoints();
}

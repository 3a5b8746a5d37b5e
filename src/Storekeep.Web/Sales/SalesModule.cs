using MudBlazor;
using Storekeep.Access;
using Storekeep.Sales;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Sales;

/// <summary>B2B sales: teams, reps, territories, the five-stage pipeline, activities and the metrics.</summary>
public sealed class SalesModule : StorekeepModule
{
    public override string Name => "Sales";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("unknown_manager", 422, "The team's manager is not a back-office user with the sales, manager or owner role."),
        new("unknown_user", 422, "No back-office user has this id or email."),
        new("rep_user_not_sales", 422, "The user holds none of the roles sales, manager or owner."),
        new("rep_exists", 409, "The user is a sales rep already."),
        new("unknown_team", 422, "No sales team has this id."),
        new("unknown_territory", 422, "No territory has this id."),
        new("unknown_rep", 422, "No sales rep has this id."),
        new("unknown_company", 422, "No company has this id."),
        new("unknown_won_order", 422, "The orderId of a won deal names no order."),
        new("deal_closed", 409, "The deal is won or lost: its stage, probability and forecast cannot change."),
        new("deal_stage_changed", 409, "The deal moved to another stage meanwhile; reload it and decide again."),
        new("commission_plan_exists", 409, "A commission plan with this name exists."),
        new("unknown_commission_plan", 422, "No commission plan has this id."),
        new("commission_plan_in_use", 409, "A rep is or was on the commission plan: its terms are fixed and it cannot be deleted."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(SalesPermissions.Read, Role.Owner, Role.Manager, Role.Sales),
        new(SalesPermissions.Write, Role.Owner, Role.Manager, Role.Sales),
        new(SalesPermissions.Manage, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(16, "Sales pipeline", "/admin/sales/pipeline", Icons.Material.Filled.ViewKanban, SalesPermissions.Read),
        new(17, "Sales metrics", "/admin/sales/metrics", Icons.Material.Filled.Insights, SalesPermissions.Read),
        new(17, "Sales quotas", "/admin/sales/quotas", Icons.Material.Filled.Leaderboard, SalesPermissions.Read),
        new(17, "Commissions", "/admin/sales/commissions", Icons.Material.Filled.Payments, SalesPermissions.Manage),
        new(17, "Forecast accuracy", "/admin/sales/forecast-accuracy", Icons.Material.Filled.Timeline, SalesPermissions.Read),
        new(17, "Sales team", "/admin/sales/team", Icons.Material.Filled.Groups, SalesPermissions.Read),
        new(17, "Sales tasks", "/admin/sales/activities", Icons.Material.Filled.Checklist, SalesPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<SalesTeams>();
        services.AddScoped<Deals>();
        services.AddScoped<SalesMetrics>();
        services.AddScoped<Quotas>();
        services.AddScoped<Commissions>();
        services.AddScoped<ForecastAccuracy>();
        services.AddScoped<SalesSetupViews>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapSalesEndpoints();
}

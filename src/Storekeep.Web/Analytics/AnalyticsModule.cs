using MudBlazor;
using Storekeep.Analytics;
using Storekeep.Events;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Analytics;

/// <summary>The daily sales rollup and the dashboard built on it.</summary>
public sealed class AnalyticsModule : StorekeepModule
{
    public override string Name => "Analytics";

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(0, "Dashboard", "/admin", Icons.Material.Filled.Dashboard, null, MatchAll: true),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<DailySalesRollup>();
        services.AddEventSubscriber<DailySalesRollup>(DailySalesRollup.SubscriberName);
        services.AddScoped<SalesDashboard>();
        services.AddScoped<FunnelQueries>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapAnalyticsEndpoints();
}

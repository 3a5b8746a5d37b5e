using MudBlazor;
using Storekeep.Access;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Analytics;

/// <summary>The daily sales rollup, the dashboard built on it, and the analytics reports.</summary>
public sealed class AnalyticsModule : StorekeepModule
{
    public override string Name => "Analytics";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(AnalyticsPermissions.Read, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new(AnalyticsErrors.InvalidDateCode, 400, "A report date is not an ISO date (yyyy-MM-dd)."),
        new(AnalyticsErrors.InvalidRangeCode, 400, "A report's 'from' is not before its 'to' (which is exclusive)."),
        new(AnalyticsErrors.RangeTooLongCode, 400, "A report covers at most 5 years."),
        new(AnalyticsErrors.InvalidGroupByCode, 400, "'groupBy' is not one of day, week, month, quarter, year, category, channel, country, segment."),
        new(AnalyticsErrors.InvalidMetricCode, 400, "The cohort 'metric' is not one of customers, revenue, orders."),
        new(AnalyticsErrors.InvalidCohortByCode, 400, "Cohorts are by month only."),
        new(AnalyticsErrors.InvalidPeriodsCode, 400, "The cohort 'periods' is not a whole number from 1 to 36."),
        new(AnalyticsErrors.InvalidChurnThresholdCode, 400, "'churnThresholdDays' is not a whole number from 1 to 3650."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(0, "Dashboard", "/admin", Icons.Material.Filled.Dashboard, null, MatchAll: true),
        new(55, "Analytics", "/admin/analytics", Icons.Material.Filled.Insights, AnalyticsPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<DailySalesRollup>();
        services.AddEventSubscriber<DailySalesRollup>(DailySalesRollup.SubscriberName, batchSize: DailySalesRollup.BatchSize, pause: DailySalesRollup.Pause);

        // Reports read the read replica when one is configured (docs/scaling.md).
        services.AddReplicaReader<SalesDashboard>();
        services.AddReplicaReader<FunnelQueries>();
        services.AddReplicaReader<KpiReport>();
        services.AddReplicaReader<CohortReport>();
        services.AddReplicaReader<CustomerAnalytics>();
        services.AddReplicaReader<FulfillmentReport>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapAnalyticsEndpoints();
}

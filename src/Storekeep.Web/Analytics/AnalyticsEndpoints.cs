using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Analytics;
using Storekeep.Web.Api;

namespace Storekeep.Web.Analytics;

/// <summary>The back office dashboard's figures (definitions in docs/analytics.md).</summary>
public static class AnalyticsEndpoints
{
    public static RouteGroupBuilder MapAnalyticsEndpoints(this RouteGroupBuilder api)
    {
        var analytics = api.MapGroup("/analytics").WithTags("Analytics");

        analytics.MapGet("/dashboard", Dashboard).WithName("GetDashboard")
            .WithSummary("The dashboard in the store currency: today, 7 and 30 days (orders, gross, refunds, revenue, average order value, units) against the periods before, 30 days of revenue, low stock, orders waiting to ship.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    private static async Task<Ok<DashboardView>> Dashboard(SalesDashboard dashboard, CancellationToken ct) =>
        TypedResults.Ok(await dashboard.GetAsync(ct));
}

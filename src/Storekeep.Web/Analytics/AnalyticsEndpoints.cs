using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Analytics;
using Storekeep.Web.Api;

namespace Storekeep.Web.Analytics;

/// <summary>The dashboard's figures and the analytics reports (definitions in docs/analytics.md).</summary>
public static class AnalyticsEndpoints
{
    private const string Csv = "text/csv";

    public static RouteGroupBuilder MapAnalyticsEndpoints(this RouteGroupBuilder api)
    {
        var analytics = api.MapGroup("/analytics").WithTags("Analytics");

        analytics.MapGet("/dashboard", Dashboard).WithName("GetDashboard")
            .WithSummary("The dashboard in the store currency: today, 7 and 30 days (orders, gross, refunds, revenue, average order value, units) against the periods before, 30 days of revenue, low stock, orders waiting to ship.")
            .RequireAuthorization(Permissions.OrdersRead).ProducesProblem(401).ProducesProblem(403);

        analytics.MapGet("/kpis", Kpis).WithName("GetKpis")
            .WithSummary("Sales KPIs over [from, to) (ISO dates, to exclusive, at most 5 years; default the last 30 days) in the store currency, grouped by day, week, month, quarter, year, category, channel, country or segment. Accept: text/csv answers the rows and the total as CSV.")
            .Report<KpiReportView>();
        analytics.MapGet("/cohorts", Cohorts).WithName("GetCohorts")
            .WithSummary("Customers by month of first order (rows) and months since (columns): customers who ordered, orders or revenue; periods 1 to 36 (default 12); rows for the last 'periods' months, or with from/to (ISO dates, to exclusive) for the months of first orders in [from, to). Accept: text/csv answers CSV.")
            .Report<CohortReportView>();
        analytics.MapGet("/customers", Customers).WithName("GetCustomerAnalytics")
            .WithSummary("Customers, repeat purchase rate, churn (no order for the threshold: by default the 80th percentile of the gaps between a customer's orders), average and predicted 12-month lifetime value; every order ever, or with from/to (ISO dates, to exclusive) the orders placed in [from, to) measured at 'to'. Accept: text/csv answers CSV.")
            .Report<CustomerAnalyticsView>();
        analytics.MapGet("/fulfillment", Fulfillment).WithName("GetFulfillmentAnalytics")
            .WithSummary("Orders placed in [from, to) and how fast they shipped: median and 90th percentile hours to the first shipment, on-time (within 48 hours) and split-shipment rates. Accept: text/csv answers CSV.")
            .Report<FulfillmentReportView>();
        analytics.MapGet("/funnel", Funnel).WithName("GetFunnel")
            .WithSummary("Storefront sessions in [from, to) and how many reached each step (product view, add to cart, checkout, order), with the rate from each step to the next. Accept: text/csv answers CSV.")
            .Report<FunnelReportView>();
        return api;
    }

    private static RouteHandlerBuilder Report<T>(this RouteHandlerBuilder route) =>
        route.RequireAuthorization(AnalyticsPermissions.Read)
            .Produces<T>(StatusCodes.Status200OK)
            .Produces<string>(StatusCodes.Status200OK, Csv)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);

    private static async Task<Ok<DashboardView>> Dashboard(SalesDashboard dashboard, CancellationToken ct) =>
        TypedResults.Ok(await dashboard.GetAsync(ct));

    private static async Task<IResult> Kpis(string? from, string? to, string? groupBy, KpiReport report, HttpContext http, CancellationToken ct)
    {
        var view = await report.GetAsync(from, to, groupBy, ct);
        return Answer(http, view, () => ReportCsv.Of<KpiRow>([.. view.Rows, view.Totals]), $"kpis-{view.GroupBy}");
    }

    private static async Task<IResult> Cohorts(string? by, string? metric, string? periods, string? from, string? to, CohortReport report, HttpContext http, CancellationToken ct)
    {
        var view = await report.GetAsync(by, metric, ParsePeriods(periods), from, to, ct);
        return Answer(http, view, () => ReportCsv.Of(view), $"cohorts-{view.Metric}");
    }

    private static async Task<IResult> Customers(string? churnThresholdDays, string? from, string? to, CustomerAnalytics analytics, HttpContext http, CancellationToken ct)
    {
        int? days = null;
        if (!string.IsNullOrWhiteSpace(churnThresholdDays))
        {
            days = int.TryParse(churnThresholdDays, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d)
                ? d
                : throw Storekeep.Shared.Errors.BadRequest(AnalyticsErrors.InvalidChurnThresholdCode, $"'churnThresholdDays' must be a whole number of days from 1 to {CustomerAnalytics.MaxChurnDays}.");
        }

        var view = await analytics.GetAsync(days, from, to, ct);
        return Answer(http, view, () => ReportCsv.Of([view]), "customers");
    }

    private static async Task<IResult> Fulfillment(string? from, string? to, FulfillmentReport report, HttpContext http, CancellationToken ct)
    {
        var view = await report.GetAsync(from, to, ct);
        return Answer(http, view, () => ReportCsv.Of([view]), "fulfillment");
    }

    private static async Task<IResult> Funnel(string? from, string? to, FunnelQueries funnel, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var range = ReportRange.Parse(from, to, clock.GetUtcNow().UtcDateTime);
        var view = FunnelReportView.Of(range, await funnel.CountsAsync(range.Start, range.End, ct));
        return Answer(http, view, () => ReportCsv.Of([view]), "funnel");
    }

    /// <summary>Periods as text, so that "abc" or "1e9" answer the report's own problem rather than a binding error.</summary>
    private static int? ParsePeriods(string? periods) =>
        string.IsNullOrWhiteSpace(periods)
            ? null
            : int.TryParse(periods, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Storekeep.Shared.Errors.BadRequest(AnalyticsErrors.InvalidPeriodsCode, $"'periods' must be a whole number from 1 to {CohortReport.MaxPeriods}.");

    /// <summary>JSON, or CSV when the client asks for text/csv (and not JSON first).</summary>
    private static IResult Answer<T>(HttpContext http, T view, Func<string> csv, string name)
    {
        var accept = http.Request.GetTypedHeaders().Accept;
        var wantsCsv = accept.Any(a => a.MediaType.Equals(Csv, StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && (a.Quality ?? 1) > (accept.First(c => c.MediaType.Equals(Csv, StringComparison.OrdinalIgnoreCase)).Quality ?? 1));
        if (!wantsCsv)
        {
            return TypedResults.Ok(view);
        }

        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}.csv\"";
        return TypedResults.Text(csv(), "text/csv; charset=utf-8");
    }
}

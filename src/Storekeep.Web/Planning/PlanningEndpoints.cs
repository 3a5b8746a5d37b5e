using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Planning;
using Storekeep.Shared;

namespace Storekeep.Web.Planning;

public static class PlanningEndpoints
{
    public static RouteGroupBuilder MapPlanningEndpoints(this RouteGroupBuilder api)
    {
        var planning = api.MapGroup("/planning").WithTags("Planning");
        planning.MapGet("/forecast", Forecast).WithName("GetDemandForecast")
            .WithSummary("Weekly demand history and forecast with an 80% interval per SKU or category, by the method with the lowest rolling-origin MASE; asOf forecasts from the weeks before it only.")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        planning.MapGet("/abc", Abc).WithName("GetAbcAnalysis")
            .WithSummary("ABC classes by revenue, margin or units and XYZ classes by the variability of weekly demand, per SKU, for [from, to].")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    // Strings, parsed here: a malformed number or date is a problem with a code, not a binder's bare 400.
    private static async Task<Ok<Page<GroupForecast>>> Forecast(
        ForecastService forecasts,
        [FromQuery] string? groupBy,
        [FromQuery] string? sku,
        [FromQuery] string? category,
        [FromQuery] string? horizonWeeks,
        [FromQuery] string? asOf,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CancellationToken ct)
    {
        int? horizon = horizonWeeks is null ? null
            : int.TryParse(horizonWeeks, NumberStyles.Integer, CultureInfo.InvariantCulture, out var h) ? h
            : throw Errors.BadRequest("invalid_horizon", $"horizonWeeks must be a whole number between 1 and {ForecastService.MaxHorizon}.");
        return TypedResults.Ok(await forecasts.ForecastAsync(groupBy, sku, category, horizon, Date(asOf, "asOf"), limit, cursor, ct));
    }

    private static async Task<Ok<Page<AbcRow>>> Abc(
        AbcAnalysis abc,
        [FromQuery] string? from,
        [FromQuery] string? to,
        [FromQuery] string? by,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CancellationToken ct) =>
        TypedResults.Ok(await abc.AnalyseAsync(Date(from, "from"), Date(to, "to"), by, limit, cursor, ct));

    private static DateOnly? Date(string? value, string name) =>
        value is null ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year >= 2000 && date.Year <= 9998 ? date
        : throw Errors.BadRequest("invalid_period", $"{name} must be a date as yyyy-MM-dd.");
}

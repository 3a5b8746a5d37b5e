using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Planning;
using Storekeep.Purchasing;
using Storekeep.Web.Api;
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
        planning.MapGet("/forecast-accuracy", GetForecastAccuracy).WithName("GetForecastAccuracy")
            .WithSummary("Forecast accuracy on the store's own history by rolling origins (origins, 1-8, default 4): at origin k the 13 whole weeks ending 13 × (k − 1) weeks before asOf's week (default today) are held out, the method is chosen per SKU on the weeks before them as the forecast does, and the chosen forecast, seasonal naive, SES and the 13-week moving average are scored by MASE; per SKU the mean over its origins, then the mean over the SKUs, the ratios, the targets and per-SKU counts.")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        planning.MapGet("/abc", Abc).WithName("GetAbcAnalysis")
            .WithSummary("ABC classes by revenue, margin or units and XYZ classes by the variability of weekly demand, per SKU, for [from, to) (ISO dates, to exclusive; default the last 365 days).")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        planning.MapGet("/replenishment", GetReplenishment).WithName("GetReplenishment")
            .WithSummary("Per SKU: stock on hand, reserved and incoming, daily demand over the last 91 days, safety stock, reorder point, EOQ and the suggested order rounded to the supplier's pack and minimum, most urgent first.")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        planning.MapPost("/replenishment/purchase-orders", CreatePurchaseOrders).WithName("CreateReplenishmentPurchaseOrders")
            .WithSummary("Turn the suggestions for a warehouse (all, or the SKUs given) into one draft purchase order per supplier, expected after the longest lead time of its lines.")
            .RequireAuthorization(PurchasingPermissions.Write).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        planning.MapGet("/inventory-health", GetInventoryHealth).WithName("GetInventoryHealth")
            .WithSummary("Over [from, to) (ISO dates, to exclusive; default the last 365 days), optionally for one warehouse: average inventory at cost from daily ledger balances, cost of goods sold, turnover, days of inventory, sell-through, and dead stock (on hand, no sale for Planning:InventoryHealth:DeadStockDays days).")
            .RequireAuthorization(PlanningPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private static async Task<Ok<InventoryHealthView>> GetInventoryHealth(
        InventoryHealth health, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? warehouse, CancellationToken ct) =>
        TypedResults.Ok(await health.GetAsync(from, to, warehouse, ct));

    private static async Task<Ok<Page<ReplenishmentRow>>> GetReplenishment(
        Replenishment replenishment, [FromQuery] string? warehouse, [FromQuery] int? limit, [FromQuery] string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var offset = cursor is null ? 0 : (int)Math.Clamp(Cursor.DecodeLong(cursor) ?? 0, 0, int.MaxValue);
        var rows = await replenishment.SuggestAsync(warehouse, ct);
        return TypedResults.Ok(new Page<ReplenishmentRow>([.. rows.Skip(offset).Take(take)], offset + take < rows.Count ? Cursor.Encode(offset + take) : null));
    }

    private static async Task<Created<ReplenishmentOrders>> CreatePurchaseOrders(
        Replenishment replenishment, ReplenishmentOrderRequest request, HttpContext http, CancellationToken ct)
    {
        var result = await replenishment.CreatePurchaseOrdersAsync(request.Warehouse, request.Skus, http.User.Actor(), ct);
        return TypedResults.Created("/api/v1/purchase-orders?status=draft", result);
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

    private static async Task<Ok<ForecastAccuracyReport>> GetForecastAccuracy(
        ForecastAccuracy accuracy, [FromQuery] string? asOf, [FromQuery] int? origins, CancellationToken ct) =>
        TypedResults.Ok(await accuracy.ReportAsync(Date(asOf, "asOf"), origins, ct));

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

/// <param name="Warehouse">The warehouse code the goods go to.</param>
/// <param name="Skus">Only these SKUs (default: every SKU with a suggestion).</param>
public sealed record ReplenishmentOrderRequest(string? Warehouse, IReadOnlyList<string>? Skus);

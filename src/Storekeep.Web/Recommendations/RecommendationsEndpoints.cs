using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Recommendations;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Recommendations;

/// <summary>The result of a rebuild: the pairs written (each direction once) and the orders counted.</summary>
public sealed record CoPurchaseRebuildView(int Pairs, int Orders);

public static class RecommendationsEndpoints
{
    public static RouteGroupBuilder MapRecommendationsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/products/{sku}/also-bought", AlsoBought).WithTags("Recommendations").WithName("GetAlsoBought")
            .WithSummary("Customers also bought: other SKUs of active products by how many paid orders held both ({sku, name, price, count}), count then SKU; limit 1 to 20, default 4.")
            .AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit)
            .ProducesValidationProblem().ProducesProblem(429);

        var recommendations = api.MapGroup("/recommendations").WithTags("Recommendations");
        recommendations.MapGet("/pairs", Pairs).WithName("ListCoPurchasePairs")
            .WithSummary("The most co-purchased SKU pairs, each once, by count (limit, default 50, at most 500).")
            .RequireAuthorization(RecommendationPermissions.Read).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        recommendations.MapPost("/rebuild", Rebuild).WithName("RebuildCoPurchases")
            .WithSummary("Recompute the co-purchase counts from the paid orders (after importing history).")
            .RequireAuthorization(RecommendationPermissions.Write).ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    private static async Task<Ok<IReadOnlyList<AlsoBoughtView>>> AlsoBought(string sku, [FromQuery] int? limit, CoPurchases coPurchases, CancellationToken ct) =>
        TypedResults.Ok(await coPurchases.AlsoBoughtAsync(sku, limit, ct));

    private static async Task<Ok<IReadOnlyList<CoPurchasePairView>>> Pairs([FromQuery] int? limit, CoPurchases coPurchases, CancellationToken ct) =>
        TypedResults.Ok(await coPurchases.TopPairsAsync(limit ?? 50, ct));

    private static async Task<Ok<CoPurchaseRebuildView>> Rebuild(CoPurchases coPurchases, CancellationToken ct)
    {
        var pairs = await coPurchases.RebuildAsync(ct);
        return TypedResults.Ok(new CoPurchaseRebuildView(pairs, await coPurchases.CountedOrdersAsync(ct)));
    }
}

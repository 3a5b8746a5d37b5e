using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.PriceLists;
using Storekeep.Shared;

namespace Storekeep.Web.PriceLists;

public static class PriceListsEndpoints
{
    public static RouteGroupBuilder MapPriceListsEndpoints(this RouteGroupBuilder api)
    {
        var lists = api.MapGroup("/price-lists").WithTags("Price lists");
        lists.MapGet("/", List).WithName("ListPriceLists")
            .WithSummary("Price lists by name, each with how many tiers and SKUs it holds (paginated with limit and cursor).")
            .RequireAuthorization(PriceListPermissions.Read).ProducesValidationProblem();
        lists.MapPost("/", Create).WithName("CreatePriceList")
            .WithSummary("Create a price list: {name, currency?, entries: [{sku, price, minimumQuantity?}]} or {name, percentOff}.")
            .WithDescription("Currency defaults to (and must be) the store's. Tiers: from minimumQuantity units of the SKU on one line, each unit costs price; the best tier the quantity reaches applies, never above the regular price. A SKU without a variant → 422 unknown_sku; a name in use → 409 price_list_exists.")
            .RequireAuthorization(PriceListPermissions.Write).ProducesValidationProblem().ProducesProblem(409).ProducesProblem(422);
        lists.MapGet("/{id:guid}", Get).WithName("GetPriceList")
            .WithSummary("One price list with every tier, by SKU then minimum quantity.")
            .RequireAuthorization(PriceListPermissions.Read).ProducesProblem(404);
        lists.MapPut("/{id:guid}", Replace).WithName("ReplacePriceList")
            .WithSummary("Replace a price list's name, percentage and tiers whole (the same body as POST).")
            .RequireAuthorization(PriceListPermissions.Write).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        lists.MapGet("/{id:guid}/prices", Prices).WithName("GetPriceListPrices")
            .WithSummary("What the list charges: ?sku=A&quantity=10 (repeat sku and quantity in pairs, up to 100) → per line the regular and list unit price, the tier used and the line total.")
            .RequireAuthorization(PriceListPermissions.Read).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(422);
        return api;
    }

    private static async Task<Ok<Page<PriceListSummary>>> List([FromQuery] int? limit, [FromQuery] string? cursor, Storekeep.PriceLists.PriceLists lists, CancellationToken ct) =>
        TypedResults.Ok(await lists.ListAsync(limit, cursor, ct));

    private static async Task<Created<PriceListView>> Create(PriceListRequest request, Storekeep.PriceLists.PriceLists lists, CancellationToken ct)
    {
        var created = await lists.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/price-lists/{created.Id}", created);
    }

    private static async Task<Ok<PriceListView>> Get(Guid id, Storekeep.PriceLists.PriceLists lists, CancellationToken ct) =>
        TypedResults.Ok(await lists.GetAsync(id, ct));

    private static async Task<Ok<PriceListView>> Replace(Guid id, PriceListRequest request, Storekeep.PriceLists.PriceLists lists, CancellationToken ct) =>
        TypedResults.Ok(await lists.ReplaceAsync(id, request, ct));

    private static async Task<Ok<IReadOnlyList<PriceListPrice>>> Prices(Guid id, [FromQuery] string[]? sku, [FromQuery] int[]? quantity, Storekeep.PriceLists.PriceLists lists, CancellationToken ct)
    {
        var v = new Validation();
        var skus = sku ?? [];
        var quantities = quantity ?? [];
        if (skus.Length == 0 || skus.Length != quantities.Length || skus.Length > 100)
        {
            v.Add("sku", "Give sku and quantity in pairs (?sku=A&quantity=10&sku=B&quantity=1), one to 100 of them.");
        }

        for (var i = 0; i < Math.Min(skus.Length, quantities.Length); i++)
        {
            v.Code($"sku[{i}]", skus[i]);
            v.Quantity($"quantity[{i}]", quantities[i]);
        }

        v.ThrowIfInvalid();
        return TypedResults.Ok(await lists.PricesAsync(id, [.. skus.Zip(quantities, (s, q) => (s.Trim(), q))], ct));
    }
}

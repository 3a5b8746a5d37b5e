using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Checkout;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Web.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Promotions;

/// <summary>
/// Discounts (<c>discounts.read</c> to see, <c>discounts.write</c> to change) and the public
/// endpoints a shopper's browser calls to enter and remove codes on a cart.
/// </summary>
public static class PromotionsEndpoints
{
    public static RouteGroupBuilder MapPromotionsEndpoints(this RouteGroupBuilder api)
    {
        var discounts = api.MapGroup("/discounts").WithTags("Promotions");
        discounts.MapPost("", CreateDiscount)
            .WithName("CreateDiscount")
            .WithSummary("Create a discount: automatic (no code) or by code; percentage, fixed_amount, free_shipping or buy_x_get_y.")
            .WithDescription("appliesTo {all: true} | {skus} | {categories} (category ids or slugs); combinesWith defaults to nothing, so the best single discount wins. Rules: docs/promotions.md. A code another discount has → 409 discount_code_taken.")
            .RequireAuthorization(PromotionsPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        discounts.MapGet("", ListDiscounts)
            .WithName("ListDiscounts")
            .WithSummary("Discounts, newest first, with usageCount, ordersCount and revenue; q matches title or code.")
            .RequireAuthorization(PromotionsPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        discounts.MapGet("/{id}", GetDiscount)
            .WithName("GetDiscount")
            .WithSummary("One discount with usageCount (uses held now), ordersCount and revenue (orders placed with it and not given back).")
            .RequireAuthorization(PromotionsPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        discounts.MapPatch("/{id}", UpdateDiscount)
            .WithName("UpdateDiscount")
            .WithSummary("Change the fields given; the discount must stay valid as a whole.")
            .RequireAuthorization(PromotionsPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        discounts.MapPost("/{id}/deactivate", DeactivateDiscount)
            .WithName("DeactivateDiscount")
            .WithSummary("Switch a discount off (status inactive); orders placed with it keep it.")
            .RequireAuthorization(PromotionsPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        var carts = api.MapGroup("/carts").WithTags("Carts and checkout").AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit);
        carts.MapPost("/{cartId:guid}/discount-codes", AddCode)
            .WithName("AddCartDiscountCode")
            .WithSummary("Enter a discount code on the cart; kept only if it applies now.")
            .WithDescription("Refused with 422: discount_code_unknown, discount_not_active, discount_usage_limit_reached, discount_minimum_not_met, discount_not_combinable. The answer is the cart with discountTotal and each line's discountAllocations and lineTotal (after discounts).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapDelete("/{cartId:guid}/discount-codes/{code}", RemoveCode)
            .WithName("RemoveCartDiscountCode")
            .WithSummary("Take a discount code off the cart.")
            .ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static async Task<Created<DiscountView>> CreateDiscount(DiscountRequest request, Discounts discounts, CancellationToken ct)
    {
        var discount = await discounts.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/discounts/{discount.Id}", discount);
    }

    private static async Task<Ok<Page<DiscountView>>> ListDiscounts([FromQuery] string? q, [FromQuery] int? limit, [FromQuery] string? cursor, Discounts discounts, CancellationToken ct) =>
        TypedResults.Ok(await discounts.ListAsync(q, limit, cursor, ct));

    private static async Task<Ok<DiscountView>> GetDiscount(string id, Discounts discounts, CancellationToken ct) =>
        TypedResults.Ok(await discounts.GetAsync(id, ct));

    private static async Task<Ok<DiscountView>> UpdateDiscount(string id, DiscountRequest request, Discounts discounts, CancellationToken ct) =>
        TypedResults.Ok(await discounts.UpdateAsync(id, request, ct));

    private static async Task<Ok<DiscountView>> DeactivateDiscount(string id, Discounts discounts, CancellationToken ct) =>
        TypedResults.Ok(await discounts.DeactivateAsync(id, ct));

    private static async Task<Ok<CartView>> AddCode(Guid cartId, DiscountCodeRequest request, CartDiscountCodes codes, CancellationToken ct) =>
        TypedResults.Ok(await codes.AddAsync(cartId, request, ct));

    private static async Task<Ok<CartView>> RemoveCode(Guid cartId, string code, CartDiscountCodes codes, CancellationToken ct) =>
        TypedResults.Ok(await codes.RemoveAsync(cartId, code, ct));
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Accounts;
using Storekeep.Checkout;
using Storekeep.Loyalty;
using Storekeep.Shared;
using Storekeep.Web.Api;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Loyalty;

/// <summary>
/// The loyalty program (<c>loyalty.read</c> to see, <c>loyalty.write</c> to change), customers'
/// points, and the public endpoints that redeem points on a cart.
/// </summary>
public static class LoyaltyEndpoints
{
    public static RouteGroupBuilder MapLoyaltyEndpoints(this RouteGroupBuilder api)
    {
        var program = api.MapGroup("/loyalty").WithTags("Loyalty");
        program.MapGet("/program", GetProgram)
            .WithName("GetLoyaltyProgram")
            .WithSummary("The loyalty program: points per unit spent, what a point is worth, the minimum to redeem, expiry and tiers.")
            .RequireAuthorization(LoyaltyPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);
        program.MapPut("/program", PutProgram)
            .WithName("PutLoyaltyProgram")
            .WithSummary("Replace the loyalty program's settings.")
            .WithDescription("tiers: [{name, minimumSpend12Months, multiplier}]: a customer is in the highest tier whose minimum their paid spend over the last 12 months reaches; the multiplier scales the points they earn.")
            .RequireAuthorization(LoyaltyPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);

        var customers = api.MapGroup("/customers").WithTags("Loyalty");
        customers.MapGet("/{id:guid}/loyalty", GetCustomerLoyalty)
            .WithName("GetCustomerLoyalty")
            .WithSummary("A customer's points: balance (the sum of the entries), tier, and the ledger newest first.")
            .RequireAuthorization(LoyaltyPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        customers.MapPost("/{id:guid}/loyalty/adjustments", Adjust)
            .WithName("AdjustCustomerLoyalty")
            .WithSummary("Add (positive) or take (negative) points by hand, with a reason.")
            .WithDescription("Taking more than the balance → 422 insufficient_points, and nothing changes.")
            .RequireAuthorization(LoyaltyPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);

        var carts = api.MapGroup("/carts").WithTags("Carts and checkout").AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit);
        carts.MapPost("/{cartId:guid}/loyalty-redemption", Redeem)
            .WithName("RedeemCartLoyaltyPoints")
            .WithSummary("Redeem points on the cart: a discount of points × pointValue, taken from the balance at checkout.")
            .WithDescription("The points are the signed-in customer's (or, for staff with loyalty.write, those of the customer whose email the cart carries). Refused with 422: insufficient_points, loyalty_not_enabled, loyalty_minimum_not_met, loyalty_redemption_too_large, loyalty_customer_unknown. The answer is the cart with loyaltyRedemption and discountTotal.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapDelete("/{cartId:guid}/loyalty-redemption", RemoveRedemption)
            .WithName("RemoveCartLoyaltyRedemption")
            .WithSummary("Stop redeeming points on the cart.")
            .ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static async Task<Ok<LoyaltyProgramView>> GetProgram(LoyaltyPrograms programs, CancellationToken ct) =>
        TypedResults.Ok(await programs.GetAsync(ct));

    private static async Task<Ok<LoyaltyProgramView>> PutProgram(LoyaltyProgramRequest request, LoyaltyPrograms programs, CancellationToken ct) =>
        TypedResults.Ok(await programs.PutAsync(request, ct));

    private static async Task<Ok<CustomerLoyaltyView>> GetCustomerLoyalty(Guid id, [FromQuery] int? limit, [FromQuery] string? cursor, LoyaltyLedger ledger, CancellationToken ct) =>
        TypedResults.Ok(await ledger.GetAsync(id, limit, cursor, ct));

    private static async Task<Created<CustomerLoyaltyView>> Adjust(Guid id, LoyaltyAdjustmentRequest request, LoyaltyLedger ledger, HttpContext http, CancellationToken ct) =>
        TypedResults.Created($"/api/v1/customers/{id}/loyalty", await ledger.AdjustAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<CartView>> Redeem(
        Guid cartId, LoyaltyRedemptionRequest request, LoyaltyRedemptions redemptions, IAuthorizationService authorization, UserManager<UserAccount> users, HttpContext http, CancellationToken ct)
    {
        var customer = await CustomerOfCallerAsync(cartId, redemptions, authorization, users, http, ct)
            ?? throw Errors.Unprocessable("loyalty_customer_unknown", "Sign in to redeem your points on this cart.");
        return TypedResults.Ok(await redemptions.SetAsync(cartId, customer, request, ct));
    }

    private static async Task<Ok<CartView>> RemoveRedemption(Guid cartId, LoyaltyRedemptions redemptions, CancellationToken ct) =>
        TypedResults.Ok(await redemptions.RemoveAsync(cartId, ct));

    /// <summary>
    /// Whose points: staff holding loyalty.write redeem for the customer whose email the cart
    /// carries; a signed-in shopper (email confirmed) redeems their own; anyone else, no one's.
    /// </summary>
    private static async Task<Guid?> CustomerOfCallerAsync(
        Guid cartId, LoyaltyRedemptions redemptions, IAuthorizationService authorization, UserManager<UserAccount> users, HttpContext http, CancellationToken ct)
    {
        if (http.User.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if ((await authorization.AuthorizeAsync(http.User, LoyaltyPermissions.Write)).Succeeded)
        {
            return await redemptions.CustomerOfCartAsync(cartId, ct);
        }

        return await users.GetUserAsync(http.User) is { EmailConfirmed: true, CustomerId: { } mine } ? mine : null;
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.AbandonedCarts;
using Storekeep.Web.Hosting;
using Storekeep.Web.Storefront.Cart;

namespace Storekeep.Web.AbandonedCarts;

public static class AbandonedCartEndpoints
{
    public static RouteGroupBuilder MapAbandonedCartEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/marketing/abandoned-carts").WithTags("Abandoned carts");
        group.MapGet("/", GetSettings).WithName("GetAbandonedCartSettings")
            .WithSummary("The abandoned-cart sequence: {enabled, steps: [{delayMinutes, subject, body, discountId?}]}.")
            .RequireAuthorization(AbandonedCartPermissions.Read).ProducesProblem(401).ProducesProblem(403);
        group.MapPut("/", PutSettings).WithName("PutAbandonedCartSettings")
            .WithSummary("Replace the abandoned-cart sequence. Delays ascend; a step's discount must have a code; subject and body may use {{name}}, {{cart.items}}, {{cart.link}}, {{discount.code}}.")
            .RequireAuthorization(AbandonedCartPermissions.Write).ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        group.MapGet("/report", Report).WithName("GetAbandonedCartReport")
            .WithSummary("{abandoned, emailed, recovered, recoveredRevenue} for from..to (ISO dates, to exclusive; default the last 30 days), with the same per day.")
            .RequireAuthorization(AbandonedCartPermissions.Read).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    /// <summary>The reminder's link: makes the token's cart this browser's cart and shows it.</summary>
    public static IEndpointRouteBuilder MapAbandonedCartRestore(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cart/restore/{token}", RestoreAsync).RequireRateLimiting(StorekeepApp.PublicRateLimit).ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<AbandonedCartSettingsView>> GetSettings(AbandonedCartSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.GetAsync(ct));

    private static async Task<Ok<AbandonedCartSettingsView>> PutSettings(AbandonedCartSettingsRequest request, AbandonedCartSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.SaveAsync(request, ct));

    private static async Task<Ok<AbandonedCartReportView>> Report([FromQuery] string? from, [FromQuery] string? to, AbandonedCartReport report, CancellationToken ct) =>
        TypedResults.Ok(await report.RunAsync(from, to, ct));

    private static async Task<IResult> RestoreAsync(string token, HttpContext http, AbandonedCartRestore restore, CancellationToken ct)
    {
        if (await restore.RestoreAsync(token, ct) is not { } cartId)
        {
            return Results.Redirect("/cart?error=restore_link_expired");
        }

        CartCookie.Write(http, cartId);
        return Results.Redirect("/cart");
    }
}

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Storekeep.Accounts;
using Storekeep.Customers;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Storefront.Account;

public static class AccountEndpoints
{
    /// <summary>"Send the link again" on the orders page: a POST with an antiforgery token, rate limited like sign-in.</summary>
    public static void MapStorefrontAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/verify-email/resend", async (HttpContext http, UserManager<UserAccount> users, CustomerAccounts accounts, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: 400, title: "Bad Request", detail: "The form has expired; reload the page and try again.",
                    extensions: new Dictionary<string, object?> { ["code"] = "antiforgery_failed" });
            }

            if (await users.GetUserAsync(http.User) is not { } user)
            {
                return Results.LocalRedirect("/account/login?returnUrl=%2Faccount%2Forders");
            }

            await accounts.ResendVerificationAsync(user, http.RequestAborted);
            return Results.LocalRedirect(user.EmailConfirmed ? "/account/orders" : "/account/orders?verification=sent");
        }).RequireAuthorization().RequireRateLimiting(StorekeepApp.SignInRateLimit).ExcludeFromDescription();
    }
}

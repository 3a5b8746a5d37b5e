using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Storekeep.Accounts;

namespace Storekeep.Web.Admin;

public static class AdminAccountEndpoints
{
    /// <summary>Sign-out is a POST with an antiforgery token, so another site cannot sign people out.</summary>
    public static void MapAdminAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/logout", async (HttpContext http, SignInManager<UserAccount> signIn, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: 400, title: "Bad Request", detail: "The form has expired; reload the page and try again.",
                    extensions: new Dictionary<string, object?> { ["code"] = "antiforgery_failed" });
            }

            var returnTo = http.Request.Form["returnUrl"].ToString();
            await signIn.SignOutAsync();
            return Results.LocalRedirect(returnTo.StartsWith("/admin", StringComparison.Ordinal) ? "/admin/login" : "/");
        }).ExcludeFromDescription();
    }
}

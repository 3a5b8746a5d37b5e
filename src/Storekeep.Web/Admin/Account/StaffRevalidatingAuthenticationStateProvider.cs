using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Storekeep.Accounts;

namespace Storekeep.Web.Admin.Account;

/// <summary>
/// Checks an open back-office tab's sign-in against the database every <c>Admin:RevalidationSeconds</c>
/// (default 30): when the user is gone or their security stamp changed (a role removed, a lock, a
/// password reset), the tab's user becomes anonymous and its pages show "Not allowed". The cookie
/// itself is re-checked by the SecurityStampValidator for new requests.
/// </summary>
public sealed class StaffRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> identityOptions,
    IConfiguration configuration) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval { get; } =
        TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Admin:RevalidationSeconds", 30)));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await IsCurrentAsync(scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>(), identityOptions.Value, authenticationState.User);
    }

    /// <summary>True while the user exists and the principal carries their current security stamp.</summary>
    public static async Task<bool> IsCurrentAsync(UserManager<UserAccount> users, IdentityOptions options, ClaimsPrincipal principal)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null)
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        return principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType) == await users.GetSecurityStampAsync(user);
    }
}

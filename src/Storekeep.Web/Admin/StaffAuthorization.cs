using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Storekeep.Accounts;

namespace Storekeep.Web.Admin;

/// <summary>
/// Authorizes a back-office action against the staff member as the database has them now, not the
/// ClaimsPrincipal the browser tab's circuit was opened with: a user who was deleted, locked, or lost
/// the role since is refused at once, even in a tab that still shows the page.
/// </summary>
public sealed class StaffAuthorization(
    UserManager<UserAccount> users,
    IUserClaimsPrincipalFactory<UserAccount> principals,
    IAuthorizationService authorization)
{
    /// <summary>The user's current principal (current roles), or null when they no longer exist or are locked out.</summary>
    public async Task<ClaimsPrincipal?> CurrentAsync(ClaimsPrincipal circuitUser)
    {
        if (users.GetUserId(circuitUser) is not { } id || await users.FindByIdAsync(id) is not { } user || await users.IsLockedOutAsync(user))
        {
            return null;
        }

        return await principals.CreateAsync(user);
    }

    /// <summary>True when the user, as they are now, passes <paramref name="staffPolicy"/>.</summary>
    public async Task<bool> MayAsync(ClaimsPrincipal circuitUser, string staffPolicy) =>
        await CurrentAsync(circuitUser) is { } current && (await authorization.AuthorizeAsync(current, staffPolicy)).Succeeded;
}

using System.Security.Claims;
using Storekeep.Data;
using Storekeep.Sales;

namespace Storekeep.Web.Admin.Sales;

/// <summary>A back-office page over deals or quotes: it narrows what a rep sees to their own pipeline (see <see cref="SalesScope"/>).</summary>
public abstract class SalesAdminPage : AdminPage
{
    private const string Manage = StaffPolicies.Prefix + SalesPermissions.Manage;

    /// <summary>Everyone's for those who may manage sales (owner, manager); the signed-in rep's own pipeline otherwise.</summary>
    protected async Task<SalesScope> SalesScopeAsync()
    {
        if (await MayAsync(Manage))
        {
            return SalesScope.Everyone;
        }

        var userId = Guid.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : Guid.Empty;
        return await QueryAsync(sp => SalesScope.ForUserAsync(sp.GetRequiredService<StorekeepDbContext>(), userId, CancellationToken.None));
    }
}

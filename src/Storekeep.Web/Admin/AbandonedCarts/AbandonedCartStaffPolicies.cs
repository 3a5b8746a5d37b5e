using Storekeep.AbandonedCarts;

namespace Storekeep.Web.Admin.AbandonedCarts;

/// <summary>The back office's abandoned-cart policies (see <see cref="StaffPolicies"/>).</summary>
public static class AbandonedCartStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + AbandonedCartPermissions.Read;
    public const string Write = StaffPolicies.Prefix + AbandonedCartPermissions.Write;
}

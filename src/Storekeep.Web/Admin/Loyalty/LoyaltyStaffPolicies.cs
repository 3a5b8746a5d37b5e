using Storekeep.Loyalty;

namespace Storekeep.Web.Admin.Loyalty;

/// <summary>The back office's loyalty policies (see <see cref="StaffPolicies"/>).</summary>
public static class LoyaltyStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + LoyaltyPermissions.Read;
    public const string Write = StaffPolicies.Prefix + LoyaltyPermissions.Write;
}

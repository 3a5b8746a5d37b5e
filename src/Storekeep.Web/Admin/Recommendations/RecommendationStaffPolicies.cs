using Storekeep.Recommendations;

namespace Storekeep.Web.Admin.Recommendations;

/// <summary>The back office's recommendations policies (see <see cref="StaffPolicies"/>).</summary>
public static class RecommendationStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + RecommendationPermissions.Read;
    public const string Write = StaffPolicies.Prefix + RecommendationPermissions.Write;
}

using Storekeep.Attribution;

namespace Storekeep.Web.Admin.Acquisition;

/// <summary>The back office's attribution policies (see <see cref="StaffPolicies"/>).</summary>
public static class AttributionStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + AttributionPermissions.Read;
    public const string Write = StaffPolicies.Prefix + AttributionPermissions.Write;
}

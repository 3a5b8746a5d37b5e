using Storekeep.Segments;

namespace Storekeep.Web.Admin.Segments;

/// <summary>The back office's segment policies (see <see cref="StaffPolicies"/>).</summary>
public static class SegmentStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + SegmentPermissions.Read;
    public const string Write = StaffPolicies.Prefix + SegmentPermissions.Write;
}

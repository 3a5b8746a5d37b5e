using Storekeep.Experiments;

namespace Storekeep.Web.Admin.Experiments;

/// <summary>The back office's experiment policies (see <see cref="StaffPolicies"/>).</summary>
public static class ExperimentStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + ExperimentPermissions.Read;
    public const string Write = StaffPolicies.Prefix + ExperimentPermissions.Write;
}

using Storekeep.Campaigns;

namespace Storekeep.Web.Admin.Campaigns;

/// <summary>The back office's campaign policies (see <see cref="StaffPolicies"/>).</summary>
public static class CampaignStaffPolicies
{
    public const string Read = StaffPolicies.Prefix + CampaignPermissions.Read;
    public const string Write = StaffPolicies.Prefix + CampaignPermissions.Write;
}

using Storekeep.Customers;

namespace Storekeep.Web.Admin.Customers;

/// <summary>The back office's customer policies beyond reading (see <see cref="StaffPolicies"/>).</summary>
public static class CustomerStaffPolicies
{
    public const string Write = StaffPolicies.Prefix + CustomerPermissions.Write;
}

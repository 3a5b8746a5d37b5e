using Storekeep.Access;
using Storekeep.Accounts;

namespace Storekeep.Web.Hosting;

/// <summary>
/// One back-office account per role for the demo store, created only together with the demo data,
/// so someone trying Storekeep can sign in as each role. A real store starts with Seed:Demo=false
/// and the owner from Bootstrap:OwnerEmail/OwnerPassword.
/// </summary>
public static class DemoStaff
{
    public const string Password = "demo-password-1";

    public static string Email(Role role) => $"{Permissions.RoleName(role)}@demo.storekeep.test";

    public static async Task CreateAsync(StaffAccounts staff)
    {
        foreach (var role in Enum.GetValues<Role>())
        {
            await staff.CreateAsync(Email(role), $"Demo {Permissions.RoleName(role)}", [role], Password);
        }
    }
}

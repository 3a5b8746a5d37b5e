using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Demo;

namespace Storekeep.Web.Hosting;

/// <summary>
/// One back-office account per role for the demo store, created only together with the demo data,
/// so someone trying Storekeep can sign in as each role. Their password is random per database
/// (<see cref="DemoCredentials"/>) unless <c>Seed:DemoPassword</c> fixes it (tests).
/// </summary>
public static class DemoStaff
{
    public static string Email(Role role) => $"{Permissions.RoleName(role)}@demo.storekeep.test";

    /// <summary>Creates the accounts and records their password; returns it.</summary>
    public static async Task<string> CreateAsync(StaffAccounts staff, StorekeepDbContext db, string? configuredPassword, DateTime now, CancellationToken ct)
    {
        var password = string.IsNullOrWhiteSpace(configuredPassword) ? DemoCredentials.NewPassword() : configuredPassword;
        foreach (var role in Enum.GetValues<Role>())
        {
            await staff.CreateAsync(Email(role), $"Demo {Permissions.RoleName(role)}", [role], password);
        }

        db.Set<DemoCredentials>().Add(new DemoCredentials { Password = password, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        return password;
    }
}

/// <summary>What the start banner prints about signing in to the demo store: set once the database is ready.</summary>
public sealed class DemoSignIn
{
    public string? Password { get; set; }
}

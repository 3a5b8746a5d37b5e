using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Demo;
using Storekeep.Sales;

namespace Storekeep.Web.Hosting;

/// <summary>
/// One back-office account per role for the demo store, created only together with the demo data,
/// so someone trying Storekeep can sign in as each role. Their password is random per database
/// (<see cref="DemoCredentials"/>) unless <c>Seed:DemoPassword</c> fixes it (tests).
/// </summary>
public static class DemoStaff
{
    public static string Email(Role role) => $"{Permissions.RoleName(role)}@demo.storekeep.test";

    /// <summary>Creates the accounts (and the demo company buyer's shop account) and records their password; returns it.</summary>
    public static async Task<string> CreateAsync(StaffAccounts staff, UserManager<UserAccount> users, StorekeepDbContext db, string? configuredPassword, DateTime now, CancellationToken ct)
    {
        var password = string.IsNullOrWhiteSpace(configuredPassword) ? DemoCredentials.NewPassword() : configuredPassword;
        // The demo's sales reps sign in with the sales role; the first is the demo sales account.
        var reps = await db.Set<SalesRep>().AsNoTracking().OrderBy(r => r.Email).Select(r => new { r.UserId, r.Email, r.Name }).ToListAsync(ct);
        foreach (var rep in reps)
        {
            await staff.CreateAsync(rep.Email, rep.Name, [Role.Sales], password, rep.UserId);
        }

        foreach (var role in Enum.GetValues<Role>().Where(r => !reps.Any(rep => rep.Email == Email(r))))
        {
            await staff.CreateAsync(Email(role), $"Demo {Permissions.RoleName(role)}", [role], password);
        }

        // The demo buyer signs in to the shop, verified (company prices and terms need it), with the same password.
        var buyer = await db.Customers.AsNoTracking().Where(c => c.Email == DemoCredentials.BuyerEmail).Select(c => new { c.Id, c.FirstName, c.LastName }).FirstOrDefaultAsync(ct);
        if (buyer is not null)
        {
            var account = UserAccount.ForShopper(DemoCredentials.BuyerEmail, $"{buyer.FirstName} {buyer.LastName}", buyer.Id, now);
            account.EmailConfirmed = true;
            var created = await users.CreateAsync(account, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"The demo buyer's account was not created: {string.Join(" ", created.Errors.Select(e => e.Description))}");
            }
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

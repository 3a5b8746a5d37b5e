using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Audit;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Accounts;

public sealed record StaffMember(Guid Id, string Email, string? DisplayName, IReadOnlyList<Role> Roles, bool LockedOut, bool TwoFactorEnabled, DateTime CreatedAt);

/// <summary>Staff users and their roles: the bootstrap owner, invitations, role changes.</summary>
public sealed class StaffAccounts(UserManager<UserAccount> users, RoleManager<UserRole> roles, StorekeepDbContext db, TimeProvider clock)
{
    /// <summary>Creates the six role rows once; Identity stores user ↔ role links against them.</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Enum.GetValues<Role>())
        {
            var name = Permissions.RoleName(role);
            if (!await roles.RoleExistsAsync(name))
            {
                Check(await roles.CreateAsync(new UserRole(name)));
            }
        }
    }

    /// <summary>
    /// Makes sure the owner from <c>Bootstrap:OwnerEmail</c>/<c>Bootstrap:OwnerPassword</c> exists; never changes an existing password.
    /// An existing staff account with that email becomes owner; a shopper account never does: anyone
    /// may register a shopper account with any address, so promoting it would hand the store to
    /// whoever registered first. Startup stops with <see cref="BootstrapOwnerConflictException"/> instead.
    /// </summary>
    public async Task EnsureOwnerAsync(string email, string password)
    {
        await EnsureRolesAsync();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await CreateAsync(email, "Owner", [Role.Owner], password);
        }
        else if (!await IsStaffAsync(user))
        {
            throw new BootstrapOwnerConflictException(email);
        }
        else if (!await users.IsInRoleAsync(user, Permissions.RoleName(Role.Owner)))
        {
            Check(await users.AddToRoleAsync(user, Permissions.RoleName(Role.Owner)));
        }
    }

    /// <summary>Staff hold at least one staff role; shoppers hold none.</summary>
    public async Task<bool> IsStaffAsync(UserAccount user)
    {
        var staffRoleNames = Enum.GetValues<Role>().Select(Permissions.RoleName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return (await users.GetRolesAsync(user)).Any(staffRoleNames.Contains);
    }

    /// <param name="id">The user's id when it is known beforehand (the demo store's sales reps name their users); else a new one.</param>
    public async Task<UserAccount> CreateAsync(string email, string? displayName, IReadOnlyCollection<Role> staffRoles, string password, Guid? id = null)
    {
        var validation = new Validation();
        validation.Email("email", email);
        if (staffRoles.Count == 0)
        {
            validation.Add("roles", "Choose at least one role.");
        }

        validation.ThrowIfInvalid();
        await EnsureRolesAsync();
        var user = new UserAccount
        {
            Id = id ?? Ids.NewId(),
            UserName = email.Trim(),
            Email = email.Trim(),
            EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRolesAsync(user, staffRoles.Select(Permissions.RoleName)));
        return user;
    }

    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken ct)
    {
        var staffRoleNames = Enum.GetValues<Role>().Select(Permissions.RoleName).ToList();
        var now = clock.GetUtcNow();
        var staff = await users.Users
            .Where(u => u.CustomerId == null)
            .OrderBy(u => u.Email)
            .ToListAsync(ct);
        var result = new List<StaffMember>();
        foreach (var user in staff)
        {
            var names = await users.GetRolesAsync(user);
            var userRoles = names.Where(staffRoleNames.Contains).Select(n => Enum.Parse<Role>(n, ignoreCase: true)).ToList();
            result.Add(new StaffMember(user.Id, user.Email ?? "", user.DisplayName, userRoles,
                user.LockoutEnd is { } end && end > now, user.TwoFactorEnabled, user.CreatedAt));
        }

        return result;
    }

    public async Task SetRolesAsync(Guid userId, IReadOnlyCollection<Role> staffRoles)
    {
        if (staffRoles.Count == 0)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["roles"] = ["Choose at least one role."] });
        }

        var user = await users.FindByIdAsync(userId.ToString()) ?? throw Errors.NotFound("User", userId.ToString());
        var current = await users.GetRolesAsync(user);
        var wanted = staffRoles.Select(Permissions.RoleName).ToList();
        if (current.Contains(Permissions.RoleName(Role.Owner)) && !wanted.Contains(Permissions.RoleName(Role.Owner)) &&
            (await users.GetUsersInRoleAsync(Permissions.RoleName(Role.Owner))).Count == 1)
        {
            throw Errors.Conflict("last_owner", "The store needs at least one owner; make someone else owner first.");
        }

        Check(await users.RemoveFromRolesAsync(user, current.Except(wanted)));
        Check(await users.AddToRolesAsync(user, wanted.Except(current)));
        // The link rows name roles by id; this entry says it in words (saved with the stamp update below).
        AuditInterceptor.Record(db, clock.GetUtcNow().UtcDateTime, "updated", nameof(UserAccount), user.Id.ToString(),
            new { Email = user.Email, Roles = current.Order(StringComparer.Ordinal).ToList() }, new { Email = user.Email, Roles = wanted.Order(StringComparer.Ordinal).ToList() });
        // Signs the user's cookies out of date: the new roles apply within a minute (SecurityStampValidator).
        Check(await users.UpdateSecurityStampAsync(user));
    }

    /// <summary>Locks the user out until unlocked; their open sessions end within a minute.</summary>
    public async Task LockAsync(Guid userId)
    {
        var user = await FindAsync(userId);
        if (await users.IsInRoleAsync(user, Permissions.RoleName(Role.Owner)))
        {
            var now = clock.GetUtcNow();
            var activeOwners = (await users.GetUsersInRoleAsync(Permissions.RoleName(Role.Owner)))
                .Count(u => u.Id != user.Id && !(u.LockoutEnd is { } end && end > now));
            if (activeOwners == 0)
            {
                throw Errors.Conflict("last_owner", "The store needs at least one owner who can sign in.");
            }
        }

        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        Check(await users.UpdateSecurityStampAsync(user));
    }

    /// <summary>Lifts a lock (manual or after failed sign-ins) and clears the failed-attempt count.</summary>
    public async Task UnlockAsync(Guid userId)
    {
        var user = await FindAsync(userId);
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
    }

    /// <summary>For someone who lost their phone and recovery codes: two-factor off, key and codes forgotten.</summary>
    public async Task ResetTwoFactorAsync(Guid userId)
    {
        var user = await FindAsync(userId);
        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.ResetAuthenticatorKeyAsync(user));
        await users.RemoveAuthenticationTokenAsync(user, "[AspNetUserStore]", "RecoveryCodes");
    }

    /// <summary>A random password that satisfies the password rules, for an invitation shown once.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = System.Security.Cryptography.RandomNumberGenerator.GetItems<char>(alphabet, 14);
        // At least one digit and one lower-case letter, whatever the draw.
        return new string(chars) + "7k";
    }

    private async Task<UserAccount> FindAsync(Guid userId) =>
        await users.FindByIdAsync(userId.ToString()) ?? throw Errors.NotFound("User", userId.ToString());

    internal static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new RequestValidationException(result.Errors
                .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                    : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
                    : "user")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
        }
    }
}

/// <summary><c>Bootstrap:OwnerEmail</c> names a shopper account, which is never promoted to staff.</summary>
public sealed class BootstrapOwnerConflictException(string email)
    : InvalidOperationException(
        $"Bootstrap:OwnerEmail '{email}' belongs to a shopper account, and a shopper account is never made owner " +
        "(anyone can register one with any email). Set Bootstrap:OwnerEmail to another email address, or delete " +
        "that shopper account first, then start Storekeep again.");

using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Accounts;

public sealed class BootstrapOwnerTests
{
    private static Dictionary<string, string?> Owner(string email) => new()
    {
        ["Bootstrap:OwnerEmail"] = email,
        ["Bootstrap:OwnerPassword"] = "owner-password-1",
    };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Startup_refuses_to_make_a_shopper_account_the_owner_and_says_what_to_do(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.Browser().SignUpAsync("boss@example.com", "Someone Else");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.StartAnotherNodeAsync(Owner("boss@example.com")));

        Assert.Contains("Bootstrap:OwnerEmail 'boss@example.com' belongs to a shopper account", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("Set Bootstrap:OwnerEmail to another email address, or delete that shopper account", failure.ToString(), StringComparison.Ordinal);
        await using var db = store.Db();
        var shopper = await db.Users.AsNoTracking().SingleAsync(u => u.NormalizedEmail == "BOSS@EXAMPLE.COM");
        Assert.False(await db.UserRoles.AnyAsync(r => r.UserId == shopper.Id));
        Assert.NotNull(shopper.CustomerId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_existing_staff_account_named_as_bootstrap_owner_becomes_owner_and_a_missing_one_is_created(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var sales = await store.CreateStaffAsync(Role.Sales, "sales@example.com");

        await using (await store.StartAnotherNodeAsync(Owner("sales@example.com")))
        {
        }

        await using (await store.StartAnotherNodeAsync(Owner("new-owner@example.com")))
        {
        }

        await using var db = store.Db();
        var owners = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .Where(x => x.Name == Permissions.RoleName(Role.Owner))
            .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => u.Email)
            .ToListAsync();
        Assert.Equal(["new-owner@example.com", "sales@example.com"], owners.Order(StringComparer.Ordinal));
        Assert.True(await db.UserRoles.AnyAsync(r => r.UserId == sales.Id && db.Roles.Any(x => x.Id == r.RoleId && x.Name == Permissions.RoleName(Role.Sales))));
    }
}

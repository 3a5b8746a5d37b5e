using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Admin;
using Storekeep.Web.Admin.Account;

namespace Storekeep.Tests.Accounts;

/// <summary>
/// A back-office tab keeps the principal it opened with; every action is re-authorized against the
/// user as the database has them now, and the tab's sign-in is revalidated by security stamp.
/// </summary>
public sealed class StaffSessionRevalidationTests
{
    public static TheoryData<string, string> Changes()
    {
        var data = new TheoryData<string, string>();
        // Every change on SQLite; PostgreSQL once, for the stamp's round trip through its column types.
        foreach (var change in new[] { "role removed", "locked", "deleted" })
        {
            data.Add(TestDatabases.Sqlite, change);
        }

        data.Add(TestDatabases.Postgres, "role removed");

        return data;
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task An_action_is_refused_with_the_old_principal_once_the_manager_is_demoted_locked_or_deleted(string database, string change)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.CreateStaffAsync(Role.Manager);
        var tabPrincipal = await PrincipalAsync(store, manager);
        Assert.True(await MayAsync(store, tabPrincipal, StaffPolicies.OrdersManage));

        await ChangeAsync(store, manager, change);

        Assert.False(await MayAsync(store, tabPrincipal, StaffPolicies.OrdersManage));
        Assert.False(await MayAsync(store, tabPrincipal, StaffPolicies.CatalogWrite));
        // The principal alone would still pass: only the fresh check knows.
        await using var scope = store.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<IAuthorizationService>().AuthorizeAsync(tabPrincipal, StaffPolicies.OrdersManage)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task The_tabs_sign_in_stops_validating_once_the_manager_is_demoted_locked_or_deleted(string database, string change)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.CreateStaffAsync(Role.Manager);
        var tabPrincipal = await PrincipalAsync(store, manager);
        Assert.True(await IsCurrentAsync(store, tabPrincipal));

        await ChangeAsync(store, manager, change);

        Assert.False(await IsCurrentAsync(store, tabPrincipal));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_staff_member_who_keeps_the_role_keeps_acting_and_stays_signed_in(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.CreateStaffAsync(Role.Manager);
        var other = await store.CreateStaffAsync(Role.Support);
        var tabPrincipal = await PrincipalAsync(store, manager);

        await ChangeAsync(store, other, "role removed");

        Assert.True(await MayAsync(store, tabPrincipal, StaffPolicies.OrdersManage));
        Assert.False(await MayAsync(store, tabPrincipal, StaffPolicies.UsersManage));
        Assert.True(await IsCurrentAsync(store, tabPrincipal));
    }

    private static async Task<ClaimsPrincipal> PrincipalAsync(TestStore store, UserAccount user)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>();
        var fresh = await users.FindByIdAsync(user.Id.ToString());
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<UserAccount>>().CreateAsync(fresh!);
    }

    private static async Task<bool> MayAsync(TestStore store, ClaimsPrincipal principal, string policy)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StaffAuthorization>().MayAsync(principal, policy);
    }

    private static async Task<bool> IsCurrentAsync(TestStore store, ClaimsPrincipal principal)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await StaffRevalidatingAuthenticationStateProvider.IsCurrentAsync(
            scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>(),
            scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value,
            principal);
    }

    private static async Task ChangeAsync(TestStore store, UserAccount user, string change)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
        switch (change)
        {
            case "role removed":
                await staff.SetRolesAsync(user.Id, [Role.Warehouse]);
                break;
            case "locked":
                await staff.LockAsync(user.Id);
                break;
            case "deleted":
                var users = scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>();
                Assert.True((await users.DeleteAsync((await users.FindByIdAsync(user.Id.ToString()))!)).Succeeded);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }
}

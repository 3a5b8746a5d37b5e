using MudBlazor;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Accounts;

/// <summary>Staff and shopper accounts: sign-in, two-factor, verification and password reset.</summary>
public sealed class AccountsModule : StorekeepModule
{
    public override string Name => "Accounts";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("last_owner", 409, "The change would leave the store without an owner."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.UsersManage, Role.Owner),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(110, "Users and roles", "/admin/settings/users", Icons.Material.Filled.ManageAccounts, Storekeep.Access.Permissions.UsersManage),
        new(1000, "My account", "/admin/account/security", Icons.Material.Filled.Security, null),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<StaffAccounts>();
        services.AddScoped<AccountSecurity>();
        services.AddScoped<AccountEmails>();
    }
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Audit;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Audit;

/// <summary>The audit log: every change staff and API keys make, under their name.</summary>
public sealed class AuditModule : StorekeepModule
{
    public override string Name => "Audit";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.AuditRead, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(140, "Audit log", "/admin/audit", Icons.Material.Filled.History, Storekeep.Access.Permissions.AuditRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<AuditQueries>();
}

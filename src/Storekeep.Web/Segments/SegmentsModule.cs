using MudBlazor;
using Storekeep.Access;
using Storekeep.Segments;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Segments;

/// <summary>Customer segments: saved rules over customers' figures and profiles, counted live (docs/crm.md).</summary>
public sealed class SegmentsModule : StorekeepModule
{
    public override string Name => "Segments";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("segment_exists", 409, "A segment with this name already exists."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(SegmentPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(SegmentPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(52, "Segments", "/admin/segments", Icons.Material.Filled.Groups, SegmentPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<Storekeep.Segments.Segments>();

    public override void MapApi(RouteGroupBuilder api) => api.MapSegmentsEndpoints();
}

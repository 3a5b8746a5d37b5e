using Storekeep.Access;

namespace Storekeep.Web.Hosting;

/// <summary>
/// One capability of Storekeep, plugged into the host: its services, API endpoints, permissions,
/// event types, error codes, back-office links and background work. A capability lives in one
/// folder name in each project (<c>src/Storekeep/Orders</c> for its domain and tables,
/// <c>src/Storekeep.Web/Orders</c> for this module and its endpoints, <c>Admin/Orders</c> for its
/// pages), and registers only types from those folders; the architecture tests hold it to that.
/// See docs/adding-a-capability.md.
/// </summary>
public abstract class StorekeepModule
{
    /// <summary>The capability's folder name, e.g. <c>Orders</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What each role may do in this capability (see docs/permissions.md).</summary>
    public virtual IEnumerable<PermissionGrant> Permissions => [];

    /// <summary>The event types this capability raises, as the event feed and webhooks name them.</summary>
    public virtual IEnumerable<string> EventTypes => [];

    /// <summary>The problem <c>code</c>s this capability answers with (listed in docs/api.md).</summary>
    public virtual IEnumerable<ErrorCode> ErrorCodes => [];

    /// <summary>Links in the back office's menu.</summary>
    public virtual IEnumerable<AdminNavEntry> Navigation => [];

    /// <summary>The namespaces this capability's code lives in; it registers nothing from elsewhere.</summary>
    public IReadOnlyList<string> Namespaces => [$"Storekeep.{Name}", $"Storekeep.Web.{Name}", $"Storekeep.Web.Admin.{Name}"];

    /// <summary>Services, options and background work (hosted services).</summary>
    public virtual void AddServices(IServiceCollection services, IConfiguration configuration)
    {
    }

    /// <summary>Endpoints under <c>/api/v1</c>.</summary>
    public virtual void MapApi(RouteGroupBuilder api)
    {
    }

    /// <summary>Endpoints outside the API: form posts and downloads of the storefront and back office.</summary>
    public virtual void MapPages(IEndpointRouteBuilder app)
    {
    }
}

/// <summary>A permission and the roles that hold it.</summary>
public sealed record PermissionGrant(string Permission, params Role[] Roles);

/// <summary>A problem <c>code</c>, the HTTP status it comes with, and what it means to a client.</summary>
public sealed record ErrorCode(string Code, int Status, string Meaning);

/// <summary>
/// A link in the back office's menu. <paramref name="Position"/> orders the menu across modules;
/// <paramref name="Permission"/> null means every staff member sees it.
/// </summary>
public sealed record AdminNavEntry(int Position, string Title, string Href, string Icon, string? Permission, bool MatchAll = false);

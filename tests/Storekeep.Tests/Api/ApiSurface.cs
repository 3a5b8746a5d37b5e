using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Api;

/// <summary>One operation of the OpenAPI document.</summary>
public sealed record OpenApiOperation(string Method, string Path, JsonObject Node)
{
    public string Key => $"{Method} {ApiSurface.NormalizePath(Path)}";

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>One HTTP endpoint as routing and authorization see it.</summary>
public sealed record EndpointAccess(string Method, string Route, bool Anonymous, IReadOnlyList<string> Permissions, IReadOnlyList<Role> Roles)
{
    public bool IsProtected => !Anonymous;

    public string Key => $"{Method} {ApiSurface.NormalizePath(Route)}";

    public override string ToString() => $"{Method} {Route}";
}

/// <summary>
/// The API as the running application describes it: its OpenAPI document and its endpoint data
/// source with authorization metadata. Suites are generated from these, so a new endpoint is
/// covered as soon as it is mapped.
/// </summary>
public static partial class ApiSurface
{
    private static readonly string[] MethodOrder = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static async Task<JsonObject> OpenApiAsync(TestStore store)
    {
        var response = await store.Anonymous.GetAsync("/openapi/v1.json");
        return (await response.Expect(HttpStatusCode.OK)).AsObject();
    }

    public static IReadOnlyList<OpenApiOperation> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(op => MethodOrder.Contains(op.Key.ToUpperInvariant()))
                .Select(op => new OpenApiOperation(op.Key.ToUpperInvariant(), path.Key, op.Value!.AsObject())))
            .ToList();

    /// <summary>"/api/v1/carts/{cartId:guid}/items/" → "/api/v1/carts/{}/items": parameter names and constraints do not matter.</summary>
    public static string NormalizePath(string path)
    {
        var normalized = RouteParameter().Replace(path, "{}");
        return normalized.Length > 1 ? normalized.TrimEnd('/') : normalized;
    }

    /// <summary>Follows a <c>$ref</c> to its component schema.</summary>
    public static JsonObject? Resolve(JsonObject document, JsonNode? schema)
    {
        if (schema is not JsonObject obj)
        {
            return null;
        }

        if (obj["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference["#/components/schemas/".Length..];
            return document["components"]?["schemas"]?[name]?.AsObject();
        }

        return obj;
    }

    /// <summary>The schema's JSON types ("string", "integer", ...) without "null".</summary>
    public static IReadOnlyList<string> Types(JsonObject? schema)
    {
        if (schema?["type"] is JsonArray array)
        {
            return array.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
        }

        if (schema?["type"] is JsonValue single)
        {
            return single.GetValue<string>() == "null" ? [] : [single.GetValue<string>()];
        }

        return schema?["enum"] is not null ? ["string"] : [];
    }

    /// <summary>Every routed API endpoint (/api/v1/..., /health) with the permissions its metadata demands.</summary>
    public static IReadOnlyList<EndpointAccess> Endpoints(IServiceProvider services)
    {
        var sources = services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var result = new List<EndpointAccess>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            route = RouteConstraint().Replace(route, "}");
            route = route.Length > 1 ? route.TrimEnd('/') : route;
            if (!route.StartsWith("/api/v1/", StringComparison.Ordinal) && route != "/health")
            {
                continue;
            }

            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            var permissions = anonymous ? [] : authorize.Select(a => a.Policy).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            var roles = Enum.GetValues<Role>().ToList();
            foreach (var permission in permissions)
            {
                var granted = Storekeep.Web.Hosting.StorekeepModules.PermissionGrants.TryGetValue(permission, out var g) ? g : [];
                roles = roles.Where(granted.Contains).ToList();
            }

            // Neither AllowAnonymous nor an authorization requirement: reported by the matrix test.
            var unspecified = !anonymous && authorize.Count == 0;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                result.Add(new EndpointAccess(method, route, anonymous || unspecified, permissions, roles));
            }
        }

        return result
            .OrderBy(e => e.Route, StringComparer.Ordinal)
            .ThenBy(e => Array.IndexOf(MethodOrder, e.Method))
            .ToList();
    }

    /// <summary>"POST /api/v1/products"-style keys of the endpoints that read a request body.</summary>
    public static IReadOnlyList<string> GetEndpointsAcceptingBodies(this IServiceProvider services) =>
        services.GetRequiredService<IEnumerable<EndpointDataSource>>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => $"{m} {NormalizePath("/" + e.RoutePattern.RawText?.TrimStart('/'))}"))
            .Where(k => k.Contains(" /api/v1/", StringComparison.Ordinal))
            .Distinct()
            .ToList();

    /// <summary>Endpoints under /api/v1 that say neither who may call them nor that anyone may.</summary>
    public static IReadOnlyList<string> EndpointsWithoutAccessDeclaration(IServiceProvider services) =>
        services.GetRequiredService<IEnumerable<EndpointDataSource>>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => ("/" + e.RoutePattern.RawText?.TrimStart('/')).StartsWith("/api/v1/", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.DisplayName ?? e.RoutePattern.RawText ?? "?")
            .ToList();

    /// <summary>docs/permissions.md, generated from the endpoints' metadata and each module's <c>Permissions</c>.</summary>
    public static string PermissionsMarkdown(IReadOnlyList<EndpointAccess> endpoints)
    {
        var text = new StringBuilder();
        text.Append("# Permissions\n\n");
        text.Append("Generated from the endpoints' authorization metadata and the roles each capability's module grants\n");
        text.Append("(`StorekeepModule.Permissions`, e.g. src/Storekeep.Web/Orders/OrdersModule.cs) by `PermissionMatrixTests`; do not edit by hand.\n");
        text.Append("Refresh with `STOREKEEP_UPDATE_DOCS=1 dotnet test --filter PermissionMatrixTests`.\n\n");
        text.Append("| Endpoint | Method | Permission | Roles allowed | Anonymous |\n");
        text.Append("|---|---|---|---|---|\n");
        foreach (var e in endpoints)
        {
            var permission = e.Anonymous ? "(public)" : string.Join(", ", e.Permissions.Select(p => $"`{p}`"));
            var roles = e.Anonymous ? "everyone" : string.Join(", ", e.Roles.Select(Storekeep.Access.Permissions.RoleName));
            text.Append(CultureInvariant($"| `{e.Route}` | {e.Method} | {permission} | {roles} | {(e.Anonymous ? "yes" : "no")} |\n"));
        }

        text.Append("\nRoles: ").Append(string.Join(", ", Enum.GetValues<Role>().Select(Storekeep.Access.Permissions.RoleName))).Append(".\n");
        return text.ToString();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Storekeep.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Storekeep.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"(:[^}]*)?\??\}")]
    private static partial Regex RouteConstraint();
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Api;

/// <summary>
/// Every endpoint × every role, held against the hand-written <see cref="AccessTable"/>: the server
/// answers each role as the table says, and the endpoints' authorization metadata with
/// <see cref="Storekeep.Web.Hosting.StorekeepModules.PermissionGrants"/> (what docs/permissions.md is generated from) says the same.
/// </summary>
public sealed class PermissionMatrixTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Every_endpoint_answers_each_role_as_the_permission_table_says(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var endpoints = ApiSurface.Endpoints(store.Services);
        var clients = new Dictionary<Role, HttpClient>();
        foreach (var role in Enum.GetValues<Role>())
        {
            clients[role] = await store.ClientForAsync(role);
        }

        var failures = new List<string>();
        var checkedCalls = 0;
        foreach (var endpoint in endpoints)
        {
            if (AccessTable.Find(endpoint.Method, endpoint.Route) is not { } expected)
            {
                failures.Add($"{endpoint} is missing from AccessTable");
                continue;
            }

            var anonymous = await SendAsync(store.Anonymous, endpoint);
            checkedCalls++;
            if (!expected.IsPublic)
            {
                await ExpectProblemAsync(anonymous, HttpStatusCode.Unauthorized, $"{endpoint} as anonymous", failures);
            }
            else if (anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                failures.Add($"{endpoint} is public but answered anonymous with {(int)anonymous.StatusCode}");
            }

            foreach (var (role, client) in clients)
            {
                var response = await SendAsync(client, endpoint);
                checkedCalls++;
                var granted = expected.IsPublic || expected.Roles.Contains(role);
                if (granted && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    failures.Add($"{endpoint} as {role} (granted) answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                else if (!granted)
                {
                    await ExpectProblemAsync(response, HttpStatusCode.Forbidden, $"{endpoint} as {role}", failures);
                }
                else if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{endpoint} as {role} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(endpoints.Count(e => e.IsProtected) > 15, "Suspiciously few protected endpoints.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCalls} calls disagree with the permission table:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_endpoint_demands_the_permission_and_grants_the_roles_the_access_table_says()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var endpoints = ApiSurface.Endpoints(store.Services);
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            if (AccessTable.Find(endpoint.Method, endpoint.Route) is not { } expected)
            {
                failures.Add($"{endpoint} is missing from AccessTable; its code says: {AccessTable.LineFor(endpoint)}");
                continue;
            }

            var permission = endpoint.Anonymous ? AccessTable.Public : string.Join(",", endpoint.Permissions);
            if (permission != expected.Permission)
            {
                failures.Add($"{endpoint} demands {permission}, the table says {expected.Permission}");
            }

            if (!endpoint.Anonymous && !expected.Roles.SetEquals(endpoint.Roles))
            {
                failures.Add($"{endpoint} is granted to [{string.Join(" ", endpoint.Roles.Select(Permissions.RoleName))}] by the modules' grants, "
                    + $"the table says [{string.Join(" ", expected.Roles.Order().Select(Permissions.RoleName))}]");
            }
        }

        var routed = endpoints.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        failures.AddRange(AccessTable.Entries.Where(e => !routed.Contains(e.Key)).Select(e => $"{e} is in AccessTable but no such endpoint is mapped"));
        failures.AddRange(AccessTable.Entries.GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => $"{g.Key} is in AccessTable {g.Count()} times"));
        Assert.True(AccessTable.Entries.Count > 50, "Suspiciously few lines in the access table.");
        Assert.True(failures.Count == 0, $"{failures.Count} endpoints disagree with the hand-written access table:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_api_endpoint_says_who_may_call_it()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var undeclared = ApiSurface.EndpointsWithoutAccessDeclaration(store.Services);
        var unknown = ApiSurface.Endpoints(store.Services)
            .SelectMany(e => e.Permissions.Where(p => !Storekeep.Web.Hosting.StorekeepModules.PermissionGrants.ContainsKey(p)).Select(p => $"{e}: {p}")).ToList();
        Assert.True(undeclared.Count == 0, "Neither RequireAuthorization(...) nor AllowAnonymous():\n" + string.Join("\n", undeclared));
        Assert.True(unknown.Count == 0, "Permissions missing from Storekeep.Web.Hosting.StorekeepModules.PermissionGrants:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public async Task Docs_permissions_md_matches_the_code()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        var expected = ApiSurface.PermissionsMarkdown(ApiSurface.Endpoints(store.Services));
        var path = Path.Combine(ApiSurface.RepositoryRoot(), "docs", "permissions.md");
        if (Environment.GetEnvironmentVariable("STOREKEEP_UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(path, expected, TestContext.Current.CancellationToken);
        }

        var actual = File.Exists(path) ? (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).ReplaceLineEndings("\n") : "";
        Assert.True(actual == expected,
            $"docs/permissions.md is out of date. Run with STOREKEEP_UPDATE_DOCS=1, or replace it with:\n\n{expected}");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_revoked_api_key_stops_working_at_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var created = await store.Client.PostJson("/api/v1/api-keys", new { name = "to revoke", role = "manager" }).Expect(HttpStatusCode.Created);
        using var client = store.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created["key"].Str());

        // Used once, so the key sits in the authentication cache when it is revoked.
        await client.GetAsync("/api/v1/orders").Expect(HttpStatusCode.OK);
        await (await store.Client.DeleteAsync($"/api/v1/api-keys/{created["id"].Str()}")).Expect(HttpStatusCode.NoContent);

        await client.GetAsync("/api/v1/orders").ExpectProblem(HttpStatusCode.Unauthorized, "unauthorized");
        var keys = await store.Client.GetAsync("/api/v1/api-keys").Expect(HttpStatusCode.OK);
        Assert.Contains(keys.AsArray(), k => k!["id"].Str() == created["id"].Str() && k["revokedAt"] is not null);
    }

    /// <summary>Dummy but well-formed requests: ids that do not exist, an empty JSON object as body.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, EndpointAccess endpoint)
    {
        var url = FillRoute(endpoint.Route);
        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), url);
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private static string FillRoute(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{([^}]*)\}", m =>
            m.Groups[1].Value.Contains("sku", StringComparison.OrdinalIgnoreCase) || m.Groups[1].Value == "code"
                ? "NO-SUCH-SKU"
                : Guid.NewGuid().ToString());

    private static async Task ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what, List<string> failures)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != status)
        {
            failures.Add($"{what}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
            return;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !body.Contains("\"code\"", StringComparison.Ordinal))
        {
            failures.Add($"{what}: {(int)status} is not a problem document with a code: {body}");
        }
    }
}

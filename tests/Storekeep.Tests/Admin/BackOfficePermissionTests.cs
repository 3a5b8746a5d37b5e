using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Admin;

namespace Storekeep.Tests.Admin;

public sealed class BackOfficePermissionTests
{
    /// <summary>Every routable back-office page without route parameters, with the roles its policies let in.</summary>
    public static IReadOnlyList<(string Route, Role[] Allowed)> AdminPages()
    {
        var pages = new List<(string, Role[])>();
        foreach (var type in typeof(AdminPage).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("Storekeep.Web.Admin", StringComparison.Ordinal) == true))
        {
            if (type.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
            {
                continue;
            }

            var policies = type.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy ?? StaffPolicies.AnyStaff).Distinct().ToList();
            var allowed = Enum.GetValues<Role>().Where(role => policies.All(p => Grants(p, role))).ToArray();
            foreach (var route in type.GetCustomAttributes<RouteAttribute>().Select(r => r.Template).Where(t => !t.Contains('{', StringComparison.Ordinal)))
            {
                pages.Add((route, allowed));
            }
        }

        return pages.OrderBy(p => p.Item1, StringComparer.Ordinal).ToList();
    }

    private static bool Grants(string policy, Role role) =>
        policy == StaffPolicies.AnyStaff ||
        (policy.StartsWith(StaffPolicies.Prefix, StringComparison.Ordinal) && Storekeep.Web.Hosting.StorekeepModules.PermissionGrants[policy[StaffPolicies.Prefix.Length..]].Contains(role));

    [Theory]
    [InlineData(TestDatabases.Sqlite)] // access rules only: the every-page test below covers both databases
    public async Task A_support_user_is_refused_settings_api_keys_and_users_by_the_server(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var support = await store.SignedInStaffAsync(Role.Support);
        var owner = await store.SignedInStaffAsync(Role.Owner);

        foreach (var url in new[] { "/admin/settings", "/admin/settings/api-keys", "/admin/settings/users", "/admin/settings/webhooks", "/admin/audit" })
        {
            await support.GetPageAsync(url, HttpStatusCode.Forbidden);
            await owner.GetPageAsync(url);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Every_back_office_page_answers_each_role_as_the_permission_table_says(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var pages = AdminPages();
        Assert.Contains(pages, p => p.Route == "/admin/settings/api-keys");
        var failures = new List<string>();
        foreach (var role in Enum.GetValues<Role>())
        {
            var browser = await store.SignedInStaffAsync(role);
            foreach (var (route, allowed) in pages)
            {
                var status = (await browser.GetAsync(route)).StatusCode;
                var expected = allowed.Contains(role) ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
                if (status != expected)
                {
                    failures.Add($"{Permissions.RoleName(role)} GET {route}: expected {(int)expected}, got {(int)status}");
                }
            }
        }

        Assert.Empty(failures);
        var anonymous = store.Browser();
        foreach (var (route, _) in pages)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync(route)).StatusCode);
        }
    }

    [Fact]
    public void The_table_in_docs_back_office_permissions_md_matches_the_pages()
    {
        var docs = Path.Combine(AppContext.BaseDirectory, "../../../../../docs/back-office-permissions.md");
        var text = File.ReadAllText(docs);
        var table = BackOfficeTable();
        Assert.True(text.Contains(table, StringComparison.Ordinal), "docs/back-office-permissions.md lacks the current back-office table; paste this:\n" + table);
    }

    /// <summary>The Markdown table of pages × roles, as docs/back-office-permissions.md shows it.</summary>
    public static string BackOfficeTable()
    {
        var roles = Enum.GetValues<Role>();
        var lines = new List<string>
        {
            "| Page | " + string.Join(" | ", roles.Select(Permissions.RoleName)) + " |",
            "|---|" + string.Concat(roles.Select(_ => "---|")),
        };
        lines.AddRange(AdminPages().Select(p => $"| `{p.Route}` | " + string.Join(" | ", roles.Select(r => p.Allowed.Contains(r) ? "✓" : "")) + " |"));
        return string.Join('\n', lines) + "\n";
    }
}

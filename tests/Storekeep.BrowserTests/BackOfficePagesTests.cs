using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Data;

namespace Storekeep.BrowserTests;

/// <summary>
/// Every back-office page, found by its route, opened by each demo role on the demo store in
/// Chromium: each is refused (the access-denied page) or opens, and none may answer an error, log a
/// browser error (a chart fed NaN does), show Blazor's error bar, or end the session (the security
/// page once renewed the security stamp on first view).
/// The capability journeys test what the pages do; this only proves each one opens cleanly.
/// </summary>
public sealed partial class BackOfficePagesTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    /// <summary>Sign-in pages: covered by the account tests, and not for a signed-in owner.</summary>
    private static readonly string[] SignInPages = ["/admin/login", "/admin/login/two-factor", "/admin/forgot-password", "/admin/reset-password", "/admin/access-denied"];

    /// <summary>A parameterised route's value on the demo store: SQL returning one text column named Value.</summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["/admin/orders/{Number:long}"] = "SELECT CAST(MAX(number) AS TEXT) AS Value FROM orders",
        ["/admin/orders/{Number:long}/packing-slip"] = "SELECT CAST(MAX(number) AS TEXT) AS Value FROM orders",
        ["/admin/products/{Id:guid}"] = "SELECT id AS Value FROM products",
        ["/admin/customers/{Id:guid}"] = "SELECT customer_id AS Value FROM orders WHERE customer_id IS NOT NULL",
        ["/admin/inventory/{Sku}"] = "SELECT sku AS Value FROM stock_levels",
        ["/admin/pick-lists/{Warehouse}"] = "SELECT code AS Value FROM warehouses",
        ["/admin/companies/{Id:guid}"] = "SELECT id AS Value FROM companies",
        ["/admin/campaigns/{Id:guid}"] = "SELECT id AS Value FROM campaigns",
        ["/admin/discounts/{Id:guid}"] = "SELECT id AS Value FROM discounts",
        ["/admin/experiments/{Id:guid}"] = "SELECT id AS Value FROM experiments",
        ["/admin/price-lists/{Id:guid}"] = "SELECT id AS Value FROM price_lists",
        ["/admin/purchase-orders/{Id}"] = "SELECT id AS Value FROM purchase_orders",
        ["/admin/suppliers/{Id}"] = "SELECT id AS Value FROM suppliers",
        ["/admin/sales/deals/{Id}"] = "SELECT id AS Value FROM sales_deals",
        ["/admin/sales/quotes/{Id:guid}"] = "SELECT id AS Value FROM quotes",
        ["/admin/tickets/{Id:guid}"] = "SELECT id AS Value FROM tickets",
    };

    [Theory]
    [InlineData("owner")]
    [InlineData("manager")]
    [InlineData("sales")]
    [InlineData("warehouse")]
    [InlineData("support")]
    [InlineData("marketing")]
    public async Task Every_back_office_page_opens_without_an_error_or_is_refused(string role)
    {
        Chromium.SkipIfMissing();
        var pages = await PagesAsync();
        await using var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);

        await page.GotoAsync("/admin/login");
        await page.FillAsync("#email", $"{role}@demo.storekeep.test");
        await page.FillAsync("#password", server.StaffPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(AdminHome());
        var signedIn = DateTime.UtcNow;

        foreach (var (path, interactive) in pages)
        {
            problems.Current = path;
            var before = problems.Count;
            var response = await page.GotoAsync(path);
            if (response is { Status: 403 } && await page.Locator("section.access-denied").IsVisibleAsync())
            {
                // Not this role's page: refused with the access-denied page, which is right. The
                // browser logs the 403 itself as a failed load; that is not a problem.
                problems.ForgetSince(before);
                continue;
            }

            if (response is null || response.Status >= 400)
            {
                problems.Add($"answered {response?.Status}");
                continue;
            }

            if (interactive)
            {
                // The live circuit re-runs the page's loading; its errors show only then.
                await Chromium.InteractiveAsync(page);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }

            if (new Uri(page.Url).AbsolutePath.StartsWith("/admin/login", StringComparison.Ordinal))
            {
                problems.Add("sent to sign in; the session ended");
            }

            if (await page.Locator("#blazor-error-ui").IsVisibleAsync())
            {
                problems.Add("Blazor's error bar shows");
            }
        }

        // The security stamp is checked a minute after sign-in: a page that renewed it signs out here
        // (waited for once: the owner opens every page, the security page among them).
        var untilChecked = signedIn.AddSeconds(62) - DateTime.UtcNow;
        if (role == "owner" && untilChecked > TimeSpan.Zero)
        {
            await Task.Delay(untilChecked, TestContext.Current.CancellationToken);
        }

        problems.Current = "/admin (after a minute)";
        await page.GotoAsync("/admin");
        Assert.True(AdminHome().IsMatch(page.Url), $"The {role} was signed out: {page.Url}");
        problems.AssertNone();
    }

    /// <summary>Every /admin route but sign-in's, with its sample values, and whether it runs interactively.</summary>
    private async Task<List<(string Path, bool Interactive)>> PagesAsync()
    {
        var components = typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t));
        var routes = components
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (r.Template, Interactive: t.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is null)))
            .Where(r => r.Template.StartsWith("/admin", StringComparison.Ordinal) && !SignInPages.Contains(r.Template))
            .OrderBy(r => r.Template, StringComparer.Ordinal)
            .ToList();
        var unknown = routes.Where(r => r.Template.Contains('{', StringComparison.Ordinal) && !Samples.ContainsKey(r.Template)).Select(r => r.Template).ToList();
        Assert.True(unknown.Count == 0, $"Give these routes a sample in {nameof(Samples)}: {string.Join(", ", unknown)}");
        Assert.True(routes.Count > 60, $"Only {routes.Count} back-office routes were found.");

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var pages = new List<(string, bool)>();
        foreach (var (template, interactive) in routes)
        {
            var path = template;
            if (Samples.TryGetValue(template, out var sql))
            {
                var value = await db.Database.SqlQueryRaw<string>(sql).FirstOrDefaultAsync(TestContext.Current.CancellationToken);
                Assert.False(string.IsNullOrEmpty(value), $"The demo store has nothing for {template}.");
                path = RouteParameter().Replace(template, Uri.EscapeDataString(value!));
            }

            pages.Add((path, interactive));
        }

        return pages;
    }

    [GeneratedRegex(@"/admin/?$")]
    private static partial Regex AdminHome();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}

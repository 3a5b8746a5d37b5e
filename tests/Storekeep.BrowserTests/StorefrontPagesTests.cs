using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Demo;

namespace Storekeep.BrowserTests;

/// <summary>
/// The shop as the demo's company buyer sees it, in Chromium: the home page, a category, a product,
/// search, cart, checkout, contact and every account page, with one of the buyer's own orders and
/// tickets found by following the pages' links. None may answer an error, fetch a missing
/// resource, or log a browser error. The journeys test what the pages do; this only proves each one
/// opens cleanly, signed in with company prices.
/// </summary>
public sealed partial class StorefrontPagesTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    [Fact]
    public async Task Every_shop_and_account_page_opens_for_the_company_buyer_without_an_error()
    {
        Chromium.SkipIfMissing();
        await using var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);

        await page.GotoAsync("/account/login");
        await page.GetByTestId("login-email").FillAsync(DemoCredentials.BuyerEmail);
        await page.GetByTestId("login-password").FillAsync(server.StaffPassword);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync(new Regex("/account"));

        var visited = new List<string>();
        async Task OpenAsync(string path)
        {
            problems.Current = path;
            var response = await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            visited.Add(path);
            if (response is null || response.Status >= 400)
            {
                problems.Add($"answered {response?.Status}");
            }
        }

        // The first link on the page that matches, as the buyer would follow it.
        async Task<string> LinkAsync(string pattern)
        {
            var hrefs = await page.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => new URL(a.href).pathname)");
            var match = hrefs.FirstOrDefault(h => Regex.IsMatch(h, pattern));
            Assert.True(match is not null, $"{problems.Current} links to nothing like {pattern}.");
            return match!;
        }

        await OpenAsync("/");
        var category = await LinkAsync("^/c/[^/]+$");
        await OpenAsync(category);
        await OpenAsync(await LinkAsync("^/p/[^/]+$"));
        await OpenAsync("/search?q=mug");
        await OpenAsync("/cart");
        await OpenAsync("/checkout");
        await OpenAsync("/contact");
        await OpenAsync("/account");
        await OpenAsync("/account/orders");
        var order = await LinkAsync(@"^/account/orders/\d+$");
        await OpenAsync(order);
        await OpenAsync(order + "/return");
        await OpenAsync("/account/tickets");
        await OpenAsync(await LinkAsync("^/account/tickets/[0-9a-fA-F-]{36}$"));

        problems.AssertNone();
        Assert.Equal(13, visited.Count);
    }
}

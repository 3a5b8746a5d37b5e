using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using Storekeep.BrowserTests.Infrastructure;

namespace Storekeep.BrowserTests;

public sealed class SmokeTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    [Fact]
    public async Task Staff_sign_in_page_signs_a_manager_in_to_the_dashboard()
    {
        Chromium.SkipIfMissing();
        await using var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin");
        Assert.Contains("/admin/login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#email", "manager@demo.storekeep.test");
        await page.FillAsync("#password", server.StaffPassword);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/admin$"));
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync("manager@demo.storekeep.test");
        await Assertions.Expect(page.GetByTestId("test-mode-banner")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "admin-dashboard");
    }
}

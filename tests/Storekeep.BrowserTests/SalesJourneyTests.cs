using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// A sales rep on the demo store, in Chromium: moves a deal to the next stage on the pipeline board,
/// finds the move in the deal's stage history, and checks what a wholesale buyer pays for 48 units.
/// </summary>
public sealed class SalesJourneyTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_rep_moves_a_deal_on_the_board_and_checks_a_wholesale_price()
    {
        Chromium.SkipIfMissing();
        await using var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#email", "sales@demo.storekeep.test");
        await page.FillAsync("#password", server.StaffPassword);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/admin$"));

        // The board: the demo's open deals by stage. The first prospecting deal moves on by its "Move to" menu.
        await page.GotoAsync("/admin/sales/pipeline");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var prospecting = page.GetByTestId("pipeline-stage-prospecting");
        var qualification = page.GetByTestId("pipeline-stage-qualification");
        var card = prospecting.GetByTestId("pipeline-card").First;
        await Expect(card).ToBeVisibleAsync();
        var title = (await card.Locator("a").First.InnerTextAsync()).Trim();
        var inQualification = await qualification.GetByTestId("pipeline-card").CountAsync();
        await Chromium.ScreenshotAsync(page, "sales-01-pipeline");
        // A click before the circuit is live opens nothing: click the menu until its items show.
        var target = page.GetByRole(AriaRole.Menuitem, new() { Name = "Qualification", Exact = true });
        await Chromium.UntilAsync(() => card.GetByTestId("pipeline-move").Locator("button").First.ClickAsync(), () => target.IsVisibleAsync());
        await target.ClickAsync();
        await Expect(qualification.GetByTestId("pipeline-card")).ToHaveCountAsync(inQualification + 1);
        await Expect(qualification.GetByTestId("pipeline-card").Filter(new() { HasText = title }).First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "sales-02-pipeline-moved");

        // The deal's page keeps the move in its stage history.
        await qualification.GetByTestId("pipeline-card").Filter(new() { HasText = title }).First.Locator("a").First.ClickAsync();
        await Expect(page.GetByTestId("deal-stage")).ToHaveTextAsync("qualification");
        await Expect(page.GetByTestId("deal-history")).ToContainTextAsync("prospecting → qualification");
        await Chromium.ScreenshotAsync(page, "sales-03-deal");

        // The metrics of the demo's year of deals: a win rate and the stage conversion chart.
        await page.GotoAsync("/admin/sales/metrics");
        await Expect(page.GetByTestId("metrics-tile")).ToHaveCountAsync(8);
        await Expect(page.GetByTestId("metrics-tile").Filter(new() { HasText = "Win rate (by count)" })).ToContainTextAsync("%");
        await Expect(page.GetByTestId("metrics-conversion").Locator("svg").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "sales-03b-metrics");

        // The demo's Wholesale price list: 48 units of a listed SKU take the deepest tier.
        await page.GotoAsync("/admin/price-lists");
        await page.GetByTestId("price-list-link").Filter(new() { HasText = "Wholesale" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var sku = (await page.GetByTestId("price-list-entries").Locator("tbody tr td").First.InnerTextAsync()).Trim();
        await Chromium.UntilAsync(
            async () =>
            {
                await page.GetByTestId("price-check-sku").FillAsync(sku);
                await page.GetByTestId("price-check-quantity").FillAsync("48");
                await page.GetByTestId("price-check-submit").ClickAsync();
            },
            () => page.GetByTestId("price-check-result").IsVisibleAsync());
        await Expect(page.GetByTestId("price-check-result")).ToContainTextAsync($"48 × {sku}");
        await Expect(page.GetByTestId("price-check-result")).ToContainTextAsync("tier from 48");
        await Chromium.ScreenshotAsync(page, "sales-04-price-list");
    }
}

using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// A sales rep on the demo store, in Chromium: moves a deal on the pipeline board by its menu and by dragging it,
/// finds the move in the deal's stage history, checks what a wholesale buyer pays for 48 units, and
/// sends a quote that the buyer accepts on account at its link, which places the order and its invoice.
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
        await Chromium.InteractiveAsync(page);
        var prospecting = page.GetByTestId("pipeline-stage-prospecting");
        var qualification = page.GetByTestId("pipeline-stage-qualification");
        var card = prospecting.GetByTestId("pipeline-card").First;
        await Expect(card).ToBeVisibleAsync();
        // Cards are told apart by deal id: demo titles repeat.
        var dealId = await card.GetAttributeAsync("data-deal-id");
        var moving = page.Locator($"[data-deal-id='{dealId}']");
        var inQualification = await qualification.GetByTestId("pipeline-card").CountAsync();
        await Chromium.ScreenshotAsync(page, "sales-01-pipeline");
        // A click before the circuit is live opens nothing: click the menu until its items show.
        var target = page.GetByRole(AriaRole.Menuitem, new() { Name = "Qualification", Exact = true });
        await Chromium.UntilAsync(() => card.GetByTestId("pipeline-move").Locator("button").First.ClickAsync(), () => target.IsVisibleAsync());
        await target.ClickAsync();
        await Expect(qualification.GetByTestId("pipeline-card")).ToHaveCountAsync(inQualification + 1);
        await Expect(qualification.Locator($"[data-deal-id='{dealId}']")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "sales-02-pipeline-moved");

        // A card also moves by dragging it with the mouse (HTML5 drag and drop): on to the top of the proposal column
        // (its top, so nothing scrolls mid-drag).
        var proposal = page.GetByTestId("pipeline-stage-proposal");
        var inProposal = await proposal.GetByTestId("pipeline-card").CountAsync();
        await moving.DragToAsync(proposal, new() { TargetPosition = new() { X = 40, Y = 10 } });
        await Expect(proposal.Locator($"[data-deal-id='{dealId}']")).ToBeVisibleAsync();
        await Expect(proposal.GetByTestId("pipeline-card")).ToHaveCountAsync(inProposal + 1);
        await Expect(qualification.GetByTestId("pipeline-card")).ToHaveCountAsync(inQualification);
        await Chromium.ScreenshotAsync(page, "sales-02b-pipeline-dragged");

        // The deal's page keeps both moves in its stage history.
        await proposal.Locator($"[data-deal-id='{dealId}'] a").First.ClickAsync();
        await Expect(page.GetByTestId("deal-stage")).ToHaveTextAsync("proposal");
        await Expect(page.GetByTestId("deal-history")).ToContainTextAsync("prospecting → qualification");
        await Expect(page.GetByTestId("deal-history")).ToContainTextAsync("qualification → proposal");
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
        await Chromium.InteractiveAsync(page);
        var sku = (await page.GetByTestId("price-list-entries").Locator("tbody tr td").First.InnerTextAsync()).Trim();
        await Chromium.InteractiveAsync(page);
        await page.GetByTestId("price-check-sku").FillAsync(sku);
        await page.GetByTestId("price-check-quantity").FillAsync("48");
        await page.GetByTestId("price-check-submit").ClickAsync();
        await Expect(page.GetByTestId("price-check-result")).ToContainTextAsync($"48 × {sku}");
        await Expect(page.GetByTestId("price-check-result")).ToContainTextAsync("tier from 48");
        await Chromium.ScreenshotAsync(page, "sales-04-price-list");

        // A quote for that SKU, written and sent from the back office.
        await page.GotoAsync("/admin/sales/quotes");
        await Chromium.InteractiveAsync(page);
        // For the demo's first account, which buys on net 30: the buyer may accept on account.
        var company = page.Locator(".mud-popover-open [role=option]").Filter(new() { HasText = "Northwind Hospitality" });
        // The list opens on a click once the circuit is live; the option may sit below the list's scroll.
        await Chromium.UntilAsync(
            async () =>
            {
                if (await company.CountAsync() == 0)
                {
                    await page.GetByTestId("quote-company").ClickAsync();
                }
            },
            async () => await company.CountAsync() > 0);
        await company.ScrollIntoViewIfNeededAsync();
        await company.ClickAsync();
        await page.GetByTestId("quote-email").FillAsync("buyer@journey.test");
        await page.GetByTestId("quote-sheet").FillAsync($"{sku}, 2");
        await page.GetByTestId("quote-submit").ClickAsync();
        await Expect(page.GetByTestId("quote-status")).ToHaveTextAsync("draft");
        await Chromium.UntilAsync(() => page.GetByTestId("quote-send").ClickAsync(), async () => (await page.GetByTestId("quote-status").InnerTextAsync()).Trim() == "sent");
        await Chromium.ScreenshotAsync(page, "sales-05-quote-sent");
        var link = (await page.GetByTestId("quote-accept-url").InnerTextAsync()).Trim();
        var quoteUrl = page.Url;

        // The buyer opens the link (signed out: the link is the key), gives an address and accepts.
        await using var buyerContext = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var buyer = await buyerContext.NewPageAsync();
        await buyer.GotoAsync(new Uri(link).AbsolutePath);
        await Expect(buyer.GetByTestId("quote-page-status")).ToHaveTextAsync("sent");
        await Expect(buyer.GetByTestId("quote-page-lines")).ToContainTextAsync(sku);
        await Chromium.ScreenshotAsync(buyer, "sales-06-quote-buyer-page");
        await buyer.GetByTestId("quote-name").FillAsync("Jo Buyer");
        await buyer.GetByTestId("quote-line1").FillAsync("5 Harbour Street");
        await buyer.GetByTestId("quote-city").FillAsync("Boston");
        await buyer.GetByTestId("quote-postal-code").FillAsync("02110");
        await buyer.GetByTestId("quote-payment-method").SelectOptionAsync("terms");
        await buyer.GetByTestId("quote-accept").ClickAsync();
        await Expect(buyer.GetByTestId("order-number")).ToBeVisibleAsync();
        var orderNumber = (await buyer.GetByTestId("order-number").InnerTextAsync()).Trim().TrimStart('#');
        await Chromium.ScreenshotAsync(buyer, "sales-07-quote-order-confirmed");

        // Back office: the quote is accepted and links to its order.
        await page.GotoAsync(quoteUrl);
        await Expect(page.GetByTestId("quote-status")).ToHaveTextAsync("accepted");
        await Expect(page.GetByTestId("quote-order-link")).ToHaveTextAsync($"order #{orderNumber}");
        await Chromium.ScreenshotAsync(page, "sales-08-quote-accepted");

        // On account: the order came with its invoice, open and due in 30 days, in the aging table.
        await page.GotoAsync("/admin/invoices");
        var invoiceRow = page.GetByTestId("invoices-table").Locator("tr").Filter(new() { HasText = $"#{orderNumber}" });
        await Expect(invoiceRow).ToContainTextAsync("Northwind Hospitality");
        await Expect(invoiceRow.GetByTestId("invoice-status")).ToContainTextAsync("Open");
        await Expect(page.GetByTestId("aging-table")).ToContainTextAsync("Northwind Hospitality");
        await Chromium.ScreenshotAsync(page, "sales-09-invoice");

        // The account's page: its credit in use against the limit, its buyers, deals, quotes and invoices.
        await page.GotoAsync("/admin/companies?q=Northwind");
        await Chromium.InteractiveAsync(page);
        await page.GetByTestId("company-link").Filter(new() { HasText = "Northwind Hospitality" }).First.ClickAsync();
        await Expect(page.GetByTestId("company-title")).ToHaveTextAsync("Northwind Hospitality");
        await Expect(page.GetByTestId("company-credit-in-use")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("company-buyer").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("company-invoice").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "sales-10-company");

        // The team (reps, territories, stage probabilities) and the tasks across the rep's deals.
        await page.GotoAsync("/admin/sales/team");
        await Expect(page.GetByTestId("sales-rep-row")).ToHaveCountAsync(3);
        await Chromium.ScreenshotAsync(page, "sales-11-team");
        await page.GotoAsync("/admin/sales/activities");
        await Expect(page.GetByTestId("activity-row").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "sales-12-tasks");
    }
}

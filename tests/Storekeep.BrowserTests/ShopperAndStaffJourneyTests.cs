using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Catalog;
using Storekeep.Data;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// The story of issue #3 in one run against a real server and Debian's Chromium: a shopper on a
/// phone finds a product, buys it with tok_visa, signs up and finds the order; a warehouse user
/// ships it; the shopper sees the tracking; a manager refunds part of it; a support user is refused
/// the settings and API keys by the server; the audit log shows each staff change.
/// </summary>
public sealed partial class ShopperAndStaffJourneyTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_shopper_buys_on_a_phone_and_staff_ship_refund_and_are_audited()
    {
        Chromium.SkipIfMissing();
        var product = await ProductInStockAsync();
        var shopperEmail = $"shopper-{Guid.NewGuid():N}@example.com";

        // The shopper, on a phone.
        await using var phone = await chromium.NewContextAsync(phone: true, server.BaseUrl);
        var shop = await phone.NewPageAsync();
        await shop.GotoAsync("/");
        await Chromium.ScreenshotAsync(shop, "01-storefront-home-phone");
        await shop.GetByTestId("search-input").First.FillAsync(product.Title);
        await shop.GetByTestId("search-input").First.PressAsync("Enter");
        await Expect(shop).ToHaveURLAsync(new Regex("/search"));
        await Chromium.ScreenshotAsync(shop, "02-search-results-phone");
        await shop.GetByTestId("product-card").Filter(new() { HasText = product.Title }).First.ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/p/" + Regex.Escape(product.Slug)));
        await Expect(shop.GetByTestId("product-price")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(shop, "03-product-page-phone");

        await shop.GetByTestId("add-to-cart").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/cart"));
        await Expect(shop.GetByTestId("cart-line")).ToHaveCountAsync(1);
        await Chromium.ScreenshotAsync(shop, "04-cart-phone");

        await shop.GetByTestId("checkout-button").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout"));
        await CheckoutForm.FillAsync(shop, shopperEmail, "Ada Shopper");
        await shop.GetByTestId("payment-token").SelectOptionAsync("tok_visa");
        await Chromium.ScreenshotAsync(shop, "05-checkout-phone");
        await shop.GetByTestId("checkout-submit").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        var orderNumber = (await shop.GetByTestId("order-number").InnerTextAsync()).Trim().TrimStart('#');
        Assert.Matches("^[0-9]+$", orderNumber);
        await Chromium.ScreenshotAsync(shop, "06-order-confirmation-phone");

        await shop.GotoAsync("/account/register");
        await shop.GetByTestId("register-name").FillAsync("Ada Shopper");
        await shop.GetByTestId("register-email").FillAsync(shopperEmail);
        await shop.GetByTestId("register-password").FillAsync("shopper-password-1");
        await shop.GetByTestId("register-submit").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/account/orders"));
        // The guest order joins the account once the email is confirmed through the emailed link.
        await shop.GotoAsync(await server.LinkInLatestMessageAsync(Storekeep.Messaging.MessageTypes.AccountVerification, shopperEmail, "/account/verify-email?"));
        await Expect(shop.GetByTestId("email-verified")).ToBeVisibleAsync();
        await shop.GotoAsync("/account/orders");
        await Expect(shop.GetByTestId("account-order").Filter(new() { HasText = orderNumber })).ToHaveCountAsync(1);
        await Chromium.ScreenshotAsync(shop, "07-account-orders-phone");

        // A warehouse user ships it with a tracking number.
        var trackingNumber = "1Z" + Random.Shared.NextInt64(10_000_000, 99_999_999);
        await using (var warehouse = await SignInStaffAsync("warehouse"))
        {
            var page = warehouse.Pages[0];

            // They pick it with a scanner first: a wrong item is caught, then every unit scans right.
            await page.GotoAsync($"/admin/pick-scan?order={orderNumber}");
            var lines = page.GetByTestId("scan-line");
            await Expect(lines.First).ToBeVisibleAsync();
            var code = page.Locator("[data-testid=scan-code] input, input[data-testid=scan-code]").First;
            await Chromium.UntilAsync(
                async () =>
                {
                    await code.FillAsync("NOT-A-SKU");
                    await code.PressAsync("Enter");
                },
                async () => await page.GetByTestId("scan-result").CountAsync() > 0);
            await Expect(page.GetByTestId("scan-result")).ToHaveAttributeAsync("data-correct", "false");
            for (var i = 0; i < await lines.CountAsync(); i++)
            {
                var sku = await lines.Nth(i).GetAttributeAsync("data-sku");
                var toPick = int.Parse(await lines.Nth(i).Locator("td").Nth(3).InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
                for (var unit = 1; unit <= toPick; unit++)
                {
                    await code.FillAsync(sku!);
                    await code.PressAsync("Enter");
                    await Expect(lines.Nth(i).GetByTestId("scan-line-picked")).ToHaveTextAsync(unit.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            await Expect(page.GetByTestId("scan-result")).ToContainTextAsync("is picked");
            await Expect(page.GetByTestId("scan-tally")).ToContainTextAsync("1 wrong");
            await Chromium.ScreenshotAsync(page, "07b-admin-pick-scan");

            await page.GotoAsync($"/admin/orders/{orderNumber}");
            await OpenDialogAsync(page.GetByTestId("ship-button"), page.GetByTestId("carrier-input"));
            await FillAsync(page.GetByTestId("carrier-input"), "UPS");
            await FillAsync(page.GetByTestId("tracking-input"), trackingNumber);
            await Chromium.ScreenshotAsync(page, "08-admin-ship-dialog");
            await page.GetByTestId("confirm-ship").ClickAsync();
            await Expect(page.GetByTestId("shipments")).ToContainTextAsync(trackingNumber);
            await Chromium.ScreenshotAsync(page, "09-admin-order-shipped");
        }

        // The shopper sees the tracking.
        await shop.GotoAsync($"/account/orders/{orderNumber}");
        await Expect(shop.GetByTestId("tracking-number")).ToContainTextAsync(trackingNumber);
        await Chromium.ScreenshotAsync(shop, "10-account-order-tracking-phone");

        // A manager refunds part of it.
        await using (var manager = await SignInStaffAsync("manager"))
        {
            var page = manager.Pages[0];
            await page.GotoAsync($"/admin/orders/{orderNumber}");
            await OpenDialogAsync(page.GetByTestId("refund-button"), page.GetByTestId("refund-amount"));
            await FillAsync(page.GetByTestId("refund-amount"), "1.00");
            await page.GetByTestId("confirm-refund").ClickAsync();
            await Expect(page.GetByTestId("refunds")).ToContainTextAsync("1.00");
            await Chromium.ScreenshotAsync(page, "11-admin-order-refunded");

            await page.GotoAsync("/admin/orders");
            await Chromium.ScreenshotAsync(page, "12-admin-orders");
            await page.GotoAsync("/admin/products");
            await Chromium.ScreenshotAsync(page, "13-admin-products");
            await page.GotoAsync("/admin/inventory");
            await Chromium.ScreenshotAsync(page, "14-admin-inventory");
            await page.GotoAsync("/admin/customers");
            await Chromium.ScreenshotAsync(page, "15-admin-customers");
            await page.GotoAsync("/admin");
            await Chromium.ScreenshotAsync(page, "16-admin-dashboard");

            // The audit log shows who shipped and who refunded.
            await page.GotoAsync("/admin/audit");
            await Expect(page.GetByTestId("audit-table")).ToContainTextAsync("warehouse@demo.storekeep.test");
            await Expect(page.GetByTestId("audit-table")).ToContainTextAsync("manager@demo.storekeep.test");
            await Chromium.ScreenshotAsync(page, "17-admin-audit-log");
        }

        // Support is refused the settings and the API keys by the server, not just by a hidden link.
        await using (var support = await SignInStaffAsync("support"))
        {
            var page = support.Pages[0];
            foreach (var path in new[] { "/admin/settings", "/admin/settings/api-keys", "/admin/settings/users" })
            {
                var response = await page.GotoAsync(path);
                Assert.Equal(403, response!.Status);
                await Expect(page.GetByText("Not allowed")).ToBeVisibleAsync();
                Assert.Equal(0, await page.GetByTestId("api-keys-table").CountAsync());
            }

            await Chromium.ScreenshotAsync(page, "18-admin-support-refused-settings");
        }

        await using (var owner = await SignInStaffAsync("owner"))
        {
            var page = owner.Pages[0];
            await page.GotoAsync("/admin/settings");
            await Chromium.ScreenshotAsync(page, "19-admin-settings");

            // The demo offers both manual methods; the owner stops taking cash on delivery.
            var cashOnDelivery = page.GetByRole(AriaRole.Checkbox, new() { Name = "Cash on delivery" });
            await Expect(cashOnDelivery).ToBeCheckedAsync();
            await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Bank transfer" })).ToBeCheckedAsync();
            await UntickCashOnDeliveryAndSaveAsync(page);
            await page.GotoAsync("/admin/settings");
            await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Cash on delivery" })).Not.ToBeCheckedAsync();

            await page.GotoAsync("/admin/settings/api-keys");
            await Expect(page.GetByTestId("api-keys-table")).ToBeVisibleAsync();
        }
    }

    /// <summary>
    /// Unticks cash on delivery and saves, again until the database says so: a click before the
    /// page's circuit is connected toggles the box in the browser only.
    /// </summary>
    private async Task UntickCashOnDeliveryAndSaveAsync(IPage page)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var checkbox = page.GetByRole(AriaRole.Checkbox, new() { Name = "Cash on delivery" });
            if (await checkbox.IsCheckedAsync())
            {
                await checkbox.ClickAsync();
            }

            await page.GetByTestId("payments-save").ClickAsync();
            try
            {
                await page.GetByText("Payment methods saved.").First.WaitForAsync(new() { Timeout = 1500 });
            }
            catch (TimeoutException)
            {
            }

            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            if ((await db.StoreSettings.AsNoTracking().SingleAsync()).ManualPaymentMethods == "bank_transfer")
            {
                return;
            }

            await page.GotoAsync("/admin/settings");
        }

        Assert.Fail("Unticking cash on delivery was never saved.");
    }

    private async Task<IBrowserContext> SignInStaffAsync(string role)
    {
        var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#email", $"{role}@demo.storekeep.test");
        await page.FillAsync("#password", server.StaffPassword);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/admin$"));
        // Wait for the interactive circuit, so clicks reach the server.
        await Chromium.InteractiveAsync(page);
        return context;
    }

    /// <summary>
    /// A prerendered button can be clicked before the page's interactive circuit is connected, and
    /// that click goes nowhere; click until the dialog shows (as a person would).
    /// </summary>
    private static async Task OpenDialogAsync(ILocator button, ILocator dialogField)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await button.ClickAsync();
            try
            {
                await dialogField.First.WaitForAsync(new() { Timeout = 1500 });
                return;
            }
            catch (TimeoutException)
            {
                // Not interactive yet.
            }
        }

        await Expect(dialogField.First).ToBeVisibleAsync();
    }

    /// <summary>MudBlazor puts the test id on the field's input or on its wrapper; fill the input and leave it, so the value binds.</summary>
    private static async Task FillAsync(ILocator field, string value)
    {
        var input = await field.EvaluateAsync<string>("e => e.tagName") is "INPUT" or "TEXTAREA" ? field : field.Locator("input, textarea").First;
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    private async Task<(string Title, string Slug)> ProductInStockAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var inStock = db.StockLevels.Where(s => s.OnHand - s.Reserved >= 5).Select(s => s.Sku);
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active && p.Variants.Count == 1 && p.Variants.All(v => inStock.Contains(v.Sku)))
            .OrderBy(p => p.Slug)
            .Select(p => new { p.Title, p.Slug })
            .FirstAsync(TestContext.Current.CancellationToken);
        return (product.Title, product.Slug);
    }
}

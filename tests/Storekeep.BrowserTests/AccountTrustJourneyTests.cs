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
/// Issue #9's account trust in one run against a real server, a real SMTP listener and Chromium: a
/// guest orders with an email; someone registers with that email and sees nothing of it; the
/// verification email arrives over SMTP and its link, opened in the browser, brings the guest order
/// into the account; then the shopper forgets the password and resets it through the emailed link.
/// </summary>
public sealed class AccountTrustJourneyTests(StorekeepServerWithMail server, Chromium chromium) : IClassFixture<StorekeepServerWithMail>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_guest_order_joins_an_account_only_after_the_emailed_verification_link_and_a_forgotten_password_is_reset_by_email()
    {
        Chromium.SkipIfMissing();
        var slug = await ProductInStockAsync();
        var email = $"guest-{Guid.NewGuid():N}@example.com";

        // A guest buys, on a phone.
        await using var guest = await chromium.NewContextAsync(phone: true, server.BaseUrl);
        var shop = await guest.NewPageAsync();
        await shop.GotoAsync("/p/" + slug);
        await shop.GetByTestId("add-to-cart").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/cart"));
        await shop.GetByTestId("checkout-button").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout"));
        await CheckoutForm.FillAsync(shop, email, "Grace Guest");
        await shop.GetByTestId("payment-token").SelectOptionAsync("tok_visa");
        await shop.GetByTestId("checkout-submit").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        var confirmation = new Uri(shop.Url).PathAndQuery;
        var orderNumber = (await shop.GetByTestId("order-number").InnerTextAsync()).Trim().TrimStart('#');

        // Someone registers with that email in another browser: nothing of the guest order shows.
        await using var account = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await account.NewPageAsync();
        await page.GotoAsync("/account/register");
        await page.GetByTestId("register-name").FillAsync("Grace Guest");
        await page.GetByTestId("register-email").FillAsync(email);
        await page.GetByTestId("register-password").FillAsync("shopper-password-1");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/orders"));
        await Expect(page.GetByTestId("verify-email-notice")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("no-orders")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("account-order")).ToHaveCountAsync(0);
        await Chromium.ScreenshotAsync(page, "30-account-unverified-sees-no-guest-orders");
        Assert.Equal(404, (await page.GotoAsync($"/account/orders/{orderNumber}"))!.Status);
        Assert.Equal(404, (await page.GotoAsync(confirmation))!.Status);

        // The verification email arrives over SMTP; its link, opened here, proves the mailbox.
        var verification = await server.Smtp.WaitForAsync(email, "Confirm your email address");
        await page.GotoAsync(StorekeepServer.PathOfLink(verification.TextBody ?? "", "/account/verify-email?"));
        await Expect(page.GetByTestId("email-verified")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "31-account-email-verified");
        await page.GetByTestId("verified-orders-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/orders$"));
        await Expect(page.GetByTestId("account-order").Filter(new() { HasText = orderNumber })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("verify-email-notice")).ToHaveCountAsync(0);
        await Chromium.ScreenshotAsync(page, "32-account-guest-order-after-verification");

        // Signed out, the shopper forgets the password and resets it through the emailed link.
        await page.GetByTestId("logout").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await page.GotoAsync("/account/login");
        await page.GetByTestId("forgot-password-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/forgot-password"));
        await page.GetByTestId("forgot-password-email").FillAsync(email);
        await page.GetByTestId("forgot-password-submit").ClickAsync();
        await Expect(page.GetByTestId("reset-requested")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "33-forgot-password-sent");

        var reset = await server.Smtp.WaitForAsync(email, "Reset your");
        await page.GotoAsync(StorekeepServer.PathOfLink(reset.TextBody ?? "", "/account/reset-password?"));
        await page.GetByTestId("reset-password").FillAsync("short");
        await page.GetByTestId("reset-password-confirm").FillAsync("short");
        await page.GetByTestId("reset-password-submit").ClickAsync();
        await Expect(page.GetByTestId("reset-password-error")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "34-reset-password-validation");
        await page.GetByTestId("reset-password").FillAsync("new-shopper-password-2");
        await page.GetByTestId("reset-password-confirm").FillAsync("new-shopper-password-2");
        await page.GetByTestId("reset-password-submit").ClickAsync();
        await Expect(page.GetByTestId("password-reset-done")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "35-reset-password-done");

        await page.GetByTestId("reset-sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await page.GetByTestId("login-email").FillAsync(email);
        await page.GetByTestId("login-password").FillAsync("new-shopper-password-2");
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/orders"));
        await Expect(page.GetByTestId("account-order").Filter(new() { HasText = orderNumber })).ToHaveCountAsync(1);
        await Chromium.ScreenshotAsync(page, "36-signed-in-with-new-password");

        // The owner finds every one of those emails in the back office's message log, sent, and
        // edits the order confirmation with a live preview.
        await using var staff = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var admin = await staff.NewPageAsync();
        await admin.GotoAsync("/admin/login");
        await admin.FillAsync("#email", "owner@demo.storekeep.test");
        await admin.FillAsync("#password", server.StaffPassword);
        await admin.ClickAsync("button[type=submit]");
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));
        await Chromium.InteractiveAsync(admin);
        await admin.GotoAsync("/admin/messages");
        var mine = admin.GetByTestId("messages-table").Locator("tbody tr").Filter(new() { HasText = email });
        await Expect(mine).ToHaveCountAsync(3);
        foreach (var type in new[] { "order_confirmation", "account_verification", "password_reset" })
        {
            await Expect(mine.Filter(new() { HasText = type }).GetByTestId("message-status")).ToHaveTextAsync("sent");
        }

        // Clicks before the circuit is live go nowhere: click until the page answers.
        var confirmationRow = mine.Filter(new() { HasText = "order_confirmation" });
        await Chromium.UntilAsync(() => confirmationRow.GetByTestId("message-open").ClickAsync(), () => admin.GetByTestId("message-detail").IsVisibleAsync());
        await Expect(admin.GetByTestId("message-text")).ToContainTextAsync(orderNumber);
        await Chromium.ScreenshotAsync(admin, "37-admin-message-log");

        await admin.GotoAsync("/admin/messages/templates");
        var subject = admin.Locator("input[data-testid=template-subject], [data-testid=template-subject] input").First;
        var preview = admin.GetByTestId("preview-subject");
        await Chromium.UntilAsync(
            () => subject.FillAsync($"Your order #{{{{order.number}}}} is in ({DateTime.UtcNow.Ticks})"),
            async () => await preview.CountAsync() == 1 && Regex.IsMatch(await preview.InnerTextAsync(), @"^Your order #\d+ is in \(\d+\)$"));
        await Chromium.ScreenshotAsync(admin, "38-admin-template-preview");
    }

    private async Task<string> ProductInStockAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var inStock = db.StockLevels.Where(s => s.OnHand - s.Reserved >= 5).Select(s => s.Sku);
        return await db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active && p.Variants.Count == 1 && p.Variants.All(v => inStock.Contains(v.Sku)))
            .OrderByDescending(p => p.Slug)
            .Select(p => p.Slug)
            .FirstAsync(TestContext.Current.CancellationToken);
    }
}

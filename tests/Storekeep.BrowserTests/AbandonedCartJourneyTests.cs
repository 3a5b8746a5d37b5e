using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.AbandonedCarts;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Catalog;
using Storekeep.Data;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// Abandoned carts end to end: a shopper fills a cart, leaves an email and goes; a reminder round
/// runs an hour later; the emailed link, opened in another browser, brings the cart back; a
/// marketing user sees the sequence and its report.
/// </summary>
public sealed class AbandonedCartJourneyTests(StorekeepServerWithMail server, Chromium chromium) : IClassFixture<StorekeepServerWithMail>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_cart_left_with_an_email_is_restored_in_another_browser_from_the_reminder()
    {
        Chromium.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        var (slug, title) = await ProductInStockAsync();
        var email = $"leaver-{Guid.NewGuid():N}@example.com";

        await using (var first = await chromium.NewContextAsync(phone: false, server.BaseUrl))
        {
            var shop = await first.NewPageAsync();
            await shop.GotoAsync($"/p/{slug}");
            await shop.GetByTestId("add-to-cart").ClickAsync();
            await Expect(shop).ToHaveURLAsync(new Regex("/cart"));
            await Expect(shop.GetByTestId("cart-line")).ToHaveCountAsync(1);
            await shop.GetByLabel("Email me this cart").FillAsync(email);
            await shop.GetByTestId("cart-email-save").ClickAsync();
            await Expect(shop.GetByTestId("cart-email-saved")).ToContainTextAsync(email);
            await Chromium.ScreenshotAsync(shop, "abandoned-01-cart-with-email");
        }

        // An hour passes (the cart's last activity moves back), and a reminder round runs.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var cart = await db.Carts.SingleAsync(c => c.Email == email, ct);
            cart.UpdatedAt = cart.UpdatedAt.AddMinutes(-61);
            await db.SaveChangesAsync(ct);
            await scope.ServiceProvider.GetRequiredService<AbandonedCartSender>().SendDueAsync(ct);
        }

        var reminder = await server.Smtp.WaitForAsync(email, "You left something in your cart");
        var link = StorekeepServer.PathOfLink(reminder.TextBody!, "/cart/restore/");

        await using var laptop = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var restored = await laptop.NewPageAsync();
        await restored.GotoAsync(link);
        await Expect(restored).ToHaveURLAsync(new Regex("/cart$"));
        await Expect(restored.GetByTestId("cart-line")).ToHaveCountAsync(1);
        await Expect(restored.GetByTestId("cart-line")).ToContainTextAsync(title);
        await Chromium.ScreenshotAsync(restored, "abandoned-02-restored-on-another-device");

        var admin = await laptop.NewPageAsync();
        await admin.GotoAsync("/admin/login");
        await admin.FillAsync("#email", "marketing@demo.storekeep.test");
        await admin.FillAsync("#password", server.StaffPassword);
        await admin.ClickAsync("button[type=submit]");
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));
        await admin.GotoAsync("/admin/abandoned-carts");
        await Expect(admin.GetByTestId("abandoned-report")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("abandoned-step")).ToHaveCountAsync(2);
        await Expect(admin.GetByTestId("emailed-count")).Not.ToHaveTextAsync("0");
        await Chromium.ScreenshotAsync(admin, "abandoned-03-back-office");
    }

    private async Task<(string Slug, string Title)> ProductInStockAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var inStock = db.StockLevels.Where(s => s.OnHand - s.Reserved >= 5).Select(s => s.Sku);
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active && p.Variants.Count == 1 && p.Variants.All(v => inStock.Contains(v.Sku)))
            .OrderBy(p => p.Slug)
            .Select(p => new { p.Slug, p.Title })
            .FirstAsync(TestContext.Current.CancellationToken);
        return (product.Slug, product.Title);
    }
}

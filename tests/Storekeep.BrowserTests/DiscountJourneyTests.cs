using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Promotions;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// Issue #13 in one run: a shopper enters the demo's WELCOME10 code on the cart, sees the saving on
/// the line and in the totals, and checks out with it in the order total; a marketing user then
/// finds the code's use on the back office's discounts list and its editor's live preview.
/// </summary>
public sealed class DiscountJourneyTests(StorekeepServer server, Chromium chromium) : IClassFixture<StorekeepServer>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_shopper_checks_out_with_a_demo_code_and_staff_see_its_use()
    {
        Chromium.SkipIfMissing();
        var product = await ProductInStockAsync();
        var shopperEmail = $"saver-{Guid.NewGuid():N}@example.com";

        await using var desktop = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var shop = await desktop.NewPageAsync();
        await shop.GotoAsync($"/p/{product.Slug}");
        await shop.GetByTestId("add-to-cart").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/cart"));
        await Expect(shop.GetByTestId("cart-line")).ToHaveCountAsync(1);

        // A code that does not exist is refused with the problem's reason.
        await shop.GetByLabel("Discount code").FillAsync("NOSUCHCODE");
        await shop.GetByTestId("discount-apply").ClickAsync();
        await Expect(shop.GetByTestId("discount-message")).ToHaveAttributeAsync("data-reason", "discount_code_unknown");
        await Expect(shop.GetByTestId("discount-message")).ToContainTextAsync("There is no discount code NOSUCHCODE");

        await shop.GetByLabel("Discount code").FillAsync("welcome10");
        await shop.GetByTestId("discount-apply").ClickAsync();
        await Expect(shop.GetByTestId("discount-message")).ToContainTextAsync("Code WELCOME10 applied.");
        var tenth = Math.Round(product.Price * 0.10m, 2, MidpointRounding.AwayFromZero);
        await Expect(shop.GetByTestId("cart-line-subtotal")).ToContainTextAsync(Money(product.Price));
        await Expect(shop.GetByTestId("cart-line-total")).ToHaveTextAsync(Money(product.Price - tenth));
        await Expect(shop.GetByTestId("cart-discounts")).ToHaveTextAsync("−" + Money(tenth));
        await Expect(shop.GetByTestId("cart-savings")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(shop, "discount-01-cart-with-code");

        await shop.GetByTestId("checkout-button").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout"));
        await Expect(shop.GetByTestId("checkout-discounts")).ToHaveTextAsync("−" + Money(tenth));
        await CheckoutForm.FillAsync(shop, shopperEmail, "Sam Saver");
        await shop.GetByTestId("payment-token").SelectOptionAsync("tok_visa");
        await shop.GetByTestId("checkout-submit").ClickAsync();
        await Expect(shop).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        await Expect(shop.GetByTestId("order-discounts")).ToHaveTextAsync("−" + Money(tenth));
        await Chromium.ScreenshotAsync(shop, "discount-02-confirmation");
        var orderNumber = long.Parse((await shop.GetByTestId("order-number").InnerTextAsync()).Trim().TrimStart('#'), CultureInfo.InvariantCulture);

        int welcomeUses; // the demo history used WELCOME10 too: the list shows all its uses held
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Number == orderNumber, TestContext.Current.CancellationToken);
            Assert.Equal(tenth, order.DiscountTotal - order.ShippingDiscount);
            Assert.Equal(order.Subtotal - order.DiscountTotal + order.ShippingTotal + order.TaxTotal, order.Total);
            // WELCOME10 is limited per customer only: its use is a discount_uses row (its own row is not counted).
            var welcome = await db.Set<DiscountDefinition>().AsNoTracking().SingleAsync(d => d.CodeKey == "WELCOME10", TestContext.Current.CancellationToken);
            Assert.Equal(1, await db.Set<DiscountUse>().CountAsync(u => u.DiscountId == welcome.Id && u.OrderId == order.Id && u.ReleasedAt == null, TestContext.Current.CancellationToken));
            welcomeUses = await db.Set<DiscountUse>().CountAsync(u => u.DiscountId == welcome.Id && u.ReleasedAt == null, TestContext.Current.CancellationToken);
        }

        // A marketing user sees the use on the discounts list.
        await using var staff = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var admin = await staff.NewPageAsync();
        await admin.GotoAsync("/admin/login");
        await admin.FillAsync("#email", "marketing@demo.storekeep.test");
        await admin.FillAsync("#password", server.StaffPassword);
        await admin.ClickAsync("button[type=submit]");
        await Expect(admin).ToHaveURLAsync(new Regex("/admin$"));
        await admin.GotoAsync("/admin/discounts");
        var usage = admin.Locator("[data-testid=discount-usage][data-code=WELCOME10]");
        await Expect(usage).ToHaveTextAsync(welcomeUses.ToString(CultureInfo.InvariantCulture));
        await Expect(admin.GetByTestId("discounts-table")).ToContainTextAsync("automatic");
        await Chromium.ScreenshotAsync(admin, "discount-03-admin-discounts");

        // Its editor previews it on a sample cart of demo products, through the engine.
        await admin.GetByTestId("discount-link").Filter(new() { HasText = "Welcome" }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex("/admin/discounts/[0-9a-f-]{36}$"));
        await Expect(admin.GetByTestId("discount-usage-summary")).ToContainTextAsync($"used {welcomeUses.ToString(CultureInfo.InvariantCulture)}");
        await Expect(admin.GetByTestId("preview-line")).Not.ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("preview-discount-total")).ToContainTextAsync("−");
        await Expect(admin.GetByTestId("preview-discount-total")).Not.ToContainTextAsync("−0.00 ");
        await Expect(admin.GetByTestId("preview-refusal")).ToHaveCountAsync(0);
        await Chromium.ScreenshotAsync(admin, "discount-04-admin-discount-editor");
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture) + " USD";

    /// <summary>A one-variant product in stock, not in the demo's buy-2-get-1 category, cheap enough that no other discount beats 10 %.</summary>
    private async Task<(string Slug, decimal Price)> ProductInStockAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var inStock = db.StockLevels.Where(s => s.OnHand - s.Reserved >= 5).Select(s => s.Sku);
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active && p.Variants.Count == 1 && p.Variants.All(v => inStock.Contains(v.Sku) && v.Price >= 20m && v.Price <= 50m))
            .OrderBy(p => p.Slug)
            .Select(p => new { p.Slug, p.Variants.First().Price })
            .FirstAsync(TestContext.Current.CancellationToken);
        return (product.Slug, product.Price);
    }
}

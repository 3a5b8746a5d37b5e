using Microsoft.Playwright;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>The storefront checkout form, filled in as a shopper would (one address for every journey).</summary>
public static class CheckoutForm
{
    public static async Task FillAsync(IPage page, string email, string name)
    {
        await page.GetByTestId("checkout-email").FillAsync(email);
        await page.GetByTestId("checkout-name").FillAsync(name);
        await page.GetByTestId("checkout-line1").FillAsync("1 Market Street");
        await page.GetByTestId("checkout-city").FillAsync("Springfield");
        await page.GetByTestId("checkout-postal-code").FillAsync("12345");
        await page.GetByTestId("checkout-country").SelectOptionAsync("US");
    }
}

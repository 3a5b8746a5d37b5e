using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Storekeep.BrowserTests.Infrastructure;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Tests.Payments;
using static Microsoft.Playwright.Assertions;

namespace Storekeep.BrowserTests;

/// <summary>
/// The live checkout page with Stripe's Payment Element, in Chromium, against the local Stripe
/// stand-in (its Stripe.js, its 3-D Secure page, its signed webhooks): a card without challenge, a
/// passed and a failed challenge, a shopper who closes the tab after the challenge, and stock
/// that sells out while the shopper authenticates.
/// </summary>
public sealed partial class StripeCheckoutJourneyTests(StorekeepServerWithStripe server, Chromium chromium)
    : IClassFixture<StorekeepServerWithStripe>, IClassFixture<Chromium>
{
    [Fact]
    public async Task A_card_without_a_challenge_pays_and_lands_on_the_confirmation()
    {
        Chromium.SkipIfMissing();
        var (page, _, email) = await PaymentStepAsync(productIndex: 0);
        await PayAsync(page, "pm_card_visa");
        await Expect(page).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        await Expect(page.GetByTestId("order-payment-status")).ToHaveTextAsync("paid");
        Assert.Equal(OrderStatus.Open, (await SingleOrderAsync(email)).Status);
        await Chromium.ScreenshotAsync(page, "stripe-01-confirmation");
    }

    [Fact]
    public async Task A_passed_challenge_places_the_order_and_a_failed_one_places_nothing()
    {
        Chromium.SkipIfMissing();
        var (page, sku, email) = await PaymentStepAsync(productIndex: 1);
        var stockBefore = await AvailableAsync(sku);

        await PayAsync(page, "pm_card_threeDSecure2Required");
        await ChallengeAsync(page);
        await Chromium.ScreenshotAsync(page, "stripe-02-challenge");
        await page.GetByTestId("fake-3ds-fail").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/checkout/complete"));
        await Expect(page.GetByTestId("checkout-return-error")).ToContainTextAsync("Nothing was charged");
        Assert.Null(await OrderOfAsync(email));
        Assert.Equal(stockBefore, await AvailableAsync(sku));

        // Back to checkout with the same cart: this time the shopper passes the challenge.
        await page.GetByTestId("back-to-checkout").ClickAsync();
        await ContinueToPaymentAsync(page, email);
        await PayAsync(page, "pm_card_threeDSecure2Required");
        await ChallengeAsync(page);
        await page.GetByTestId("fake-3ds-complete").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        await Expect(page.GetByTestId("order-payment-status")).ToHaveTextAsync("paid");
        await SingleOrderAsync(email);
        Assert.Equal(stockBefore - 1, await AvailableAsync(sku));
    }

    [Fact]
    public async Task A_shopper_who_closes_the_tab_after_the_challenge_gets_one_order_and_one_email_from_the_webhook()
    {
        Chromium.SkipIfMissing();
        var (page, _, email) = await PaymentStepAsync(productIndex: 2);
        await PayAsync(page, "pm_card_threeDSecure2Required");
        await ChallengeAsync(page);
        var intentId = IntentOf(page.Url);

        // The bank says yes, and the shopper closes the tab before coming back.
        server.Stripe.Authenticate(intentId, passed: true);
        await page.CloseAsync();
        Assert.Null(await OrderOfAsync(email));

        // Stripe's webhook arrives (twice, as Stripe may deliver it).
        var payload = server.Stripe.EventPayload("payment_intent.amount_capturable_updated", intentId);
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/stripe/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("Stripe-Signature", FakeStripe.Sign(payload, StorekeepServerWithStripe.WebhookSecret));
            Assert.True((await http.SendAsync(request)).IsSuccessStatusCode);
        }

        var order = await SingleOrderAsync(email);
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);
        await server.Smtp.WaitForAsync(email, $"Order #{order.Number}");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // time for a second email, if one were coming
        Assert.Single(server.Smtp.Received, m => m.To.ToString().Contains(email, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Stock_that_sells_out_during_the_challenge_voids_the_authorization_and_the_shopper_is_told()
    {
        Chromium.SkipIfMissing();
        var (page, sku, email) = await PaymentStepAsync(productIndex: 3);
        await PayAsync(page, "pm_card_threeDSecure2Required");
        await ChallengeAsync(page);
        var intentId = IntentOf(page.Url);

        // While the shopper authenticates, the last units are sold elsewhere.
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            await db.StockLevels.Where(s => s.Sku == sku).ExecuteUpdateAsync(u => u.SetProperty(s => s.OnHand, s => s.Reserved), TestContext.Current.CancellationToken);
        }

        await page.GetByTestId("fake-3ds-complete").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/checkout/complete"));
        await Expect(page.GetByTestId("checkout-return-error")).ToContainTextAsync("sold out while you were confirming the payment");
        await Chromium.ScreenshotAsync(page, "stripe-03-sold-out");
        Assert.Null(await OrderOfAsync(email));
        Assert.Equal("canceled", server.Stripe.Intent(intentId).Status);
        Assert.Equal(0, await AvailableAsync(sku));
    }

    [Fact]
    public async Task A_company_buyer_pays_a_quote_by_card_through_a_challenge_and_the_quote_becomes_the_order()
    {
        Chromium.SkipIfMissing();
        var (_, sku) = await ProductInStockAsync(4);
        var stockBefore = await AvailableAsync(sku);
        var email = $"quote-{Guid.NewGuid():N}@example.com";
        string path;
        Guid quoteId;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var ct = TestContext.Current.CancellationToken;
            var companies = scope.ServiceProvider.GetRequiredService<Storekeep.Companies.Companies>();
            var company = await companies.CreateAsync(new Storekeep.Companies.CreateCompanyRequest("Quote Card Ltd", "US", "NY", null, null, "prepaid", null, null), ct);
            await companies.AddBuyerAsync(company.Id.ToString(), new Storekeep.Companies.AddBuyerRequest(email, "Quinn Buyer"), ct);
            var quotes = scope.ServiceProvider.GetRequiredService<Storekeep.Quotes.SalesQuotes>();
            var quote = await quotes.CreateAsync(new Storekeep.Quotes.CreateSalesQuoteRequest(company.Id, email, null,
                [new Storekeep.Quotes.SalesQuoteLineRequest(sku, 2, 7.50m)], DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14), "Card, please"), Storekeep.Shared.Actor.System, ct);
            await quotes.SendAsync(quote.Id.ToString(), ct);
            (path, quoteId) = (new Uri(quote.AcceptUrl).AbsolutePath, quote.Id);
        }

        // The buyer opens the quote from the email, accepts it by card, passes the bank's challenge.
        var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.GetByTestId("quote-name").FillAsync("Quinn Buyer");
        await page.GetByTestId("quote-line1").FillAsync("1 Dock Road");
        await page.GetByTestId("quote-city").FillAsync("New York");
        await page.GetByTestId("quote-region").FillAsync("NY");
        await page.GetByTestId("quote-postal-code").FillAsync("10001");
        await page.GetByTestId("quote-country").SelectOptionAsync("US");
        await page.GetByTestId("quote-payment-method").SelectOptionAsync("card");
        await page.GetByTestId("quote-accept").ClickAsync();
        await Expect(page.GetByTestId("payment-step")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("fake-stripe-card")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "stripe-04-quote-payment");
        await PayAsync(page, "pm_card_threeDSecure2Required");
        await ChallengeAsync(page);
        await page.GetByTestId("fake-3ds-complete").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/checkout/confirmation/"));
        await Expect(page.GetByTestId("order-payment-status")).ToHaveTextAsync("paid");
        await Chromium.ScreenshotAsync(page, "stripe-05-quote-paid");

        // One order at the quoted price, from the quote, its stock reserved; the quote is accepted.
        var order = await SingleOrderAsync(email);
        Assert.Equal(OrderChannels.Quote, order.Channel);
        Assert.Equal(stockBefore - 2, await AvailableAsync(sku));
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var lines = await db.OrderLines.AsNoTracking().Where(l => l.OrderId == order.Id).ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal((sku, 2, 7.50m), (Assert.Single(lines).Sku, lines[0].Quantity, lines[0].UnitPrice));
            var quote = await db.Set<Storekeep.Quotes.Quote>().AsNoTracking().SingleAsync(q => q.Id == quoteId, TestContext.Current.CancellationToken);
            Assert.Equal((Storekeep.Quotes.QuoteStatus.Accepted, (Guid?)order.Id), (quote.Status, quote.OrderId));
        }
    }

    /// <summary>A new shopper puts a product in the cart, fills in the details and reaches the Payment Element.</summary>
    private async Task<(IPage Page, string Sku, string Email)> PaymentStepAsync(int productIndex)
    {
        var (slug, sku) = await ProductInStockAsync(productIndex);
        var email = $"stripe-{Guid.NewGuid():N}@example.com";
        var context = await chromium.NewContextAsync(phone: false, server.BaseUrl);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/p/" + slug);
        await page.GetByTestId("add-to-cart").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cart"));
        await page.GotoAsync("/checkout");
        await ContinueToPaymentAsync(page, email);
        return (page, sku, email);
    }

    private static async Task ContinueToPaymentAsync(IPage page, string email)
    {
        await CheckoutForm.FillAsync(page, email, "Ada Shopper");
        await page.GetByTestId("checkout-submit").ClickAsync();
        await Expect(page.GetByTestId("payment-step")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("fake-stripe-card")).ToBeVisibleAsync();
    }

    private static async Task PayAsync(IPage page, string card)
    {
        await page.GetByTestId("fake-stripe-card").SelectOptionAsync(card);
        await page.GetByTestId("pay-button").ClickAsync();
    }

    /// <summary>The stand-in's 3-D Secure page, where Stripe.js sends a card that needs a challenge.</summary>
    private static Task ChallengeAsync(IPage page) => Expect(page).ToHaveURLAsync(new Regex("/challenge/"));

    /// <summary>The intent id in the stand-in's challenge page address (/challenge/{id}).</summary>
    private static string IntentOf(string url) => new Uri(url).AbsolutePath.Split('/')[^1];

    private async Task<Order?> OrderOfAsync(string email)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var orders = await db.Orders.AsNoTracking().Where(o => o.Email == email).ToListAsync(TestContext.Current.CancellationToken);
        return orders.Count switch
        {
            0 => null,
            1 => orders[0],
            _ => throw new InvalidOperationException($"{orders.Count} orders for {email}: an order was placed twice."),
        };
    }

    private async Task<Order> SingleOrderAsync(string email) =>
        await OrderOfAsync(email) ?? throw new InvalidOperationException($"No order for {email}.");

    private async Task<long> AvailableAsync(string sku)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        return await db.StockLevels.Where(s => s.Sku == sku).SumAsync(s => (long)(s.OnHand - s.Reserved), TestContext.Current.CancellationToken);
    }

    /// <summary>A different single-variant product in stock for each test, so the tests do not share stock.</summary>
    private async Task<(string Slug, string Sku)> ProductInStockAsync(int index)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var inStock = db.StockLevels.Where(s => s.OnHand - s.Reserved >= 5).Select(s => s.Sku);
        var products = await db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active && p.Variants.Count == 1 && p.Variants.All(v => inStock.Contains(v.Sku)))
            .OrderBy(p => p.Slug)
            .Select(p => new { p.Slug, Sku = p.Variants.Select(v => v.Sku).First() })
            .Take(10)
            .ToListAsync(TestContext.Current.CancellationToken);
        return (products[index].Slug, products[index].Sku);
    }
}

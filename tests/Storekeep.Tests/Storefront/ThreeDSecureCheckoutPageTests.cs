using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Events;
using Storekeep.Fulfillment;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Storefront;

/// <summary>
/// The test store's 3-D Secure card, through the storefront's forms: checkout sends the shopper to
/// the test bank's challenge page, and the return page places the order (or says why not) once.
/// </summary>
public sealed class ThreeDSecureCheckoutPageTests
{
    private static Dictionary<string, string> ThreeDSecureCard => ShopperBrowser.CheckoutFields(TestPaymentGateway.ThreeDSecureToken);

    /// <summary>Checks out with the 3-D Secure test card and answers where the shopper was sent: the challenge page.</summary>
    private static async Task<string> StartChallengeAsync(HttpClient browser)
    {
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.AddToCartAsync("MUG-1", "2")).StatusCode);
        var response = await browser.SubmitFormAsync("/checkout", ThreeDSecureCard, "checkout");
        return await ShopperBrowser.ExpectRedirectAsync(response, TestPaymentGateway.ChallengePath + "/");
    }

    private static async Task<string> AnswerChallengeAsync(HttpClient browser, string challenge, bool passed)
    {
        var page = await browser.GetPageAsync(challenge);
        Assert.Contains("data-testid=\"test-3ds-amount\">25.00 USD<", page, StringComparison.Ordinal);
        var response = await browser.SubmitFormAsync(challenge, new() { ["Input.Passed"] = passed ? "true" : "false" }, "test-authentication");
        return await ShopperBrowser.ExpectRedirectAsync(response, "/checkout/complete?payment_intent=");
    }

    private static async Task<List<Order>> OrdersAsync(TestStore store)
    {
        await using var db = store.Db();
        return await db.Orders.AsNoTracking().ToListAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_passed_challenge_places_one_paid_order_and_the_return_shows_its_confirmation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();

        var challenge = await StartChallengeAsync(browser);
        Assert.Empty(await OrdersAsync(store)); // nothing placed, nothing held while the shopper authenticates
        Assert.Equal((10L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        var back = await AnswerChallengeAsync(browser, challenge, passed: true);
        var confirmation = await ShopperBrowser.ExpectRedirectAsync(await browser.GetAsync(back), "/checkout/confirmation/");
        var page = await browser.GetPageAsync(confirmation);

        var order = Assert.Single(await OrdersAsync(store));
        Assert.Contains($"#{order.Number}", page, StringComparison.Ordinal);
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);
        Assert.Equal((10L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        var intentId = (await PaymentOfAsync(store, order.Id)).GatewayReference!;
        Assert.Equal(["authorize", "capture"], store.Gateway.Journal.Where(o => o.Reference == intentId).Select(o => o.Kind));

        // The return link again (a reload) shows the same order and changes nothing.
        await ShopperBrowser.ExpectRedirectAsync(await browser.GetAsync(back), confirmation);
        Assert.Single(await OrdersAsync(store));
        await using var db = store.Db();
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_failed_challenge_places_nothing_holds_nothing_and_another_card_then_works(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();

        var back = await AnswerChallengeAsync(browser, await StartChallengeAsync(browser), passed: false);
        var page = await browser.GetPageAsync(back);

        Assert.Contains("authentication failed", page, StringComparison.Ordinal);
        Assert.Contains("Nothing was charged", page, StringComparison.Ordinal);
        Assert.Empty(await OrdersAsync(store));
        Assert.Equal((10L, 0L), await store.StockAsync("MUG-1", "MAIN"));

        // The cart is intact: paying again with a card that needs no challenge places the order.
        var retried = await browser.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(), "checkout");
        await ShopperBrowser.ExpectRedirectAsync(retried, "/checkout/confirmation/");
        Assert.Single(await OrdersAsync(store));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Stock_sold_while_the_shopper_authenticates_voids_the_authorization_and_says_so(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();
        var challenge = await StartChallengeAsync(browser);

        // Someone else buys 9 of the 10 meanwhile.
        var other = store.Browser();
        Assert.Equal(HttpStatusCode.SeeOther, (await other.AddToCartAsync("MUG-1", "9")).StatusCode);
        await ShopperBrowser.ExpectRedirectAsync(await other.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(email: "grace@example.com"), "checkout"), "/checkout/confirmation/");

        var back = await AnswerChallengeAsync(browser, challenge, passed: true);
        var page = await browser.GetPageAsync(back);

        Assert.Contains("sold out while you were confirming the payment", page, StringComparison.Ordinal);
        var order = Assert.Single(await OrdersAsync(store)); // only the other shopper's
        Assert.Equal("grace@example.com", order.Email);
        Assert.Equal((10L, 9L), await store.StockAsync("MUG-1", "MAIN"));
        var intentId = challenge[(challenge.LastIndexOf('/') + 1)..];
        Assert.Equal(["authorize", "void"], store.Gateway.Journal.Where(o => o.Reference == intentId).Select(o => o.Kind));
        await using var db = store.Db();
        var attempt = await db.CheckoutAttempts.AsNoTracking().SingleAsync(a => a.IntentId == intentId);
        Assert.Equal((CheckoutAttemptStatus.Failed, "insufficient_stock"), (attempt.Status, attempt.FailureCode));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_shopper_who_closes_the_tab_after_the_challenge_still_gets_the_order_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var browser = store.Browser();

        var back = await AnswerChallengeAsync(browser, await StartChallengeAsync(browser), passed: true);

        // The return was never followed: the order is there already, paid.
        var order = Assert.Single(await OrdersAsync(store));
        Assert.Equal(PaymentStatus.Paid, order.PaymentStatus);

        // Someone else holding the return link without its client secret learns nothing.
        var stranger = store.Browser();
        var withoutSecret = back[..back.IndexOf("&payment_intent_client_secret", StringComparison.Ordinal)];
        var refused = await stranger.GetPageAsync(withoutSecret, HttpStatusCode.BadRequest);
        Assert.DoesNotContain($"#{order.Number}", refused, StringComparison.Ordinal);

        // Coming back later shows the same order.
        await ShopperBrowser.ExpectRedirectAsync(await browser.GetAsync(back), $"/checkout/confirmation/{order.Number}");
        Assert.Single(await OrdersAsync(store));
        var payment = await PaymentOfAsync(store, order.Id);
        Assert.Single(store.Gateway.Journal, o => o.Reference == payment.GatewayReference && o.Kind == "capture");
    }

    private static async Task<Payment> PaymentOfAsync(TestStore store, Guid orderId)
    {
        await using var db = store.Db();
        return await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
    }
}

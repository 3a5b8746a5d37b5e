using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.PriceLists;

/// <summary>
/// A signed-in buyer of a company with a price list pays the list's prices everywhere the cart is
/// priced (cart view, quote, checkout by card, storefront form and payment intent), the order keeps
/// them, and the totals equal a computation in whole cents written here; a guest, or the same
/// buyer before their email is verified, pays the regular prices for the same cart.
/// </summary>
public sealed class BuyerPriceTests
{
    private const string BuyerEmail = "buyer@acme.example";

    private static readonly object TexasAddress = new { name = "Bea Buyer", line1 = "1 Depot Road", city = "Austin", region = "TX", postalCode = "73301", country = "US" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_buyer_pays_the_best_tier_for_each_quantity_through_the_API_and_a_guest_the_regular_prices(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync(); // standard 5.99 to the US, free from 100; no tax in Texas
        var regular = new Dictionary<string, long> { ["BOLT-1"] = 250, ["NUT-1"] = 99, ["WASH-1"] = 120 };
        foreach (var (sku, cents) in regular)
        {
            await store.AddProductAsync(sku, cents / 100m, main: 1000);
        }

        // BOLT-1: 2.10 from 1, 1.85 from 24, 1.90 from 50 (a worse tier above a better one).
        // NUT-1: 1.05 from 1 (above the regular 0.99), 0.80 from 100. WASH-1: no tier.
        var tiers = new (string Sku, long Cents, int Minimum)[] { ("BOLT-1", 210, 1), ("BOLT-1", 185, 24), ("BOLT-1", 190, 50), ("NUT-1", 105, 1), ("NUT-1", 80, 100) };
        var list = await store.Client.PostJson("/api/v1/price-lists", new
        {
            name = "Hardware trade",
            entries = tiers.Select(t => new { sku = t.Sku, price = t.Cents / 100m, minimumQuantity = t.Minimum }).ToArray(),
        }).Expect(HttpStatusCode.Created);
        var buyer = await BuyerAsync(store, list["id"].Str(), verify: false);
        long Expected(string sku, int quantity) => Reference(regular[sku], quantity, tiers.Where(t => t.Sku == sku).Select(t => (t.Cents, t.Minimum)), null);

        // Signed in but not verified: anyone could have signed up with a buyer's address.
        var cart = await store.CartWithAsync(buyer, ("BOLT-1", 23), ("NUT-1", 40), ("WASH-1", 5));
        var view = await buyer.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { 2.50m, 0.99m, 1.20m }, UnitPrices(view));
        Assert.Null(view["priceListId"]);

        // Verified: the same cart, filled before, takes the list's prices (below BOLT-1's 24: the tier from 1).
        await buyer.VerifyEmailAsync(store, BuyerEmail);
        view = await buyer.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { 2.10m, 0.99m, 1.20m }, UnitPrices(view));
        Assert.Equal(list["id"].Str(), view["priceListId"].Str());
        Assert.Equal(2.50m, view["items"]![0]!["regularPrice"].Dec());
        view = await buyer.PatchJson($"/api/v1/carts/{cart}/items/BOLT-1", new { quantity = 24 }).Expect(HttpStatusCode.OK);
        var quantities = new[] { ("BOLT-1", 24), ("NUT-1", 40), ("WASH-1", 5) };
        Assert.Equal(quantities.Select(q => Expected(q.Item1, q.Item2) / 100m), UnitPrices(view));
        Assert.Equal(new[] { 1.85m, 0.99m, 1.20m }, UnitPrices(view));

        // The product page: one unit's company price against the regular one, then the steps down
        // (the worse tier from 50 is no step); NUT-1's tier from 1 is above the regular price.
        var page = await buyer.GetPageAsync("/p/product-bolt-1");
        Assert.Contains("data-buyer-price=\"true\">$2.10<", page, StringComparison.Ordinal);
        Assert.Contains("regular price </span>$2.50<", page, StringComparison.Ordinal);
        Assert.Equal(new[] { "24" }, System.Text.RegularExpressions.Regex.Matches(page, "data-testid=\"price-tier\" data-minimum=\"(\\d+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains(">From 24 units: $1.85 each<", page, StringComparison.Ordinal);
        page = await buyer.GetPageAsync("/p/product-nut-1");
        Assert.Contains("data-testid=\"product-price\">$0.99<", page, StringComparison.Ordinal);
        Assert.Contains(">From 100 units: $0.80 each<", page, StringComparison.Ordinal);

        // The cart's id is public; whoever else looks at it sees the regular prices.
        Assert.Equal(new[] { 2.50m, 0.99m, 1.20m }, UnitPrices(await store.Anonymous.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK)));

        // 24 × 1.85 + 40 × 0.99 + 5 × 1.20 = 90.00: under 100, so shipping is charged.
        var subtotal = quantities.Sum(q => Expected(q.Item1, q.Item2) * q.Item2);
        var total = subtotal + (subtotal >= 100_00 ? 0 : 599);
        Assert.Equal((9000L, 9599L), (subtotal, total));
        Assert.Equal(subtotal / 100m, view["subtotal"].Dec());
        var quote = await buyer.PostJson($"/api/v1/carts/{cart}/quote", new { shippingAddress = TexasAddress }).Expect(HttpStatusCode.OK);
        Assert.Equal(total / 100m, quote["total"].Dec());

        var order = await buyer.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: BuyerEmail, region: "TX")).Expect(HttpStatusCode.Created);
        Assert.Equal((subtotal / 100m, total / 100m, "paid"), (order["subtotal"].Dec(), order["total"].Dec(), order["paymentStatus"].Str()));
        Assert.Equal(quantities.Select(q => Expected(q.Item1, q.Item2) / 100m), order["lines"]!.AsArray().Select(l => l!["unitPrice"].Dec()));
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture" && op.Amount == total / 100m);
        await using (var db = store.Db())
        {
            var orderId = Guid.Parse(order["id"].Str());
            var saved = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId);
            Assert.Equal(new[] { 185m, 99m, 120m }, saved.Lines.OrderBy(l => l.Sku == "BOLT-1" ? 0 : l.Sku == "NUT-1" ? 1 : 2).Select(l => l.UnitPrice * 100m));
            Assert.Equal(total / 100m, (await db.Payments.SingleAsync(p => p.OrderId == orderId)).CapturedAmount);
            Assert.Equal(await db.Users.Where(u => u.Email == BuyerEmail).Select(u => (Guid?)u.Id).SingleAsync(), saved.PlacedByUserId);
        }

        // A guest with the same lines, even typing the buyer's email, pays the regular prices:
        // 24 × 2.50 + 40 × 0.99 + 5 × 1.20 = 105.60, over 100, so shipping is free.
        var guestCart = await store.CartWithAsync(store.Anonymous, [.. quantities]);
        var guestSubtotal = quantities.Sum(q => regular[q.Item1] * q.Item2);
        var guestOrder = await store.Anonymous.PostJson($"/api/v1/carts/{guestCart}/checkout", TestCatalog.CheckoutBody(email: BuyerEmail, region: "TX")).Expect(HttpStatusCode.Created);
        Assert.Equal((10560L, 105.60m), (guestSubtotal, guestOrder["total"].Dec()));
        Assert.Equal(new[] { 2.50m, 0.99m, 1.20m }, guestOrder["lines"]!.AsArray().Select(l => l!["unitPrice"].Dec()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_buyer_with_a_percentage_list_sees_it_on_the_storefront_discounts_apply_on_top_and_every_checkout_path_charges_what_the_cart_said(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("TEA-1", 3.33m, main: 100);
        await store.AddProductAsync("TEA-2", 19.99m, main: 100);
        var list = await store.Client.PostJson("/api/v1/price-lists", new { name = "Partners 12.5%", percentOff = 12.5m }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Ten off", code = "TEN", type = "percentage", value = 10m, appliesTo = new { all = true }, status = "active" })
            .Expect(HttpStatusCode.Created);
        var buyer = await BuyerAsync(store, list["id"].Str(), verify: true);
        long Expected(long regularCents) => Reference(regularCents, 1, [], 12.5m);
        Assert.Equal((291L, 1749L), (Expected(333), Expected(1999))); // 2.91375 and 17.49125

        // Product page: the company price with the regular one struck through; a guest sees the regular price only.
        var page = await buyer.GetPageAsync("/p/product-tea-1");
        Assert.Contains("data-buyer-price=\"true\">$2.91<", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"regular-price\"><span class=\"visually-hidden\">regular price </span>$3.33<", page, StringComparison.Ordinal);
        var guestPage = await store.Browser().GetPageAsync("/p/product-tea-1");
        Assert.Contains("data-testid=\"product-price\">$3.33<", guestPage, StringComparison.Ordinal);
        Assert.DoesNotContain("regular-price", guestPage, StringComparison.Ordinal);

        // Tiles (home and search): the buyer's price with the regular one struck; a guest's cached page before
        // and after never shows it, and the buyer is never served the guest's cached copy.
        foreach (var url in new[] { "/", "/search?q=TEA" })
        {
            Assert.DoesNotContain("tile-buyer-price", await store.Browser().GetPageAsync(url), StringComparison.Ordinal);
            var tiles = await buyer.GetPageAsync(url);
            Assert.Contains("data-testid=\"tile-buyer-price\">$2.91<", tiles, StringComparison.Ordinal);
            Assert.Contains("data-testid=\"tile-buyer-price\">$17.49<", tiles, StringComparison.Ordinal);
            var after = await store.Browser().GetPageAsync(url);
            Assert.DoesNotContain("tile-buyer-price", after, StringComparison.Ordinal);
            Assert.Contains("$3.33", after, StringComparison.Ordinal);
        }

        // Storefront cart and checkout, with a 10 % code on top of the list prices.
        Assert.Equal(HttpStatusCode.SeeOther, (await buyer.AddToCartAsync("TEA-1", "3")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await buyer.AddToCartAsync("TEA-2", "2")).StatusCode);
        var token = await ShopperBrowser.AntiforgeryTokenAsync(buyer);
        await buyer.PostAsync("/cart/discount", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "TEN", ["__RequestVerificationToken"] = token }));
        var cartPage = await buyer.GetPageAsync("/cart");
        Assert.Contains("data-testid=\"cart-buyer-prices\"", cartPage, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-unit-price\">2.91 USD<", cartPage, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"cart-regular-price\"><span class=\"visually-hidden\">regular price </span>3.33 USD<", cartPage, StringComparison.Ordinal);
        Guid cartId;
        await using (var db = store.Db())
        {
            cartId = await db.Carts.Where(c => c.Status == CartStatus.Active).Select(c => c.Id).SingleAsync();
        }

        // 3 × 2.91 + 2 × 17.49 = 43.71; ten percent of it, 4.37, off.
        var view = await buyer.GetAsync($"/api/v1/carts/{cartId}").Expect(HttpStatusCode.OK);
        var subtotal = 3 * Expected(333) + 2 * Expected(1999);
        var discount = (subtotal * 10 + 50) / 100;
        Assert.Equal((43.71m, 4.37m), (subtotal / 100m, discount / 100m));
        Assert.Equal((subtotal / 100m, discount / 100m), (view["subtotal"].Dec(), view["discountTotal"].Dec()));
        Assert.Contains("data-testid=\"cart-subtotal\">43.71 USD<", cartPage, StringComparison.Ordinal);
        var newYork = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" };
        var quote = await buyer.PostJson($"/api/v1/carts/{cartId}/quote", new { shippingAddress = newYork }).Expect(HttpStatusCode.OK);

        var placed = await buyer.SubmitFormAsync("/checkout", ShopperBrowser.CheckoutFields(email: BuyerEmail), "checkout");
        await ShopperBrowser.ExpectRedirectAsync(placed, "/checkout/confirmation/");
        await using (var db = store.Db())
        {
            var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.CartId == cartId);
            Assert.Equal(new[] { 2.91m, 17.49m }, order.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => l.UnitPrice));
            Assert.Equal((subtotal / 100m, discount / 100m, quote["total"].Dec()), (order.Subtotal, order.DiscountTotal, order.Total));
            Assert.Equal(order.Total, (await db.Payments.SingleAsync(p => p.OrderId == order.Id)).CapturedAmount);
        }

        // Payment intent: prepared by the signed-in buyer, completed by a caller without the
        // sign-in (as the gateway's webhook would): priced for the account it was prepared for.
        var intentCart = await store.CartWithAsync(buyer, ("TEA-2", 4));
        var intentQuote = await buyer.PostJson($"/api/v1/carts/{intentCart}/quote", new { shippingAddress = newYork }).Expect(HttpStatusCode.OK);
        var intent = await buyer.PostJson($"/api/v1/carts/{intentCart}/payment-intent", new { email = BuyerEmail, shippingAddress = newYork, shippingMethod = (string?)null })
            .Expect(HttpStatusCode.OK);
        Assert.Equal(intentQuote["total"].Dec(), intent["amount"].Dec());
        var state = await store.Gateway.ConfirmIntentAsync(intent["paymentIntentId"].Str(), "tok_visa", "http://x/return", "confirm-buyer", CancellationToken.None);
        Assert.True(state.Authorized);
        var intentOrder = await store.Anonymous.PostJson($"/api/v1/carts/{intentCart}/checkout", new
        {
            email = BuyerEmail,
            shippingAddress = newYork,
            payment = new { method = "card", paymentIntentId = intent["paymentIntentId"].Str() },
        }).Expect(HttpStatusCode.Created);
        Assert.Equal((17.49m, intentQuote["total"].Dec()), (intentOrder["lines"]![0]!["unitPrice"].Dec(), intentOrder["total"].Dec()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_guest_and_a_company_buyer_never_share_a_cached_product_page(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("SHARE-1", 10m, main: 10);
        var list = await store.Client.PostJson("/api/v1/price-lists", new { name = "Partners 20%", percentOff = 20m }).Expect(HttpStatusCode.Created);
        var buyer = await BuyerAsync(store, list["id"].Str(), verify: true);

        async Task<(bool Cached, string Html)> ViewAsync(HttpClient browser)
        {
            var response = await browser.GetAsync("/p/product-share-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (response.Headers.Age is not null, await response.Content.ReadAsStringAsync());
        }

        // The buyer's page (their company price) is built for them and not stored: the first guest gets a page of its own.
        var buyerFirst = await ViewAsync(buyer);
        Assert.False(buyerFirst.Cached);
        Assert.Contains("data-buyer-price=\"true\">$8.00<", buyerFirst.Html, StringComparison.Ordinal);
        var guestFirst = await ViewAsync(store.Browser());
        Assert.False(guestFirst.Cached, "the buyer's page was not stored for guests");
        Assert.Contains("data-testid=\"product-price\">$10.00<", guestFirst.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-buyer-price", guestFirst.Html, StringComparison.Ordinal);

        // The guest's page is stored and served to guests, never to the buyer.
        var guestAgain = await ViewAsync(store.Browser());
        Assert.True(guestAgain.Cached);
        Assert.DoesNotContain("data-buyer-price", guestAgain.Html, StringComparison.Ordinal);
        var buyerAgain = await ViewAsync(buyer);
        Assert.False(buyerAgain.Cached, "a signed-in buyer is never answered from the guests' cache");
        Assert.Contains("data-buyer-price=\"true\">$8.00<", buyerAgain.Html, StringComparison.Ordinal);
    }

    /// <summary>A company on <paramref name="priceListId"/> and a browser signed in to its buyer's storefront account.</summary>
    private static async Task<HttpClient> BuyerAsync(TestStore store, string priceListId, bool verify)
    {
        var company = await store.Client.PostJson("/api/v1/companies", new { name = "Acme Hardware", country = "US", paymentTerms = "prepaid", priceListId })
            .Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/companies/{company["id"].Str()}/buyers", new { email = BuyerEmail }).Expect(HttpStatusCode.Created);
        var browser = store.Browser();
        await browser.SignUpAsync(BuyerEmail, "Bea Buyer");
        if (verify)
        {
            await browser.VerifyEmailAsync(store, BuyerEmail);
        }

        return browser;
    }

    private static List<decimal> UnitPrices(JsonNode cart) => [.. cart["items"]!.AsArray().Select(l => l!["unitPrice"].Dec())];

    /// <summary>
    /// What a list charges per unit, in cents, written apart from the code: the lowest tier the
    /// quantity reaches but never above the regular price, or the percentage off rounded half up.
    /// </summary>
    private static long Reference(long regularCents, int quantity, IEnumerable<(long Cents, int Minimum)> tiers, decimal? percentOff)
    {
        if (percentOff is { } p)
        {
            var hundredthsKept = 10_000 - (long)(p * 100);
            return (regularCents * hundredthsKept + 5_000) / 10_000;
        }

        return Math.Min(regularCents, tiers.Where(t => t.Minimum <= quantity).Select(t => t.Cents).DefaultIfEmpty(long.MaxValue).Min());
    }
}

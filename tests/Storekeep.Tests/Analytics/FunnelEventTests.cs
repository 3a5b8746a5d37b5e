using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Storefront;

namespace Storekeep.Tests.Analytics;

public sealed class FunnelEventTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Each_funnel_step_of_a_session_is_recorded_and_counted(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.50m, main: 10);
        var from = DateTime.UtcNow.AddMinutes(-1);
        var browser = store.Browser();

        // The real product page: a view counts only when the page was served.
        var view = await browser.GetAsync("/p/product-mug-1");
        Assert.Equal(System.Net.HttpStatusCode.OK, view.StatusCode);
        Assert.Contains("Product MUG-1", await view.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var session = Assert.Single(ShopperBrowser.SetCookies(view, "storekeep.sid"));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        await browser.GetAsync("/p/product-mug-1");
        await browser.BuyAsync("MUG-1");
        await store.Browser().GetAsync("/p/product-mug-1"); // a second session that looks but does not buy
        await store.Services.GetRequiredService<Storekeep.Web.Storefront.StorefrontEvents>().FlushAsync();

        await using var db = store.Db();
        List<StorefrontEvent> events = await db.StorefrontEvents.AsNoTracking<StorefrontEvent>().OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync();
        var shopper = events.Where(e => e.SessionId == events[0].SessionId).ToList();
        Assert.Equal(
            [StorefrontEventTypes.SessionStarted, StorefrontEventTypes.ProductViewed, StorefrontEventTypes.ProductViewed, StorefrontEventTypes.AddedToCart, StorefrontEventTypes.CheckoutStarted, StorefrontEventTypes.OrderPlaced],
            shopper.Select(e => e.Type));
        var product = await db.Products.AsNoTracking().SingleAsync();
        var order = await db.Orders.AsNoTracking().SingleAsync();
        Assert.Equal(product.Id, shopper[1].ProductId);
        Assert.Equal("MUG-1", shopper[3].Sku);
        Assert.NotNull(shopper[3].CartId);
        Assert.Equal(order.Id, shopper[5].OrderId);

        var counts = await new FunnelQueries(db).CountsAsync(from, DateTime.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Equal(2, counts.Sessions);
        Assert.Equal(2, counts.ProductViewed);
        Assert.Equal(1, counts.AddedToCart);
        Assert.Equal(1, counts.CheckoutStarted);
        Assert.Equal(1, counts.OrderPlaced);
        Assert.Equal(0.5m, counts.ConversionRate);
        Assert.Equal(0, (await new FunnelQueries(db).CountsAsync(from.AddDays(-2), from.AddDays(-1), CancellationToken.None)).Sessions);
    }
}

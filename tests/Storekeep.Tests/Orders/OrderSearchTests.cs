using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Admin.Orders;

namespace Storekeep.Tests.Orders;

public sealed class OrderSearchTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Each_tab_lists_exactly_the_orders_in_that_state_newest_first(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        var toShip = await store.PlaceOrderAsync(("MUG-1", 1));
        var unpaid = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        var partial = await store.PlaceOrderAsync(("MUG-1", 2));
        await store.ShipAsync(partial, null, ("MUG-1", 1));
        var shipped = await store.PlaceOrderAsync(("MUG-1", 1));
        await store.ShipAsync(shipped, null, ("MUG-1", 1));
        var delivered = await store.PlaceOrderAsync(("MUG-1", 1));
        var shipment = await store.ShipAsync(delivered, null, ("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{delivered["id"].Str()}/shipments/{shipment["id"].Str()}/deliver", new { })).Expect(HttpStatusCode.OK);
        var cancelled = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);
        var returning = await store.PlaceOrderAsync(("MUG-1", 1));
        await store.ShipAsync(returning, null, ("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{returning["id"].Str()}/returns", new { lines = new[] { new { sku = "MUG-1", quantity = 1 } }, reason = "Too small", restock = true })).Expect(HttpStatusCode.Created);

        Assert.Equal([N(returning), N(cancelled), N(delivered), N(shipped), N(partial), N(unpaid), N(toShip)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.All)));
        Assert.Equal([N(unpaid)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.Unpaid)));
        Assert.Equal([N(toShip)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.ToShip)));
        Assert.Equal([N(partial)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.PartiallyShipped)));
        Assert.Equal([N(returning), N(shipped)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.Shipped)));
        Assert.Equal([N(delivered)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.Delivered)));
        Assert.Equal([N(cancelled)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.Cancelled)));
        Assert.Equal([N(returning)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.ReturnsRequested)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Search_finds_an_order_by_number_or_by_customer_email_in_any_case_and_by_date(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        var ada = await store.PlaceOrderAsync(("MUG-1", 1));
        var grace1 = await PlaceForAsync(store, "grace@example.com");
        var grace2 = await PlaceForAsync(store, "grace@example.com");

        Assert.Equal([N(ada)], await NumbersAsync(store, new OrderSearchFilter(Search: $"#{N(ada)}")));
        Assert.Equal([N(grace1)], await NumbersAsync(store, new OrderSearchFilter(Search: $" {N(grace1)} ")));
        Assert.Equal([N(grace2), N(grace1)], await NumbersAsync(store, new OrderSearchFilter(Search: "Grace@Example.COM")));
        Assert.Equal([N(grace2)], await NumbersAsync(store, new OrderSearchFilter(OrderTab.ToShip, "grace@example.com", Limit: 1)));
        Assert.Empty(await NumbersAsync(store, new OrderSearchFilter(Search: "nobody@example.com")));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(3, (await NumbersAsync(store, new OrderSearchFilter(From: today.AddDays(-1), To: today.AddDays(1)))).Count);
        Assert.Empty(await NumbersAsync(store, new OrderSearchFilter(From: today.AddDays(2))));
        Assert.Empty(await NumbersAsync(store, new OrderSearchFilter(To: today.AddDays(-2))));
        var backwards = await Assert.ThrowsAsync<RequestValidationException>(() => NumbersAsync(store, new OrderSearchFilter(From: today, To: today.AddDays(-1))));
        Assert.Contains("to", backwards.Errors.Keys);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Pages_follow_the_cursor_without_gaps_or_repeats(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        var placed = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add(N(await store.PlaceOrderAsync(("MUG-1", 1))));
        }

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            await using var scope = store.Services.CreateAsyncScope();
            var page = await OrderAdmin.SearchAsync(scope.ServiceProvider, new OrderSearchFilter(OrderTab.ToShip, Limit: 2, Cursor: cursor));
            seen.AddRange(page.Items.Select(o => o.Number));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(placed.OrderDescending(), seen);
    }

    internal static long N(JsonNode order) => order["number"]!.GetValue<long>();

    internal static async Task<JsonNode> PlaceForAsync(TestStore store, string email)
    {
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        return await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email))).Expect(HttpStatusCode.Created);
    }

    private static async Task<List<long>> NumbersAsync(TestStore store, OrderSearchFilter filter)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var page = await OrderAdmin.SearchAsync(scope.ServiceProvider, filter);
        return page.Items.Select(o => o.Number).ToList();
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Checkout;

/// <summary>Issue 9, point 1: at most three open unpaid manual orders per client address or email.</summary>
public sealed class UnpaidOrderLimitTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Of_ten_concurrent_bank_transfer_checkouts_from_one_address_exactly_three_succeed(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("MUG-1", 10m, main: 100);
        await store.EnableManualPaymentMethodsAsync();
        using var client = store.ClientFrom("127.0.0.2");
        var carts = new string[10];
        for (var i = 0; i < carts.Length; i++)
        {
            carts[i] = await store.CartWithAsync(client, ("MUG-1", 1));
        }

        // A different email on each: the address alone must stop the fourth.
        var responses = await Task.WhenAll(carts.Select((cart, i) =>
            client.PostJson($"/api/v1/carts/{cart}/checkout", BankTransfer($"hoarder{i}@example.com"))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await refused.ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
        }

        await using var db = store.Db();
        Assert.Equal(3, await db.Orders.CountAsync(o => o.ClientAddress == "127.0.0.2"));
        Assert.Equal(3, await db.Orders.CountAsync());
        Assert.Equal((100L, 3L), await store.StockAsync("MUG-1", "MAIN"));
        Assert.Equal(7, await db.Carts.CountAsync(c => c.Status == CartStatus.Active));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_paid_or_cancelled_order_frees_a_slot_and_other_clients_are_unaffected(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("MUG-1", 10m, main: 100);
        await store.EnableManualPaymentMethodsAsync();
        using var ada = store.ClientFrom("127.0.0.2");
        using var grace = store.ClientFrom("127.0.0.3");
        var orders = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            orders.Add((await CheckoutAsync(store, ada, "ada@example.com").Expect(HttpStatusCode.Created))["id"].Str());
        }

        var fourthCart = await store.CartWithAsync(ada, ("MUG-1", 1));
        await ada.PostJson($"/api/v1/carts/{fourthCart}/checkout", BankTransfer("ada@example.com"))
            .ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
        await CheckoutAsync(store, ada, "ada.other@example.com").ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
        await CheckoutAsync(store, grace, "ada@example.com").ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
        await using (var db = store.Db())
        {
            Assert.Equal(3, await db.Orders.CountAsync());
            Assert.Equal(CartStatus.Active, (await db.Carts.SingleAsync(c => c.Id == Guid.Parse(fourthCart))).Status);
        }

        Assert.Equal((100L, 3L), await store.StockAsync("MUG-1", "MAIN"));

        // Another shopper, another address: unaffected. Paying by card is never limited.
        await CheckoutAsync(store, grace, "grace@example.com").Expect(HttpStatusCode.Created);
        var card = await store.CartWithAsync(ada, ("MUG-1", 1));
        await ada.PostJson($"/api/v1/carts/{card}/checkout", TestCatalog.CheckoutBody(email: "ada@example.com")).Expect(HttpStatusCode.Created);

        // Paying one frees a slot; so does cancelling one.
        var payments = await store.Client.GetAsync($"/api/v1/orders/{orders[0]}/payments").Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/orders/{orders[0]}/payments/{payments[0]!["id"].Str()}/capture", new { }).Expect(HttpStatusCode.OK);
        await ada.PostJson($"/api/v1/carts/{fourthCart}/checkout", BankTransfer("ada@example.com")).Expect(HttpStatusCode.Created);
        await CheckoutAsync(store, ada, "ada@example.com").ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
        await store.Client.PostJson($"/api/v1/orders/{orders[1]}/cancel", new { }).Expect(HttpStatusCode.OK);
        await CheckoutAsync(store, ada, "ada@example.com").Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Staff_with_an_api_key_are_not_held_to_the_per_client_limit()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 10m, main: 100);
        await store.EnableManualPaymentMethodsAsync();
        for (var i = 0; i < 5; i++)
        {
            await CheckoutAsync(store, store.Client, "phone-orders@example.com").Expect(HttpStatusCode.Created);
        }

        // Anonymous callers without an address are one "unknown" client, and that email is full.
        await CheckoutAsync(store, store.Anonymous, "phone-orders@example.com").ExpectProblem(HttpStatusCode.TooManyRequests, "too_many_unpaid_orders");
    }

    private static object BankTransfer(string email) => new
    {
        email,
        shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" },
        payment = new { method = "bank_transfer" },
    };

    private static async Task<HttpResponseMessage> CheckoutAsync(TestStore store, HttpClient client, string email)
    {
        var cart = await store.CartWithAsync(client, ("MUG-1", 1));
        return await client.PostJson($"/api/v1/carts/{cart}/checkout", BankTransfer(email));
    }
}

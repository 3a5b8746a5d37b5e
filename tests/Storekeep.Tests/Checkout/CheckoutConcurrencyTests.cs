using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Checkout;

public sealed class CheckoutConcurrencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_hundred_concurrent_checkouts_for_fifty_units_sell_exactly_fifty(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("HOT-1", 25m, main: 30, west: 20);
        using var client = store.CreateClient();

        // Every buyer fills a cart while stock is still there; then they all pay at once.
        var carts = new string[200];
        await Parallel.ForAsync(0, carts.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            carts[i] = await store.CartWithAsync(client, ("HOT-1", 1)));
        var responses = await Task.WhenAll(carts.Select((cart, i) =>
            client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"buyer{i}@example.com"))));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Equal(50, statuses.Count(s => s == 201));
        Assert.Equal(150, statuses.Count(s => s == 409));
        Assert.DoesNotContain(statuses, s => s >= 500);
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await conflict.ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");
        }

        await using var db = store.Db();
        Assert.Equal(50, await db.Orders.CountAsync());
        Assert.Equal(50, await db.StockLevels.Where(s => s.Sku == "HOT-1").SumAsync(s => s.Reserved));
        Assert.Equal(0, await db.StockLevels.Where(s => s.Sku == "HOT-1").SumAsync(s => s.OnHand - s.Reserved));
        Assert.Equal(50, await db.Payments.CountAsync(p => p.CapturedAmount == 25m));
        Assert.Equal(50, store.Gateway.Journal.Count(op => op.Kind == "capture"));
        Assert.Equal(150, store.Gateway.Journal.Count(op => op.Kind == "void"));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Replays_of_one_idempotency_key_make_one_order_and_one_charge(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("MUG-1", 10m, main: 100);
        using var client = store.CreateClient();
        var cart = await store.CartWithAsync(client, ("MUG-1", 2));
        var body = TestCatalog.CheckoutBody();
        const string key = "checkout-7f3a";

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.PostJson($"/api/v1/carts/{cart}/checkout", body, key)));
        var sequential = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            sequential.Add(await client.PostJson($"/api/v1/carts/{cart}/checkout", body, key));
        }

        // Concurrent replays either wait their turn (409 in progress) or get the first answer.
        var orderIds = new HashSet<string>();
        foreach (var response in concurrent)
        {
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                await response.ExpectProblem(HttpStatusCode.Conflict, "idempotency_request_in_progress");
            }
            else
            {
                orderIds.Add((await response.Expect(HttpStatusCode.Created))["id"].Str());
            }
        }

        foreach (var response in sequential)
        {
            orderIds.Add((await response.Expect(HttpStatusCode.Created))["id"].Str());
            Assert.Equal("true", response.Headers.GetValues("Idempotent-Replayed").Single());
        }

        Assert.Single(orderIds);
        await using var db = store.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Single(store.Gateway.Journal, op => op.Kind == "authorize");
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture");

        var reused = await client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "someone-else@example.com"), key);
        await reused.ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(1, await db.Orders.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_replayed_decline_answers_402_again_without_a_second_authorization(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));

        var first = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody("tok_chargeDeclined"), "decline-1");
        var replay = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody("tok_chargeDeclined"), "decline-1");

        await first.ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
        await replay.ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(store.Gateway.Journal, op => op.Kind == "decline");
    }
}

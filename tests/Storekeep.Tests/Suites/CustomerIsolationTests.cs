using System.Net;
using System.Numerics;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// A shopper holds nothing but the id of their own cart: no public endpoint reads or changes
/// another shopper's cart or order, and a cart id says nothing about its neighbours.
/// </summary>
public sealed class CustomerIsolationTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cart_ids_made_in_the_same_instant_are_not_neighbours(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        // Many shoppers open carts at once: ids made in the same millisecond must still be far apart.
        var ids = new Guid[200];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            ids[i] = Guid.Parse((await store.Anonymous.PostJson("/api/v1/carts", new { }).Expect(HttpStatusCode.Created))["id"].Str()));

        var sorted = ids.Select(AsNumber).Order().ToList();
        var closest = sorted.Zip(sorted.Skip(1), (a, b) => b - a).Min();
        Assert.True(closest > BigInteger.One << 64, $"Two cart ids are only {closest} apart: one shopper could guess the other's cart.");

        // What a curious shopper would try: the ids right next to their own.
        foreach (var id in ids.Take(20))
        {
            foreach (var step in new[] { -2, -1, 1, 2 })
            {
                await store.Anonymous.GetAsync($"/api/v1/carts/{FromNumber(AsNumber(id) + step)}").ExpectProblem(HttpStatusCode.NotFound);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_shopper_cannot_read_or_change_another_shoppers_cart_or_order_through_any_public_endpoint(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        using var alice = store.CreateClient();
        using var bob = store.CreateClient();

        var bobsCart = await store.CartWithAsync(bob, ("MUG-1", 2));
        var alicesCart = await store.CartWithAsync(alice, ("MUG-1", 1));
        var bobsOrder = await bob.PostJson($"/api/v1/carts/{bobsCart}/checkout", TestCatalog.CheckoutBody(email: "bob@example.com")).Expect(HttpStatusCode.Created);
        var bobsOrderId = bobsOrder["id"].Str();
        var bobsOpenCart = await store.CartWithAsync(bob, ("MUG-1", 3));

        // Orders are staff data: no public way in, by id, by listing or by email.
        foreach (var url in new[]
        {
            $"/api/v1/orders/{bobsOrderId}", $"/api/v1/orders/{bobsOrderId}/payments", $"/api/v1/orders/{bobsOrderId}/shipments",
            $"/api/v1/orders/{bobsOrderId}/refunds", $"/api/v1/orders/{bobsOrderId}/returns", "/api/v1/orders",
            "/api/v1/orders?email=bob%40example.com", "/api/v1/events",
        })
        {
            await alice.GetAsync(url).ExpectProblem(HttpStatusCode.Unauthorized);
        }

        foreach (var url in new[] { $"/api/v1/orders/{bobsOrderId}/cancel", $"/api/v1/orders/{bobsOrderId}/refunds", $"/api/v1/orders/{bobsOrderId}/returns" })
        {
            await alice.PostJson(url, new { amount = 1m, reason = "mine now", lines = new[] { new { sku = "MUG-1", quantity = 1 } }, restock = true })
                .ExpectProblem(HttpStatusCode.Unauthorized);
        }

        // Alice's own cart never leads to Bob's: its checkout answers with her order only.
        var alicesOrder = await alice.PostJson($"/api/v1/carts/{alicesCart}/checkout", TestCatalog.CheckoutBody(email: "alice@example.com")).Expect(HttpStatusCode.Created);
        Assert.NotEqual(bobsOrderId, alicesOrder["id"].Str());
        Assert.DoesNotContain("bob@example.com", alicesOrder.ToJsonString(), StringComparison.Ordinal);

        // Idempotency-Key replays are scoped to the path, which holds the cart id: Alice replaying
        // Bob's key on her own cart gets her own answer, never Bob's order.
        var bobsKey = Guid.NewGuid().ToString();
        await bob.PostJson($"/api/v1/carts/{bobsOpenCart}/quote", new { shippingAddress = new { name = "Bob", line1 = "1 Main St", city = "NYC", postalCode = "10001", country = "US" } }, bobsKey)
            .Expect(HttpStatusCode.OK);
        var replayOnHers = await alice.PostJson($"/api/v1/carts/{alicesCart}/quote", new { shippingAddress = new { name = "Bob", line1 = "1 Main St", city = "NYC", postalCode = "10001", country = "US" } }, bobsKey);
        Assert.False(replayOnHers.Headers.Contains("Idempotent-Replayed"));

        // Without Bob's cart id every cart endpoint is a 404, whatever id Alice makes up.
        foreach (var guess in new[] { Guid.Empty, Guid.NewGuid(), Guid.CreateVersion7(), Guid.Parse(bobsOrderId) })
        {
            await alice.GetAsync($"/api/v1/carts/{guess}").ExpectProblem(HttpStatusCode.NotFound);
            await alice.PostJson($"/api/v1/carts/{guess}/items", new { sku = "MUG-1", quantity = 1 }).ExpectProblem(HttpStatusCode.NotFound);
            await alice.PatchJson($"/api/v1/carts/{guess}/items/MUG-1", new { quantity = 5 }).ExpectProblem(HttpStatusCode.NotFound);
            await alice.DeleteAsync($"/api/v1/carts/{guess}/items/MUG-1").ExpectProblem(HttpStatusCode.NotFound);
            await alice.PostJson($"/api/v1/carts/{guess}/checkout", TestCatalog.CheckoutBody(email: "alice@example.com")).ExpectProblem(HttpStatusCode.NotFound);
        }

        // Bob's open cart is exactly as he left it, and his order is untouched.
        var cart = await bob.GetAsync($"/api/v1/carts/{bobsOpenCart}").Expect(HttpStatusCode.OK);
        Assert.Equal(3, cart["items"]![0]!["quantity"].Int());
        var order = await store.Client.GetAsync($"/api/v1/orders/{bobsOrderId}").Expect(HttpStatusCode.OK);
        Assert.Equal("open", order["status"].Str());
        Assert.Equal("bob@example.com", order["email"].Str());
    }

    private static BigInteger AsNumber(Guid id) => new(id.ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true);

    private static Guid FromNumber(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[16];
        bytes.CopyTo(padded, 16 - bytes.Length);
        return new Guid(padded, bigEndian: true);
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// A thousand buyers pay at the same instant for a hundred units, over real HTTP, several rounds
/// in a row: exactly a hundred orders each round, every other buyer a clean 409, no charge
/// without an order and no order without its stock.
/// </summary>
[Collection(HeavySuites.Name)]
public sealed class OversellAtScaleTests
{
    private const int Buyers = 1000;
    private const int Units = 100;
    private const int Rounds = 3;
    private const decimal Price = 12.50m;

    [Theory]
    [MemberData(nameof(HeavySuites.EveryDatabaseAndCapture), MemberType = typeof(HeavySuites))]
    public async Task A_thousand_concurrent_buyers_for_a_hundred_units_make_exactly_a_hundred_orders_every_round(string database, string capture)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true, settings: new Dictionary<string, string?> { ["Payments:CheckoutCapture"] = capture });
        using var http = LoadClient(store);

        for (var round = 1; round <= Rounds; round++)
        {
            var sku = $"HOT-{round}";
            await store.AddProductAsync(sku, Price, main: 60, west: 40);

            // Every buyer fills a cart while stock is still there; then they all pay at once.
            var carts = new string[Buyers];
            await Parallel.ForAsync(0, Buyers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
                carts[i] = await store.CartWithAsync(http, (sku, 1)));
            using var start = new SemaphoreSlim(0);
            var checkouts = carts.Select(async (cart, i) =>
            {
                await start.WaitAsync();
                var response = await http.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"r{round}-buyer{i}@example.com"));
                return (Cart: cart, Buyer: i, Status: (int)response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            start.Release(Buyers);
            var results = await Task.WhenAll(checkouts);

            var unexpected = results.Where(r => r.Status is not (201 or 409)).Take(5).Select(r => $"{r.Status}: {r.Body}").ToList();
            Assert.True(unexpected.Count == 0, $"Round {round}: unexpected answers: {string.Join(" | ", unexpected)}");
            Assert.Equal(Units, results.Count(r => r.Status == 201));
            Assert.All(results.Where(r => r.Status == 409), r => Assert.Contains("\"code\":\"insufficient_stock\"", r.Body, StringComparison.Ordinal));

            await using var db = store.Db();
            var winners = results.Where(r => r.Status == 201)
                .Select(r => (r.Cart, r.Buyer, OrderId: Guid.Parse(System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["id"].Str()))).ToList();
            var orderIds = winners.Select(w => w.OrderId).ToList();
            var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => orderIds.Contains(o.Id)).ToListAsync();
            Assert.Equal(Units, orders.Count);
            foreach (var (cart, buyer, orderId) in winners)
            {
                var order = orders.Single(o => o.Id == orderId);
                Assert.Equal($"r{round}-buyer{buyer}@example.com", order.Email);
                Assert.Equal(sku, Assert.Single(order.Lines).Sku);
                Assert.Equal((Guid?)Guid.Parse(cart), order.CartId);
            }

            // Nothing sold twice, nothing held for a loser, the loser's cart intact.
            Assert.Equal(Units, await db.OrderLines.Where(l => l.Sku == sku).SumAsync(l => l.Quantity));
            Assert.Equal(Units, await db.OrderAllocations.Where(a => a.Sku == sku).SumAsync(a => a.Quantity));
            Assert.Equal(Units, await db.StockLevels.Where(s => s.Sku == sku).SumAsync(s => s.Reserved));
            Assert.Equal(0, await db.StockLevels.Where(s => s.Sku == sku).SumAsync(s => s.OnHand - s.Reserved));
            var loserCarts = results.Where(r => r.Status == 409).Select(r => Guid.Parse(r.Cart)).ToList();
            Assert.Equal(Buyers - Units, await db.Carts.CountAsync(c => loserCarts.Contains(c.Id) && c.Status == CartStatus.Active && c.OrderId == null));

            // One captured payment per order (batched captures follow the answers); every other authorization voided.
            await Eventually.HoldsAsync(async () => await db.Payments.CountAsync(p => orderIds.Contains(p.OrderId) && p.Status == PaymentRecordStatus.Captured) == Units,
                $"round {round}: every order's payment captured");
            var payments = await db.Payments.AsNoTracking().Where(p => orderIds.Contains(p.OrderId)).ToListAsync();
            Assert.Equal(Units, payments.Count);
            Assert.All(payments, p => Assert.Equal((PaymentRecordStatus.Captured, Price), (p.Status, p.CapturedAmount)));
            Assert.Equal(Units * round, await db.Payments.CountAsync());
            var journal = store.Gateway.Journal.ToList();
            Assert.Equal(Buyers * round, journal.Count(op => op.Kind == "authorize"));
            Assert.Equal(Units * round, journal.Count(op => op.Kind == "capture"));
            Assert.Equal((Buyers - Units) * round, journal.Count(op => op.Kind == "void"));
            Assert.Subset(journal.Where(op => op.Kind == "capture").Select(op => op.Reference).ToHashSet(), payments.Select(p => p.GatewayReference).ToHashSet());
            await store.AssertLedgerMatchesBalancesAsync();
        }
    }

    /// <summary>
    /// One connection per buyer, as a thousand browsers would open: the default pool already allows
    /// that; saying it keeps a future default from quietly queueing the buyers client-side.
    /// </summary>
    internal static HttpClient LoadClient(TestStore store)
    {
        using var probe = store.CreateClient();
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Buyers + 16, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(handler) { BaseAddress = probe.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
    }
}

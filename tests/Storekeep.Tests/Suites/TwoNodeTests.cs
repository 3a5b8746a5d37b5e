using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// Two app nodes on one PostgreSQL, as behind a load balancer: each buyer builds the cart on one
/// node and pays on the other. Stock is shared truth, and both nodes' dispatchers deliver the
/// events they find without losing or repeating one.
/// </summary>
[Collection(HeavySuites.Name)]
public sealed class TwoNodeTests
{
    private const int Buyers = 400;
    private const int Units = 100;
    private const int Rounds = 2;
    private const decimal Price = 9.90m;

    [Theory]
    [MemberData(nameof(HeavySuites.PostgresEveryCapture), MemberType = typeof(HeavySuites))]
    public async Task Buyers_split_across_two_nodes_never_oversell_and_every_event_reaches_the_receiver_once(string database, string capture)
    {
        var settings = new Dictionary<string, string?> { ["Payments:CheckoutCapture"] = capture };
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await TestStore.StartAsync(database, settings: settings);
        await using var second = await first.StartAnotherNodeAsync(settings);
        await first.Client.PostJson("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "*" } }).Expect(HttpStatusCode.Created);
        TestStore[] nodes = [first, second];
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        HttpClient[] clients = [firstClient, secondClient];

        for (var round = 1; round <= Rounds; round++)
        {
            var sku = $"TWIN-{round}";
            await first.AddProductAsync(sku, Price, main: 70, west: 30);

            // Buyer i builds the cart on node i % 2, then pays on the other one.
            var carts = new string[Buyers];
            await Parallel.ForAsync(0, Buyers, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
                carts[i] = await nodes[i % 2].CartWithAsync(clients[i % 2], (sku, 1)));
            var results = await Task.WhenAll(carts.Select(async (cart, i) =>
            {
                var response = await clients[(i + 1) % 2].PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"r{round}-b{i}@example.com"));
                return (Status: (int)response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }));

            var unexpected = results.Where(r => r.Status is not (201 or 409)).Take(5).Select(r => $"{r.Status}: {r.Body}").ToList();
            Assert.True(unexpected.Count == 0, $"Round {round}: unexpected answers: {string.Join(" | ", unexpected)}");
            Assert.Equal(Units, results.Count(r => r.Status == 201));
            Assert.All(results.Where(r => r.Status == 409), r => Assert.Contains("\"code\":\"insufficient_stock\"", r.Body, StringComparison.Ordinal));

            await using var db = first.Db();
            var orderIds = results.Where(r => r.Status == 201).Select(r => Guid.Parse(JsonNode.Parse(r.Body)!["id"].Str())).ToList();
            Assert.Equal(Units, await db.Orders.CountAsync(o => orderIds.Contains(o.Id)));
            Assert.Equal(Units, await db.OrderLines.Where(l => l.Sku == sku).SumAsync(l => l.Quantity));
            Assert.Equal(Units, await db.StockLevels.Where(s => s.Sku == sku).SumAsync(s => s.Reserved));
            await Eventually.HoldsAsync(async () => await db.Payments.CountAsync(p => orderIds.Contains(p.OrderId) && p.Status == PaymentRecordStatus.Captured) == Units,
                $"round {round}: every order's payment captured");

            // Each node's gateway charged exactly what its checkouts sold, and voided the rest.
            var journals = nodes.SelectMany(n => n.Gateway.Journal).ToList();
            Assert.Equal(Units * round, journals.Count(op => op.Kind == "capture"));
            Assert.Equal((Buyers - Units) * round, journals.Count(op => op.Kind == "void"));
            await first.AssertLedgerMatchesBalancesAsync();
        }

        // Every committed event, from either node, reaches the receiver exactly once.
        List<Guid> eventIds = [];
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = first.Db();
            eventIds = await db.OutboxEvents.Select(e => e.Id).ToListAsync();
            return await db.WebhookDeliveries.CountAsync(d => d.Status == DeliveryStatus.Succeeded) == eventIds.Count;
        }, "every event delivered", seconds: 60);
        await Task.Delay(1000); // A duplicate from the other dispatcher would arrive about now.

        var received = receiver.Received;
        Assert.Equal(eventIds.Select(id => id.ToString()).Order(), received.Select(r => r.EventId!).Order());
        await using var check = first.Db();
        Assert.Equal(Units * Rounds, await check.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPlaced));
        Assert.Equal(Units * Rounds, received.Count(r => r.EventType == EventTypes.OrderPlaced));
        Assert.Equal(Units * Rounds, received.Count(r => r.EventType == EventTypes.OrderPaid));
        Assert.Equal(eventIds.Count, await check.WebhookDeliveries.CountAsync(d => d.Attempts == 1));
        var positions = await check.OutboxEvents.OrderBy(e => e.Position).Select(e => e.Position).ToListAsync();
        Assert.Equal(Enumerable.Range(1, eventIds.Count).Select(p => (long?)p), positions);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Customers;

/// <summary>
/// The per-email order figures table (customer_order_stats): kept by its event subscriber, rebuilt
/// after writes that raise no event, and unchanged by a replayed event; every row checked against
/// an aggregate over orders and refunds written independently in SQL.
/// </summary>
public sealed class CustomerOrderStatsTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_table_equals_a_raw_aggregate_after_events_a_rebuild_and_a_replay_and_segments_count_from_it(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25.35m, main: 50);
        var first = await PlaceAsync(store, "ada@example.com", ("MUG-1", 2));
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        var cancelled = await PlaceAsync(store, "grace@example.com", ("MUG-1", 3));
        await PlaceAsync(store, "grace@example.com", ("MUG-1", 1));
        await PlaceAsync(store, "bob@example.com", ("MUG-1", 2));
        await (await store.Client.PostJson($"/api/v1/orders/{first["id"].Str()}/refunds", new { amount = 10.07m })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);

        await store.SubscribersCaughtUpAsync();
        var raw = await RawAsync(store);
        Assert.Equal(["ada@example.com", "bob@example.com", "grace@example.com"], raw.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("2|2|6598", string.Join('|', raw["ada@example.com"].Split('|').Take(3))); // 3 × 25.35 − 10.07
        Assert.Equal("2|1|2535", string.Join('|', raw["grace@example.com"].Split('|').Take(3))); // the cancelled order counts, spends nothing
        Assert.Equal(raw, await TableAsync(store));
        Assert.All(raw.Values, row => Assert.NotEqual("", row.Split('|')[5])); // checkout made a customer for every email

        var ada = await store.Client.GetAsync("/api/v1/customers/ada@example.com").Expect(HttpStatusCode.OK);
        Assert.Equal((2, 65.98m, 32.99m), (ada["stats"]!["ordersCount"].Int(), ada["stats"]!["totalSpent"]!.GetValue<decimal>(), ada["stats"]!["averageOrderValue"]!.GetValue<decimal>()));

        // totalSpent ≥ 30 and ≥ 2 orders: ada (65.98, 2) only; grace has 2 orders but 25.35, bob 50.70 in 1.
        var segment = await store.Client.PostJson("/api/v1/segments", new
        {
            name = "Repeat spenders", match = "all",
            rules = new object[] { new { field = "totalSpent", op = "gte", value = 30 }, new { field = "ordersCount", op = "gte", value = 2 } },
        }).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await RawSegmentCountAsync(store, 3000, 2));
        Assert.Equal(1, segment["count"].Int());

        // Orders written without events (as a bulk load or a direct insert does) leave the table behind until a rebuild.
        await using (var db = store.Db())
        {
            var at = DateTime.UtcNow.AddDays(-40);
            foreach (var email in new[] { "grace@example.com", "zoe@example.com" })
            {
                db.Orders.Add(Order.Imported(await db.NextOrderNumberAsync(CancellationToken.None), $"EXT-{email}", email, null, "USD",
                    new Address { Name = "Imported", Line1 = "1 Main St", City = "Springfield", PostalCode = "12345", Country = "US" }, null,
                    [new OrderLine { Sku = "MUG-1", Title = "Mug", Quantity = 4, UnitPrice = 12.5m, LineTotal = 50m }],
                    0m, 0m, at, at, null, Actor.System, at));
                await db.SaveChangesAsync(); // SQLite's next number reads the saved orders
            }
        }

        raw = await RawAsync(store);
        Assert.Equal("3|2|7535", string.Join('|', raw["grace@example.com"].Split('|').Take(3)));
        Assert.NotEqual(raw, await TableAsync(store));
        var stale = await store.Client.GetAsync($"/api/v1/segments/{segment["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(1, stale["count"].Int());
        Assert.Equal(2, await RawSegmentCountAsync(store, 3000, 2)); // grace now: 75.35 in 3 orders

        await using (var scope = store.Services.CreateAsyncScope())
        {
            Assert.Equal(4, await scope.ServiceProvider.GetRequiredService<CustomerOrderStats>().RebuildAsync(CancellationToken.None));
        }

        Assert.Equal(raw, await TableAsync(store));
        var recount = await store.Client.GetAsync($"/api/v1/segments/{segment["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(2, recount["count"].Int());

        // zoe ordered without a customer record (the import above wrote none): her row has no customer
        // until staff create one, and then her figures show at once, not after her next order.
        Assert.Equal("", raw["zoe@example.com"].Split('|')[5]);
        await (await store.Client.PostJson("/api/v1/customers", new { email = "zoe@example.com" })).Expect(HttpStatusCode.Created);
        raw = await RawAsync(store);
        Assert.NotEqual("", raw["zoe@example.com"].Split('|')[5]);
        Assert.Equal(raw, await TableAsync(store));
        var zoe = await store.Client.GetAsync("/api/v1/customers/zoe@example.com").Expect(HttpStatusCode.OK);
        Assert.Equal((1, 50m), (zoe["stats"]!["ordersCount"].Int(), zoe["stats"]!["totalSpent"]!.GetValue<decimal>()));

        // Every order event handled again, twice over: recomputed from the orders, the rows stay as they are.
        for (var replay = 0; replay < 2; replay++)
        {
            await using var scope = store.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var subscriber = scope.ServiceProvider.GetRequiredService<CustomerOrderStatsSubscriber>();
            var events = await db.OutboxEvents.AsNoTracking().Where(e => e.Type == EventTypes.OrderPlaced || e.Type == EventTypes.OrderCancelled || e.Type == EventTypes.RefundCreated)
                .OrderBy(e => e.Position).ToListAsync();
            Assert.Equal((5, 1), (events.Count(e => e.Type == EventTypes.OrderPlaced), events.Count(e => e.Type == EventTypes.OrderCancelled)));
            Assert.Contains(events, e => e.Type == EventTypes.RefundCreated);
            await db.InTransactionAsync(async ct =>
            {
                foreach (var e in events)
                {
                    var context = new EventContext(e.Id, e.Type, e.Position ?? 0, e.OccurredAt, CustomerOrderStatsSubscriber.SubscriberName);
                    switch (e.Type)
                    {
                        case EventTypes.OrderPlaced:
                            await subscriber.HandleAsync(JsonSerializer.Deserialize<OrderPlaced>(e.Payload, StorekeepJson.Options)!, context, ct);
                            break;
                        case EventTypes.OrderCancelled:
                            await subscriber.HandleAsync(JsonSerializer.Deserialize<OrderCancelled>(e.Payload, StorekeepJson.Options)!, context, ct);
                            break;
                        default:
                            await subscriber.HandleAsync(JsonSerializer.Deserialize<RefundCreated>(e.Payload, StorekeepJson.Options)!, context, ct);
                            break;
                    }
                }

                await subscriber.CompleteBatchAsync(ct);
            });
            Assert.Equal(raw, await TableAsync(store));
        }
    }

    private static async Task<JsonNode> PlaceAsync(TestStore store, string email, params (string Sku, int Quantity)[] lines)
    {
        var cart = await store.CartWithAsync(store.Anonymous, lines);
        return await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email))).Expect(HttpStatusCode.Created);
    }

    /// <summary>
    /// Per email with orders, straight from orders and refunds, one subquery per figure: orders, live
    /// orders, live totals minus their succeeded refunds (minor units), first and last order time, and
    /// the id of the customer with that email.
    /// </summary>
    private static Task<Dictionary<string, string>> RawAsync(TestStore store) => RowsAsync(store, """
        SELECT e.email,
          (SELECT COUNT(*) FROM orders o WHERE o.email = e.email),
          (SELECT COUNT(*) FROM orders o WHERE o.email = e.email AND o.status <> 'cancelled'),
          (SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.email = e.email AND o.status <> 'cancelled')
            - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
               WHERE o.email = e.email AND o.status <> 'cancelled' AND r.status = 'succeeded'),
          (SELECT MIN(o.created_at) FROM orders o WHERE o.email = e.email),
          (SELECT MAX(o.created_at) FROM orders o WHERE o.email = e.email),
          (SELECT c.id FROM customers c WHERE c.email = e.email)
        FROM (SELECT DISTINCT email FROM orders) e
        """);

    private static Task<Dictionary<string, string>> TableAsync(TestStore store) => RowsAsync(store,
        "SELECT email, orders_count, live_orders, spent, first_order_at, last_order_at, customer_id FROM customer_order_stats");

    private static async Task<Dictionary<string, string>> RowsAsync(TestStore store, string sql)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var numbers = Enumerable.Range(1, 3).Select(i => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
            // PostgreSQL answers times, SQLite the stored text: either way to the last digit.
            var times = Enumerable.Range(4, 2).Select(i => reader.GetValue(i) is DateTime t ? t.ToString("O", CultureInfo.InvariantCulture) : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
            var customer = Convert.ToString(reader.GetValue(6), CultureInfo.InvariantCulture);
            rows[reader.GetString(0)] = string.Join('|', numbers.Concat(times).Append(customer));
        }

        return rows;
    }

    /// <summary>Customers with at least <paramref name="orders"/> orders and a net spend of at least <paramref name="spentMinor"/>, counted over orders and refunds.</summary>
    private static async Task<long> RawSegmentCountAsync(TestStore store, long spentMinor, int orders)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = FormattableString.Invariant($"""
            SELECT COUNT(*) FROM customers c
            WHERE (SELECT COUNT(*) FROM orders o WHERE o.email = c.email) >= {orders}
              AND (SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.email = c.email AND o.status <> 'cancelled')
                - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                   WHERE o.email = c.email AND o.status <> 'cancelled' AND r.status = 'succeeded') >= {spentMinor}
            """);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

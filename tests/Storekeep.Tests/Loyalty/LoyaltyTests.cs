using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Loyalty;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Loyalty;

/// <summary>
/// Loyalty points end to end over HTTP on both databases: earned when an order is paid (with the
/// tier's multiplier), reversed on refunds and cancellation, expired oldest first, adjusted by hand,
/// and redeemed at checkout by a guarded update; the balance is always the sum of the ledger.
/// </summary>
public sealed class LoyaltyTests
{
    private static Task<JsonNode> EnableAsync(TestStore store, int? expiryDays = null, object[]? tiers = null, decimal pointValue = 0.01m, int minimumRedeemPoints = 0) =>
        store.Client.PutJson("/api/v1/loyalty/program", new
        {
            enabled = true,
            pointsPerUnit = 1,
            pointValue,
            minimumRedeemPoints,
            expiryDays,
            tiers = tiers ?? [],
        }).Expect(HttpStatusCode.OK);

    private static async Task<JsonNode> OrderAsync(TestStore store, HttpClient client, string sku, int quantity, string email)
    {
        var cart = await store.CartWithAsync(client, (sku, quantity));
        return await client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email)).Expect(HttpStatusCode.Created);
    }

    private static async Task<Guid> CustomerAsync(TestStore store, string email)
    {
        await using var db = store.Db();
        if (await db.Set<Customer>().Where(c => c.Email == email).Select(c => (Guid?)c.Id).FirstOrDefaultAsync() is { } id)
        {
            return id;
        }

        var customer = new Customer { Email = email, CreatedAt = DateTime.UtcNow };
        db.Add(customer);
        await db.SaveChangesAsync();
        return customer.Id;
    }

    private static Task<JsonNode> LoyaltyOfAsync(TestStore store, Guid customer) =>
        store.Client.GetAsync($"/api/v1/customers/{customer}/loyalty").Expect(HttpStatusCode.OK);

    private static async Task<long> BalanceAsync(TestStore store, Guid customer) =>
        (await LoyaltyOfAsync(store, customer))["balance"]!.GetValue<long>();

    private static async Task BalanceBecomesAsync(TestStore store, Guid customer, long expected, string what) =>
        await Eventually.HoldsAsync(async () => await BalanceAsync(store, customer) == expected, what, seconds: 60);

    private static Task<JsonNode> AdjustAsync(TestStore store, Guid customer, int points, string reason = "Goodwill") =>
        store.Client.PostJson($"/api/v1/customers/{customer}/loyalty/adjustments", new { points, reason }).Expect(HttpStatusCode.Created);

    /// <summary>
    /// The invariant: each account's balance is the sum of its entries, read with raw SQL. Each check is
    /// one statement (one snapshot): the order subscriber may earn points for a paid order at any moment,
    /// and an entry read before its commit with the balance read after would differ by the earned points.
    /// </summary>
    private static async Task AssertBalancesAreTheSumOfTheLedgerAsync(TestStore store)
    {
        await using var db = store.Db();
        var totals = await db.Database.SqlQueryRaw<string>(
            "SELECT CAST((SELECT COALESCE(SUM(points), 0) FROM loyalty_entries) AS TEXT) || ' ' || CAST((SELECT COALESCE(SUM(balance), 0) FROM loyalty_accounts) AS TEXT) AS \"Value\"").SingleAsync();
        var parts = totals.Split(' ');
        Assert.Equal(parts[0], parts[1]);
        var mismatched = await db.Database.SqlQueryRaw<string>("""
            SELECT CAST(a.customer_id AS TEXT) || ': balance ' || CAST(a.balance AS TEXT) || ', entries ' || CAST(COALESCE(e.points, 0) AS TEXT) AS "Value"
            FROM loyalty_accounts a
            LEFT JOIN (SELECT customer_id, SUM(points) AS points FROM loyalty_entries GROUP BY customer_id) e ON e.customer_id = a.customer_id
            WHERE a.balance <> COALESCE(e.points, 0)
            UNION ALL
            SELECT CAST(e.customer_id AS TEXT) || ': no account, entries ' || CAST(SUM(e.points) AS TEXT)
            FROM loyalty_entries e WHERE NOT EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.customer_id = e.customer_id)
            GROUP BY e.customer_id
            """).ToListAsync();
        Assert.Empty(mismatched);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Paying_earns_points_with_the_tier_multiplier_and_a_replayed_event_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEA-1", 50m, main: 20);
        await EnableAsync(store, tiers: [new { name = "Bronze", minimumSpend12Months = 0m, multiplier = 1m }, new { name = "Gold", minimumSpend12Months = 100m, multiplier = 2m }]);

        // First order: 150.00 spent before it is nothing, so Bronze (× 1): 150 points.
        await OrderAsync(store, store.Anonymous, "TEA-1", 3, "lin@example.com");
        var customer = await CustomerAsync(store, "lin@example.com");
        await BalanceBecomesAsync(store, customer, 150, "150 points for the first order");

        // Second order: 150.00 spent in the last 12 months reaches Gold (× 2): 50.00 earns 100.
        var second = await OrderAsync(store, store.Anonymous, "TEA-1", 1, "lin@example.com");
        await BalanceBecomesAsync(store, customer, 250, "100 points for the second order");
        var loyalty = await LoyaltyOfAsync(store, customer);
        Assert.Equal("Gold", loyalty["tier"].Str());
        var earned = loyalty["entries"]!.AsArray().Where(e => e!["type"].Str() == "earn").ToList();
        Assert.Equal(2, earned.Count);
        Assert.Equal(second["id"].Str(), earned[0]!["orderId"].Str());
        Assert.Equal(100, earned[0]!["points"].Int());

        // The same order.paid delivered again (a new outbox row with the same payload) earns nothing.
        long replayed;
        await using (var db = store.Db())
        {
            var orderId = second["id"].Str();
            var paid = (await db.OutboxEvents.Where(e => e.Type == EventTypes.OrderPaid).ToListAsync()).Single(e => e.Payload.Contains(orderId, StringComparison.Ordinal));
            var copy = new OutboxEvent { Type = paid.Type, Payload = paid.Payload, OccurredAt = DateTime.UtcNow };
            db.OutboxEvents.Add(copy);
            await db.SaveChangesAsync();
            replayed = 0;
            await Eventually.HoldsAsync(async () =>
            {
                await using var check = store.Db();
                var position = await check.OutboxEvents.Where(e => e.Id == copy.Id).Select(e => e.Position).SingleAsync();
                replayed = position ?? 0;
                return position is { } p && await check.Set<EventSubscription>().AnyAsync(s => s.Name == LoyaltyOrderEvents.SubscriberName && s.Position >= p);
            }, "the loyalty subscriber handled the replayed event");
        }

        Assert.True(replayed > 0);
        Assert.Equal(250, await BalanceAsync(store, customer));
        await using (var db = store.Db())
        {
            Assert.Equal(2, await db.Set<LoyaltyEntry>().CountAsync(e => e.Type == LoyaltyEntryType.Earn));
            Assert.Equal(2, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.LoyaltyPointsChanged));

            // Each change names the balance it left (the first one also opened the account).
            var changes = await db.OutboxEvents.Where(e => e.Type == EventTypes.LoyaltyPointsChanged).Select(e => e.Payload).ToListAsync();
            Assert.Equal([(150L, 150L), (100L, 250L)], changes.Select(c => System.Text.Json.Nodes.JsonNode.Parse(c)!)
                .Select(c => ((long)c["points"]!, (long)c["balance"]!)).OrderBy(c => c.Item2).ToArray());
        }

        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    /// <summary>
    /// A batch of order.paid events earns together: the orders are read once and the 12-month spend
    /// once, whatever the batch's size, and each order earns what it would alone (its tier from the
    /// customer's other paid orders). The batch handed over again earns nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_batch_of_paid_orders_earns_each_its_own_points_from_one_read_of_the_orders(string database)
    {
        var log = new StatementLog();
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false" }, services: log.AddTo);
        await store.AddProductAsync("TEA-1", 50m, main: 20);
        await EnableAsync(store, tiers: [new { name = "Bronze", minimumSpend12Months = 0m, multiplier = 1m }, new { name = "Gold", minimumSpend12Months = 100m, multiplier = 2m }]);
        var orders = new[]
        {
            await OrderAsync(store, store.Anonymous, "TEA-1", 3, "lin@example.com"),
            await OrderAsync(store, store.Anonymous, "TEA-1", 1, "lin@example.com"),
            await OrderAsync(store, store.Anonymous, "TEA-1", 1, "max@example.com"),
        };
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPaid) == orders.Length;
        }, "the three orders were captured");
        await store.PublishOutboxAsync();
        log.Clear();
        await store.RunSubscriberAsync(LoyaltyOrderEvents.SubscriberName);

        // One read of the batch's orders, one of the customers' counting orders, one of their refunds.
        int ReadsFrom(string table) => log.ReadsOf(table).Count(s => s.Replace("\"", "", StringComparison.Ordinal).Contains($"FROM {table} ", StringComparison.Ordinal));
        Assert.Equal(2, ReadsFrom("orders"));
        Assert.Equal(1, ReadsFrom("payments"));

        // Lin: 150.00 with 50.00 of other spend (Bronze, × 1) earns 150; 50.00 with 150.00 of other
        // spend (Gold, × 2) earns 100. Max: 50.00 with nothing else (Bronze) earns 50.
        var expected = new long[] { 150, 100, 50 };
        await using (var db = store.Db())
        {
            var earned = await db.Set<LoyaltyEntry>().AsNoTracking().Where(e => e.Type == LoyaltyEntryType.Earn).ToDictionaryAsync(e => e.OrderId!.Value, e => e.Points);
            Assert.Equal(expected, orders.Select(o => earned.GetValueOrDefault(Guid.Parse(o["id"].Str()))).ToArray());
            await db.EventSubscriptions.Where(s => s.Name == LoyaltyOrderEvents.SubscriberName).ExecuteUpdateAsync(u => u.SetProperty(s => s.Position, 0L));
        }

        await store.RunSubscriberAsync(LoyaltyOrderEvents.SubscriberName);
        Assert.Equal(250, await BalanceAsync(store, await CustomerAsync(store, "lin@example.com")));
        Assert.Equal(50, await BalanceAsync(store, await CustomerAsync(store, "max@example.com")));
        await using (var db = store.Db())
        {
            Assert.Equal(3, await db.Set<LoyaltyEntry>().CountAsync());
            Assert.Equal(3, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.LoyaltyPointsChanged));
        }

        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    /// <summary>
    /// An entry's key is checked in the statement that moves the balance: a credit or a debit posted
    /// again with its key changes nothing, and a debit the balance cannot cover is refused as before.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_entry_posted_again_with_its_key_moves_nothing_and_an_uncovered_debit_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var customer = await CustomerAsync(store, "kim@example.com");
        async Task<bool> PostAsync(long points, string key)
        {
            await using var scope = store.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var ledger = scope.ServiceProvider.GetRequiredService<LoyaltyLedger>();
            return await db.InTransactionAsync(async ct =>
                await ledger.PostAsync(customer, LoyaltyEntryType.Adjust, points, null, key, "test", null, DateTime.UtcNow, ct) is not null);
        }

        Assert.True(await PostAsync(50, "test:credit"));
        Assert.False(await PostAsync(50, "test:credit"));
        Assert.True(await PostAsync(-20, "test:debit"));
        Assert.False(await PostAsync(-20, "test:debit"));
        Assert.Equal(30, await BalanceAsync(store, customer));
        var refused = await Assert.ThrowsAsync<Storekeep.Shared.StorekeepException>(() => PostAsync(-31, "test:too-much"));
        Assert.Equal("insufficient_points", refused.Code);
        Assert.Equal(30, await BalanceAsync(store, customer));
        await using (var db = store.Db())
        {
            Assert.Equal(2, await db.Set<LoyaltyEntry>().CountAsync(e => e.CustomerId == customer));
        }

        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_partial_refunds_reverse_in_proportion_and_add_up_to_the_full_reversal(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("JAR-1", 33.33m, main: 20);
        await EnableAsync(store);
        await AdjustAsync(store, await CustomerAsync(store, "mo@example.com"), 5);

        // 3 × 33.33 = 99.99 earns 99 points (rounded down).
        var order = await OrderAsync(store, store.Anonymous, "JAR-1", 3, "mo@example.com");
        var customer = await CustomerAsync(store, "mo@example.com");
        await BalanceBecomesAsync(store, customer, 104, "99 points earned");

        // 33.33 of 99.99 refunded: floor(99 × 1/3) = 33 reversed; then the rest: 99 in all, no drift.
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 33.33m, reason = "broken jar" }).Expect(HttpStatusCode.Created);
        await BalanceBecomesAsync(store, customer, 71, "33 points reversed");
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 66.66m, reason = "the rest" }).Expect(HttpStatusCode.Created);
        await BalanceBecomesAsync(store, customer, 5, "all 99 points reversed");

        var reversals = (await LoyaltyOfAsync(store, customer))["entries"]!.AsArray().Where(e => e!["type"].Str() == "reverse").Select(e => e!["points"].Int()).ToList();
        Assert.Equal([-66, -33], reversals);
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Redeeming_lowers_the_total_by_points_times_value_and_cancelling_gives_every_point_back(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("BAG-1", 50m, main: 20);
        await EnableAsync(store, pointValue: 0.01m, minimumRedeemPoints: 100);
        var customer = await CustomerAsync(store, "ada@example.com");
        await AdjustAsync(store, customer, 500, "Welcome gift");

        var cart = (await store.Client.PostJson("/api/v1/carts", new { email = "ada@example.com" }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/carts/{cart}/items", new { sku = "BAG-1", quantity = 1 }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 50 }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "loyalty_minimum_not_met");
        await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 600 }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "insufficient_points");
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 300 }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "loyalty_customer_unknown");
        var withPoints = await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 300 }).Expect(HttpStatusCode.OK);
        Assert.Equal(3.00m, withPoints["discountTotal"].Dec());
        Assert.Equal(300, withPoints["loyaltyRedemption"]!["points"].Int());
        Assert.Equal(47.00m, withPoints["items"]![0]!["lineTotal"].Dec());

        var order = await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(47.00m, order["total"].Dec());
        Assert.Equal(3.00m, order["discountTotal"].Dec());

        // The points left with the order (in its transaction); paying it then earned 47.
        await using (var db = store.Db())
        {
            var orderId = Guid.Parse(order["id"].Str());
            Assert.Equal(-300, (await db.Set<LoyaltyEntry>().SingleAsync(e => e.Type == LoyaltyEntryType.Redeem && e.OrderId == orderId)).Points);
        }

        await BalanceBecomesAsync(store, customer, 500 - 300 + 47, "47 points earned on 47.00");

        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "changed mind" }).Expect(HttpStatusCode.OK);
        await BalanceBecomesAsync(store, customer, 500, "the earned points reversed and the redeemed ones returned");
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Points_spent_before_checkout_refuse_it_with_422_and_nothing_changes(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CUP-1", 20m, main: 20);
        await EnableAsync(store);
        var customer = await CustomerAsync(store, "ada@example.com");
        await AdjustAsync(store, customer, 500);
        var cart = (await store.Client.PostJson("/api/v1/carts", new { email = "ada@example.com" }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/carts/{cart}/items", new { sku = "CUP-1", quantity = 1 }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 400 }).Expect(HttpStatusCode.OK);

        // The balance drops below the redemption meanwhile; the checkout's guarded update refuses.
        await AdjustAsync(store, customer, -200, "Correction");
        await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).ExpectProblem(HttpStatusCode.UnprocessableEntity, "insufficient_points");

        await using var db = store.Db();
        Assert.Equal(0, await db.Orders.CountAsync());
        Assert.Equal(300, (await db.Set<LoyaltyAccount>().SingleAsync()).Balance);
        Assert.Equal(0, await db.Set<LoyaltyEntry>().CountAsync(e => e.Type == LoyaltyEntryType.Redeem));
        Assert.Equal(Storekeep.Checkout.CartStatus.Active, (await db.Carts.SingleAsync()).Status);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "capture");
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Points_worth_more_than_a_cart_that_shrank_refuse_the_checkout_and_keep_every_point(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CUP-1", 20m, main: 20);
        await store.AddProductAsync("BAG-1", 50m, main: 20);
        await EnableAsync(store);
        var customer = await CustomerAsync(store, "ada@example.com");
        await AdjustAsync(store, customer, 5000);
        var cart = (await store.Client.PostJson("/api/v1/carts", new { email = "ada@example.com" }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/carts/{cart}/items", new { sku = "CUP-1", quantity = 1 }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{cart}/items", new { sku = "BAG-1", quantity = 1 }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 3000 }).Expect(HttpStatusCode.OK);

        // The bag leaves the cart: 30.00 of points against a 20.00 cart would spend 3000 points for 20.00 off.
        await store.Client.DeleteAsync($"/api/v1/carts/{cart}/items/BAG-1").Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).ExpectProblem(HttpStatusCode.UnprocessableEntity, "loyalty_redemption_too_large");
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Orders.CountAsync());
            Assert.Equal(5000, (await db.Set<LoyaltyAccount>().SingleAsync()).Balance);
            Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "authorize");
        }

        // Redeeming what the cart can take lets it through, for exactly those points.
        await store.Client.PostJson($"/api/v1/carts/{cart}/loyalty-redemption", new { points = 2000 }).Expect(HttpStatusCode.OK);
        var order = await store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(0m, order["subtotal"].Dec() - order["discountTotal"].Dec());
        await using (var db = store.Db())
        {
            Assert.Equal(-2000, (await db.Set<LoyaltyEntry>().SingleAsync(e => e.Type == LoyaltyEntryType.Redeem)).Points);
        }

        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_adjustment_below_zero_is_refused_with_422_and_nothing_changes(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var customer = await CustomerAsync(store, "kim@example.com");
        await AdjustAsync(store, customer, 40);
        await store.Client.PostJson($"/api/v1/customers/{customer}/loyalty/adjustments", new { points = -41, reason = "Too much" })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "insufficient_points");
        var bad = await store.Client.PostJson($"/api/v1/customers/{customer}/loyalty/adjustments", new { points = 0 }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Superset(new HashSet<string> { "points", "reason" }, bad["errors"]!.AsObject().Select(e => e.Key).ToHashSet());
        await store.Client.PostJson($"/api/v1/customers/{Guid.NewGuid()}/loyalty/adjustments", new { points = 5, reason = "x" }).ExpectProblem(HttpStatusCode.NotFound);

        var loyalty = await LoyaltyOfAsync(store, customer);
        Assert.Equal(40, loyalty["balance"]!.GetValue<long>());
        Assert.Single(loyalty["entries"]!.AsArray());
        Assert.Contains("Goodwill", loyalty["entries"]![0]!["reason"].Str(), StringComparison.Ordinal);
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Points_expire_oldest_first(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var customer = await CustomerAsync(store, "eve@example.com");
        await EnableAsync(store, expiryDays: 30);
        await AdjustAsync(store, customer, 100, "Older");
        await EnableAsync(store, expiryDays: 60);
        await AdjustAsync(store, customer, 50, "Newer");
        await AdjustAsync(store, customer, -30, "Spent");
        var now = DateTime.UtcNow;

        async Task<long> ExpireAsync(DateTime at)
        {
            await using var scope = store.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<LoyaltyLedger>().ExpireAsync(at, CancellationToken.None);
        }

        Assert.Equal(0, await ExpireAsync(now.AddDays(29)));

        // The 30 spent came out of the older 100: 70 of it expires, the newer 50 stays.
        Assert.Equal(70, await ExpireAsync(now.AddDays(31)));
        Assert.Equal(50, await BalanceAsync(store, customer));
        Assert.Equal(0, await ExpireAsync(now.AddDays(31)));
        Assert.Equal(50, await ExpireAsync(now.AddDays(61)));
        Assert.Equal(0, await BalanceAsync(store, customer));
        var expired = (await LoyaltyOfAsync(store, customer))["entries"]!.AsArray().Where(e => e!["type"].Str() == "expire").Select(e => e!["points"].Int()).ToList();
        Assert.Equal([-50, -70], expired);
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Two_concurrent_checkouts_redeeming_the_same_points_make_one_order(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("LAMP-1", 40m, main: 100);
        await EnableAsync(store);
        var customer = await CustomerAsync(store, "ada@example.com");
        await AdjustAsync(store, customer, 1000);
        var carts = new string[2];
        for (var i = 0; i < carts.Length; i++)
        {
            carts[i] = (await store.Client.PostJson("/api/v1/carts", new { email = "ada@example.com" }).Expect(HttpStatusCode.Created))["id"].Str();
            await store.Client.PostJson($"/api/v1/carts/{carts[i]}/items", new { sku = "LAMP-1", quantity = 1 }).Expect(HttpStatusCode.OK);
            await store.Client.PostJson($"/api/v1/carts/{carts[i]}/loyalty-redemption", new { points = 1000 }).Expect(HttpStatusCode.OK);
        }

        var responses = await Task.WhenAll(carts.Select(cart => store.Client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())));
        var statuses = responses.Select(r => (int)r.StatusCode).Order().ToList();
        Assert.Equal([201, 422], statuses);
        await responses.Single(r => (int)r.StatusCode == 422).ExpectProblem(HttpStatusCode.UnprocessableEntity, "insufficient_points");

        await using var db = store.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(30m, (await db.Orders.SingleAsync()).Total);
        Assert.Equal(1, await db.Set<LoyaltyEntry>().CountAsync(e => e.Type == LoyaltyEntryType.Redeem));
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture");
        await AssertBalancesAreTheSumOfTheLedgerAsync(store);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_bad_program_is_refused_with_every_reason(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var bad = await store.Client.PutJson("/api/v1/loyalty/program", new
        {
            pointsPerUnit = -1,
            pointValue = 0m,
            minimumRedeemPoints = 0,
            expiryDays = 0,
            tiers = new object[] { new { name = "", minimumSpend12Months = 0m, multiplier = 0.5m } },
        }).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = bad["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "enabled", "pointsPerUnit", "pointValue", "expiryDays", "tiers[0].name", "tiers[0].multiplier" }, errors);
        var program = await store.Client.GetAsync("/api/v1/loyalty/program").Expect(HttpStatusCode.OK);
        Assert.False(program["enabled"]!.GetValue<bool>());
    }
}

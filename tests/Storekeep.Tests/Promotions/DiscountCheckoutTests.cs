using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Events;
using Storekeep.Promotions;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Promotions;

/// <summary>
/// Discounts end to end over HTTP: defined through the API, entered on carts, charged at checkout,
/// stored with the order, limited under concurrency and given back on cancellation, on both databases.
/// </summary>
public sealed class DiscountCheckoutTests
{
    private static object Percentage(string title, string? code, decimal value, object? appliesTo = null, int? usageLimit = null) =>
        new { title, code, type = "percentage", value, appliesTo = appliesTo ?? new { all = true }, usageLimit, status = "active" };

    private static async Task<JsonNode> CreateDiscountAsync(TestStore store, object body) =>
        await store.Client.PostJson("/api/v1/discounts", body).Expect(HttpStatusCode.Created);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_quarter_off_19_99_charges_14_99_and_the_order_keeps_the_allocation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEE-1", 19.99m, main: 10);
        var discount = await CreateDiscountAsync(store, Percentage("Quarter off tees", "TEE25", 25m, new { skus = new[] { "TEE-1" } }));
        var cart = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));

        var withCode = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "tee25" }).Expect(HttpStatusCode.OK);
        Assert.Equal(5.00m, withCode["discountTotal"].Dec());
        var line = withCode["items"]![0]!;
        Assert.Equal(14.99m, line["lineTotal"].Dec());
        Assert.Equal(5.00m, line["discountAllocations"]![0]!["amount"].Dec());
        Assert.Equal(discount["id"].Str(), line["discountAllocations"]![0]!["discountId"].Str());

        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(14.99m, order["total"].Dec());
        Assert.Equal(19.99m, order["subtotal"].Dec());
        Assert.Equal(5.00m, order["discountTotal"].Dec());
        Assert.Equal(14.99m, order["lines"]![0]!["lineTotal"].Dec());

        await using var db = store.Db();
        var orderId = Guid.Parse(order["id"].Str());
        Assert.Equal(14.99m, (await db.Payments.SingleAsync(p => p.OrderId == orderId)).CapturedAmount);
        var allocation = await db.Set<OrderDiscountAllocation>().SingleAsync(a => a.OrderId == orderId);
        Assert.Equal(5.00m, allocation.Amount);
        Assert.NotNull(allocation.OrderLineId);
        // Unlimited: the use is its row, and the discount's own row is not counted (nor locked).
        Assert.Equal(1, await db.Set<DiscountUse>().CountAsync(u => u.OrderId == orderId && u.ReleasedAt == null));
        Assert.Equal(0, (await db.Set<DiscountDefinition>().SingleAsync()).UsedCount);
        var used = await db.OutboxEvents.SingleAsync(e => e.Type == EventTypes.DiscountUsed);
        Assert.Contains("TEE25", used.Payload, StringComparison.Ordinal);

        var view = await store.Client.GetAsync($"/api/v1/discounts/{discount["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(1, view["usageCount"].Int());
        Assert.Equal(1, view["ordersCount"].Int());
        Assert.Equal(14.99m, view["revenue"].Dec());

        // A limit set afterwards starts from the uses held: one of one is used up.
        await store.Client.PatchJson($"/api/v1/discounts/{discount["id"].Str()}", new { usageLimit = 1 }).Expect(HttpStatusCode.OK);
        var next = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{next}/discount-codes", new { code = "TEE25" })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_usage_limit_reached");
    }

    [Fact]
    public async Task A_cart_never_given_a_code_or_points_is_priced_without_reading_them_and_one_given_a_code_reads_and_charges_it()
    {
        var log = new StatementLog();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, services: log.AddTo);
        await store.AddProductAsync("TEE-1", 19.99m, main: 10);
        await CreateDiscountAsync(store, Percentage("Quarter off tees", "TEE25", 25m));
        var plain = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        var coded = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{coded}/discount-codes", new { code = "TEE25" }).Expect(HttpStatusCode.OK);

        log.Clear();
        Assert.Equal(19.99m, (await store.Anonymous.GetAsync($"/api/v1/carts/{plain}").Expect(HttpStatusCode.OK))["subtotal"].Dec());
        var plainOrder = await store.Anonymous.PostJson($"/api/v1/carts/{plain}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(19.99m, plainOrder["total"].Dec());
        Assert.Empty(log.ReadsOf("cart_discount_codes"));
        Assert.Empty(log.ReadsOf("cart_loyalty_redemptions"));

        // Entering the code marked the cart: its view and its checkout read the code and charge it.
        log.Clear();
        var view = await store.Anonymous.GetAsync($"/api/v1/carts/{coded}").Expect(HttpStatusCode.OK);
        Assert.Equal(5.00m, view["discountTotal"].Dec());
        var codedOrder = await store.Anonymous.PostJson($"/api/v1/carts/{coded}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal((14.99m, 5.00m), (codedOrder["total"].Dec(), codedOrder["discountTotal"].Dec()));
        Assert.Equal(2, log.ReadsOf("cart_discount_codes").Count);
        Assert.Equal(2, log.ReadsOf("cart_loyalty_redemptions").Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Automatic_discounts_are_read_once_while_unchanged_and_each_change_on_the_node_reaches_its_next_pricing(string database)
    {
        var log = new StatementLog();
        await using var store = await TestStore.StartAsync(database, services: log.AddTo);
        await store.AddProductAsync("TEE-1", 20.00m, main: 10);
        var discount = await CreateDiscountAsync(store, Percentage("Spring sale", null, 10m));
        int AutomaticReads() => log.ReadsOf("discounts").Count(s => s.Replace("\"", "", StringComparison.Ordinal).Contains("code_key IS NULL", StringComparison.Ordinal));

        // Creating the cart prices it (the one read); its views after are priced from the node's copy.
        log.Clear();
        var cart = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        async Task<decimal> DiscountOfCartAsync() => (await store.Anonymous.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK))["discountTotal"].Dec();
        Assert.Equal(2.00m, await DiscountOfCartAsync());
        Assert.Equal(2.00m, await DiscountOfCartAsync());
        Assert.Equal(1, AutomaticReads());

        await store.Client.PatchJson($"/api/v1/discounts/{discount["id"].Str()}", new { value = 25m }).Expect(HttpStatusCode.OK);
        Assert.Equal(5.00m, await DiscountOfCartAsync());
        await store.Client.PostJson($"/api/v1/discounts/{discount["id"].Str()}/deactivate", new { }).Expect(HttpStatusCode.OK);
        Assert.Equal(0m, await DiscountOfCartAsync());
        Assert.Equal(3, AutomaticReads());

        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal((20.00m, 0m), (order["total"].Dec(), order["discountTotal"].Dec()));
        Assert.Equal(3, AutomaticReads());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_limited_automatic_discount_used_up_stops_applying_at_the_next_pricing_and_the_next_order_is_placed_without_it(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEE-1", 20.00m, main: 10);
        await CreateDiscountAsync(store, Percentage("First order only", null, 10m, usageLimit: 1));
        var first = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        var second = await store.CartWithAsync(store.Anonymous, ("TEE-1", 1));
        Assert.Equal(2.00m, (await store.Anonymous.GetAsync($"/api/v1/carts/{second}").Expect(HttpStatusCode.OK))["discountTotal"].Dec());

        var discounted = await store.Anonymous.PostJson($"/api/v1/carts/{first}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal((18.00m, 2.00m), (discounted["total"].Dec(), discounted["discountTotal"].Dec()));

        // The node priced the second cart with the discount a moment ago; its one use is gone now.
        Assert.Equal(0m, (await store.Anonymous.GetAsync($"/api/v1/carts/{second}").Expect(HttpStatusCode.OK))["discountTotal"].Dec());
        var full = await store.Anonymous.PostJson($"/api/v1/carts/{second}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal((20.00m, 0m), (full["total"].Dec(), full["discountTotal"].Dec()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Twenty_percent_off_an_order_of_150_and_60_is_allocated_30_and_12_and_tax_is_on_the_discounted_lines(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("COAT-1", 150m, main: 5);
        await store.AddProductAsync("HAT-1", 60m, main: 5);
        await CreateDiscountAsync(store, Percentage("Spring sale", null, 20m));
        var cart = await store.CartWithAsync(store.Anonymous, ("COAT-1", 1), ("HAT-1", 1));

        // Automatic: no code entered. Subtotal 210, 20 % = 42 → 168 ≥ 100, so standard shipping is free.
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        var lines = order["lines"]!.AsArray().ToDictionary(l => l!["sku"].Str(), l => l!);
        Assert.Equal(120.00m, lines["COAT-1"]["lineTotal"].Dec());
        Assert.Equal(48.00m, lines["HAT-1"]["lineTotal"].Dec());

        // New York 8.875 %: 120 × 0.08875 = 10.65, 48 × 0.08875 = 4.26.
        Assert.Equal(10.65m, lines["COAT-1"]["taxAmount"].Dec());
        Assert.Equal(4.26m, lines["HAT-1"]["taxAmount"].Dec());
        Assert.Equal(42.00m, order["discountTotal"].Dec());
        Assert.Equal(0m, order["shippingTotal"].Dec());
        Assert.Equal(210m - 42m + 0m + 14.91m, order["total"].Dec());

        await using var db = store.Db();
        var orderId = Guid.Parse(order["id"].Str());
        var stored = await db.OrderLines.Where(l => l.OrderId == orderId).ToDictionaryAsync(l => l.Sku, l => l.DiscountAmount);
        Assert.Equal(30.00m, stored["COAT-1"]);
        Assert.Equal(12.00m, stored["HAT-1"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_code_limited_to_a_segment_works_for_its_members_only_and_an_unknown_segment_is_422(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        await store.Client.PostJson("/api/v1/customers", new { email = "vip@example.com", tags = new[] { "vip" } }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/customers", new { email = "regular@example.com" }).Expect(HttpStatusCode.Created);
        var segment = await store.Client.PostJson("/api/v1/segments", new { name = "VIPs", match = "all", rules = new[] { new { field = "tag", op = "eq", value = "vip" } } })
            .Expect(HttpStatusCode.Created);

        await store.Client.PostJson("/api/v1/discounts", new { title = "Nobody's", code = "GHOST", type = "percentage", value = 20m, appliesTo = new { all = true }, segmentId = Guid.NewGuid() })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_segment");
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Set<DiscountDefinition>().CountAsync());
        }

        var discount = await CreateDiscountAsync(store, new { title = "VIP 20 %", code = "VIP20", type = "percentage", value = 20m, appliesTo = new { all = true }, segmentId = segment["id"].Str() });
        Assert.Equal(segment["id"].Str(), discount["segmentId"].Str());

        // Not a member (a customer outside the segment, or a shopper with no email yet): the code reads as unknown.
        foreach (var email in new[] { "regular@example.com", null })
        {
            var other = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));
            if (email is not null)
            {
                await store.Anonymous.PatchJson($"/api/v1/carts/{other}", new { email }).Expect(HttpStatusCode.OK);
            }

            await store.Anonymous.PostJson($"/api/v1/carts/{other}/discount-codes", new { code = "VIP20" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_code_unknown");
        }

        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));
        await store.Anonymous.PatchJson($"/api/v1/carts/{cart}", new { email = "VIP@example.com" }).Expect(HttpStatusCode.OK);
        var priced = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "VIP20" }).Expect(HttpStatusCode.OK);
        Assert.Equal(4.00m, priced["discountTotal"].Dec());
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "vip@example.com")).Expect(HttpStatusCode.Created);
        Assert.Equal(4.00m, order["discountTotal"].Dec());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_refused_code_says_why_and_leaves_the_cart_as_it_was(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        await CreateDiscountAsync(store, new { title = "Old", code = "OLD", type = "fixed_amount", value = 2m, startsAt = "2020-01-01T00:00:00Z", endsAt = "2021-01-01T00:00:00Z" });
        await CreateDiscountAsync(store, new { title = "Big baskets", code = "BIG", type = "fixed_amount", value = 5m, minimumSubtotal = 100m });
        await CreateDiscountAsync(store, new { title = "Once", code = "ONCE", type = "fixed_amount", value = 1m, usageLimit = 1 });
        await CreateDiscountAsync(store, Percentage("Everything 30 %", null, 30m));
        await CreateDiscountAsync(store, Percentage("Ten", "TEN", 10m));
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));

        async Task Refused(string code, string reason) =>
            await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code }).ExpectProblem(HttpStatusCode.UnprocessableEntity, reason);

        await Refused("NOPE", "discount_code_unknown");
        await Refused("OLD", "discount_not_active");
        await Refused("BIG", "discount_minimum_not_met");
        await Refused("TEN", "discount_not_combinable");

        // ONCE is worth less than the automatic 30 % too; used up is checked before that.
        await using (var db = store.Db())
        {
            await db.Set<DiscountDefinition>().Where(d => d.CodeKey == "ONCE").ExecuteUpdateAsync(u => u.SetProperty(d => d.UsedCount, 1));
        }

        await Refused("ONCE", "discount_usage_limit_reached");
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "" }).ExpectProblem(HttpStatusCode.BadRequest);

        var after = await store.Anonymous.GetAsync($"/api/v1/carts/{cart}").Expect(HttpStatusCode.OK);
        Assert.Empty(after["discountCodes"]!.AsArray());
        Assert.Equal(6.00m, after["discountTotal"].Dec()); // The automatic 30 % of 20.00.
        await using var check = store.Db();
        Assert.Equal(0, await check.Set<CartDiscountCode>().CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_limit_set_while_checkouts_use_an_unlimited_code_starts_from_every_use_they_hold(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("LAMP-1", 40m, main: 100);
        var discount = await CreateDiscountAsync(store, new { title = "Open", code = "OPEN5", type = "fixed_amount", value = 5m });
        using var client = store.CreateClient();
        var carts = new string[16];
        await Parallel.ForAsync(0, carts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            carts[i] = await store.CartWithAsync(client, ("LAMP-1", 1));
            await client.PostJson($"/api/v1/carts/{carts[i]}/discount-codes", new { code = "OPEN5" }).Expect(HttpStatusCode.OK);
        });

        // The limit lands in the middle of the checkouts: those before it are uses held, those after count against it.
        var checkouts = carts.Select((cart, i) => client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"open{i}@example.com"))).ToList();
        await Task.Delay(Random.Shared.Next(20, 120));
        await store.Client.PatchJson($"/api/v1/discounts/{discount["id"].Str()}", new { usageLimit = 5 }).Expect(HttpStatusCode.OK);
        var responses = await Task.WhenAll(checkouts);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{(int)r.StatusCode}"));

        await using var db = store.Db();
        var held = await db.Set<DiscountUse>().CountAsync(u => u.ReleasedAt == null);
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.Created), held);
        Assert.Equal(held, await db.Orders.CountAsync(o => o.DiscountTotal > 0));
        Assert.Equal(held, (await db.Set<DiscountDefinition>().SingleAsync()).UsedCount); // no use committed beside the count
        Assert.True(held >= 5, $"{held} uses");

        var next = await store.CartWithAsync(client, ("LAMP-1", 1));
        await client.PostJson($"/api/v1/carts/{next}/discount-codes", new { code = "OPEN5" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_usage_limit_reached");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Twenty_concurrent_checkouts_of_a_single_use_code_make_exactly_one_order(string database)
    {
        await using var store = await TestStore.StartAsync(database, kestrel: true);
        await store.AddProductAsync("LAMP-1", 40m, main: 100);
        await CreateDiscountAsync(store, new { title = "Single use", code = "ONLY1", type = "fixed_amount", value = 15m, usageLimit = 1 });
        using var client = store.CreateClient();

        var carts = new string[20];
        await Parallel.ForAsync(0, carts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            carts[i] = await store.CartWithAsync(client, ("LAMP-1", 1));
            await client.PostJson($"/api/v1/carts/{carts[i]}/discount-codes", new { code = "ONLY1" }).Expect(HttpStatusCode.OK);
        });
        var responses = await Task.WhenAll(carts.Select((cart, i) =>
            client.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"racer{i}@example.com"))));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        var unexpected = string.Join(" | ", await Task.WhenAll(responses.Where(r => (int)r.StatusCode is not (201 or 409)).Take(3).Select(r => r.Content.ReadAsStringAsync())));
        Assert.True(unexpected.Length == 0, unexpected);
        var conflicts = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Take(2).Select(r => r.Content.ReadAsStringAsync()));
        Assert.True(statuses.Count(s => s == 201) == 1, $"{statuses.Count(s => s == 201)} orders; {string.Join(" | ", conflicts)}");
        Assert.Equal(19, statuses.Count(s => s == 409));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await conflict.ExpectProblem(HttpStatusCode.Conflict, "discount_usage_limit_reached");
        }

        await using var db = store.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(25m, (await db.Orders.SingleAsync()).Total);
        Assert.Equal(1, (await db.Set<DiscountDefinition>().SingleAsync()).UsedCount);
        Assert.Equal(1, await db.Set<DiscountUse>().CountAsync());
        // Those priced after the winner committed were refused before any authorization; those
        // that raced it were authorized and then voided: nothing but the one order is charged.
        Assert.Single(store.Gateway.Journal, op => op.Kind == "capture");
        Assert.Equal(store.Gateway.Journal.Count(op => op.Kind == "authorize") - 1, store.Gateway.Journal.Count(op => op.Kind == "void"));
        Assert.Equal(1, await db.StockLevels.Where(s => s.Sku == "LAMP-1").SumAsync(s => s.Reserved));

        // The losers' carts are intact: still active, still holding the item and the code.
        Assert.Equal(19, await db.Carts.CountAsync(c => c.Status == Storekeep.Checkout.CartStatus.Active));
        Assert.Equal(20, await db.Set<CartDiscountCode>().CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.PostgresOnly), MemberType = typeof(TestDatabases))]
    public async Task A_single_use_code_raced_across_two_nodes_makes_one_order(string database)
    {
        await using var first = await TestStore.StartAsync(database);
        await using var second = await first.StartAnotherNodeAsync();
        await first.AddProductAsync("LAMP-2", 40m, main: 100);
        await CreateDiscountAsync(first, new { title = "Single use", code = "TWIN1", type = "fixed_amount", value = 15m, usageLimit = 1 });
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        HttpClient[] clients = [firstClient, secondClient];

        var carts = new string[20];
        for (var i = 0; i < carts.Length; i++)
        {
            carts[i] = await first.CartWithAsync(clients[i % 2], ("LAMP-2", 1));
            await clients[i % 2].PostJson($"/api/v1/carts/{carts[i]}/discount-codes", new { code = "TWIN1" }).Expect(HttpStatusCode.OK);
        }

        var statuses = await Task.WhenAll(carts.Select(async (cart, i) =>
            (int)(await clients[(i + 1) % 2].PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"twin{i}@example.com"))).StatusCode));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(19, statuses.Count(s => s == 409));
        await using var db = first.Db();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(1, (await db.Set<DiscountDefinition>().SingleAsync()).UsedCount);
        Assert.Equal(1, first.Gateway.Journal.Concat(second.Gateway.Journal).Count(op => op.Kind == "capture"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_cancelled_order_gives_its_use_back_once_and_the_code_works_again(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("BAG-1", 30m, main: 10);
        var discount = await CreateDiscountAsync(store, new { title = "One each", code = "EACH", type = "fixed_amount", value = 5m, usageLimit = 1, usageLimitPerCustomer = 1 });
        var cart = await store.CartWithAsync(store.Anonymous, ("BAG-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "EACH" }).Expect(HttpStatusCode.OK);
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(25m, order["total"].Dec());

        var again = await store.CartWithAsync(store.Anonymous, ("BAG-1", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{again}/discount-codes", new { code = "EACH" })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_usage_limit_reached");

        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/cancel", new { reason = "changed mind" }).Expect(HttpStatusCode.OK);
        var id = Guid.Parse(discount["id"].Str());
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return (await db.Set<DiscountDefinition>().SingleAsync(d => d.Id == id)).UsedCount == 0;
        }, "the cancelled order's use given back");

        await using (var db = store.Db())
        {
            Assert.Equal(0, (await db.Set<DiscountCustomerUse>().SingleAsync()).Uses);
            Assert.NotNull((await db.Set<DiscountUse>().SingleAsync()).ReleasedAt);
        }

        await store.Anonymous.PostJson($"/api/v1/carts/{again}/discount-codes", new { code = "EACH" }).Expect(HttpStatusCode.OK);
        var second = await store.Anonymous.PostJson($"/api/v1/carts/{again}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(25m, second["total"].Dec());
        var view = await store.Client.GetAsync($"/api/v1/discounts/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(1, view["usageCount"].Int());
        Assert.Equal(1, view["ordersCount"].Int());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_kpi_report_counts_line_discounts_equal_to_raw_sql(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("PEN-1", 3.33m, main: 100);
        await store.AddProductAsync("INK-1", 7.77m, main: 100);
        await CreateDiscountAsync(store, Percentage("Pens", "PENS", 12.5m, new { skus = new[] { "PEN-1" } }));
        for (var i = 0; i < 3; i++)
        {
            var cart = await store.CartWithAsync(store.Anonymous, ("PEN-1", 3 + i), ("INK-1", 1));
            await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "PENS" }).Expect(HttpStatusCode.OK);
            await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"p{i}@example.com")).Expect(HttpStatusCode.Created);
        }

        await using var db = store.Db();
        var expected = await db.Database.SqlQueryRaw<long>("SELECT COALESCE(SUM(discount_total - shipping_discount), 0) AS \"Value\" FROM orders WHERE status <> 'cancelled'").SingleAsync();
        Assert.True(expected > 0);
        var today = DateTime.UtcNow.Date;
        var url = $"/api/v1/analytics/kpis?from={today:yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}&groupBy=day";
        await Eventually.HoldsAsync(async () =>
        {
            var report = await store.Client.GetAsync(url).Expect(HttpStatusCode.OK);
            return report["totals"]!["orders"].Int() == 3;
        }, "the KPI rollup has the three orders");
        var totals = (await store.Client.GetAsync(url).Expect(HttpStatusCode.OK))["totals"]!;
        Assert.Equal(expected / 100m, totals["discounts"].Dec());
        Assert.Equal(totals["grossSales"].Dec() - expected / 100m - totals["refunds"].Dec(), totals["netSales"].Dec());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Bad_discounts_are_refused_with_every_reason_and_nothing_is_written(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var bad = await store.Client.PostJson("/api/v1/discounts", new
        {
            title = "",
            type = "half_price",
            value = 150m,
            usageLimit = 0,
            startsAt = "2030-01-02T00:00:00Z",
            endsAt = "2030-01-01T00:00:00Z",
            appliesTo = new { all = true, skus = new[] { "A" } },
        }).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = bad["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "title", "type", "usageLimit", "endsAt", "appliesTo" }, errors);

        await store.Client.PostJson("/api/v1/discounts", new { title = "Pct", type = "percentage", value = 100.5m }).ExpectProblem(HttpStatusCode.BadRequest);
        await store.Client.PostJson("/api/v1/discounts", new { title = "BxGy", type = "buy_x_get_y" }).ExpectProblem(HttpStatusCode.BadRequest);
        await CreateDiscountAsync(store, new { title = "First", code = "SAME", type = "free_shipping" });
        await store.Client.PostJson("/api/v1/discounts", new { title = "Second", code = "same", type = "free_shipping" })
            .ExpectProblem(HttpStatusCode.Conflict, "discount_code_taken");

        await using var db = store.Db();
        Assert.Equal(1, await db.Set<DiscountDefinition>().CountAsync());
    }
}

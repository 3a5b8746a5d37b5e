using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Checkout;
using Storekeep.Events;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Checkout;

/// <summary>Issue 9, point 1: manual payment methods are opt-in, and unpaid manual orders cannot hold stock forever.</summary>
public sealed class UnpaidOrderTests
{
    private const string OverdueMinutes = "4321";

    [Fact]
    public async Task A_new_store_offers_card_only_until_an_owner_enables_manual_methods()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var initial = await store.Client.GetAsync("/api/v1/settings/payments").Expect(HttpStatusCode.OK);
        Assert.Empty(initial["manualMethods"]!.AsArray());

        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", ManualCheckout("bank_transfer"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment_method_not_enabled");
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Orders.CountAsync());
        }

        Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));

        var enabled = await store.Client.PatchJson("/api/v1/settings/payments", new { manualMethods = new[] { "bank_transfer" } }).Expect(HttpStatusCode.OK);
        Assert.Equal(["bank_transfer"], enabled["manualMethods"]!.AsArray().Select(m => m.Str()));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", ManualCheckout("cash_on_delivery"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "payment_method_not_enabled");
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", ManualCheckout("bank_transfer")).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", order["paymentStatus"].Str());
    }

    [Fact]
    public async Task Payment_settings_refuse_unknown_methods_and_roles_without_settings_manage()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        var invalid = await store.Client.PatchJson("/api/v1/settings/payments", new { manualMethods = new[] { "bank_transfer", "paypal" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(invalid["errors"]!["manualMethods"]);
        await store.Client.PatchJson("/api/v1/settings/payments", new { })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        using var sales = await store.ClientForAsync(Role.Sales);
        await sales.PatchJson("/api/v1/settings/payments", new { manualMethods = new[] { "bank_transfer" } })
            .ExpectProblem(HttpStatusCode.Forbidden);
        using var manager = await store.ClientForAsync(Role.Manager);
        await manager.PatchJson("/api/v1/settings/payments", new { manualMethods = new[] { "cash_on_delivery" } }).Expect(HttpStatusCode.OK);

        var now = await store.Client.GetAsync("/api/v1/settings/payments").Expect(HttpStatusCode.OK);
        Assert.Equal(["cash_on_delivery"], now["manualMethods"]!.AsArray().Select(m => m.Str()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_unpaid_bank_transfer_order_past_its_hold_is_cancelled_once_by_the_server_and_its_stock_released(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Checkout:UnpaidOrderSweepSeconds"] = "1" });
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var overdue = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 2));
        var recent = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        Assert.Equal((5L, 3L), await store.StockAsync("MUG-1", "MAIN"));
        await BackdateAsync(store, overdue, OverdueMinutes);

        // The node's own background sweep finds it.
        await Eventually.HoldsAsync(async () => (await store.GetOrderAsync(overdue))["status"].Str() == "cancelled", "the overdue order cancelled");
        Assert.Equal(0, await SweepAsync(store));

        var cancelled = await store.GetOrderAsync(overdue);
        Assert.Equal("pending", cancelled["paymentStatus"].Str());
        var entry = cancelled["timeline"]!.AsArray().Single(t => t!["kind"].Str() == "cancelled")!;
        Assert.Contains("payment_timeout", entry["message"].Str(), StringComparison.Ordinal);
        Assert.Equal("system", entry["actor"].Str());
        Assert.Equal("open", (await store.GetOrderAsync(recent))["status"].Str());
        Assert.Equal((5L, 1L), await store.StockAsync("MUG-1", "MAIN"));
        await store.AssertLedgerMatchesBalancesAsync();

        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return await db.OutboxEvents.AnyAsync(e => e.Type == EventTypes.OrderCancelled && e.Position != null);
        }, "order.cancelled published");
        var feed = await store.Client.GetAsync($"/api/v1/events?type={EventTypes.OrderCancelled}").Expect(HttpStatusCode.OK);
        var only = Assert.Single(feed["items"]!.AsArray());
        Assert.Equal(overdue["id"].Str(), only!["data"]!["orderId"].Str());

        // A person cannot cancel it a second time either.
        await store.Client.PostJson($"/api/v1/orders/{overdue["id"].Str()}/cancel", new { })
            .ExpectProblem(HttpStatusCode.Conflict, "order_already_cancelled");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_paid_bank_transfer_order_is_not_cancelled_when_its_hold_runs_out(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 2));
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{await store.PaymentIdAsync(order)}/capture", new { reference = "BT-1" })
            .Expect(HttpStatusCode.OK);
        await BackdateAsync(store, order, OverdueMinutes);

        Assert.Equal(0, await SweepAsync(store));

        var after = await store.GetOrderAsync(order);
        Assert.Equal(("open", "paid"), (after["status"].Str(), after["paymentStatus"].Str()));
        Assert.Equal((5L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        await using var db = store.Db();
        Assert.Equal(0, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderCancelled));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_payment_recorded_while_the_sweep_runs_either_keeps_the_order_or_is_refused_never_both(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 5);
        var order = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 2));
        var paymentId = await store.PaymentIdAsync(order);
        await BackdateAsync(store, order, OverdueMinutes);

        var capture = store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/payments/{paymentId}/capture", new { reference = "BT-2" });
        var sweep = SweepAsync(store);
        var (captured, swept) = (await capture, await sweep);

        var after = await store.GetOrderAsync(order);
        if (swept == 1)
        {
            await captured.ExpectProblem(HttpStatusCode.Conflict, "order_cancelled");
            Assert.Equal(("cancelled", "pending"), (after["status"].Str(), after["paymentStatus"].Str()));
            Assert.Equal((5L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        }
        else
        {
            await captured.Expect(HttpStatusCode.OK);
            Assert.Equal(("open", "paid"), (after["status"].Str(), after["paymentStatus"].Str()));
            Assert.Equal((5L, 2L), await store.StockAsync("MUG-1", "MAIN"));
        }

        await using var db = store.Db();
        Assert.Equal(swept, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderCancelled));
        Assert.Equal(1 - swept, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.OrderPaid));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.PostgresOnly), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_sweeping_the_same_orders_cancel_each_exactly_once(string database)
    {
        var settings = new Dictionary<string, string?> { ["Checkout:MaxOpenUnpaidOrdersPerClient"] = "100" };
        await using var store = await TestStore.StartAsync(database, settings: settings);
        await using var second = await store.StartAnotherNodeAsync(settings);
        await store.AddProductAsync("MUG-1", 10m, main: 50);
        var orders = new List<JsonNode>();
        for (var i = 0; i < 8; i++)
        {
            orders.Add(await store.PlaceManualOrderAsync(i % 2 == 0 ? "bank_transfer" : "cash_on_delivery", ("MUG-1", 1 + (i % 3))));
        }

        foreach (var order in orders)
        {
            await BackdateAsync(store, order, OverdueMinutes);
        }

        var counts = await Task.WhenAll(SweepAsync(store), SweepAsync(second), SweepAsync(store), SweepAsync(second));

        Assert.Equal(orders.Count, counts.Sum());
        await using var db = store.Db();
        var cancelledEvents = await db.OutboxEvents.Where(e => e.Type == EventTypes.OrderCancelled).Select(e => e.Payload).ToListAsync();
        Assert.Equal(orders.Count, cancelledEvents.Count);
        Assert.Equal(
            orders.Select(o => o["id"].Str()).Order(),
            cancelledEvents.Select(p => JsonNode.Parse(p)!["orderId"].Str()).Order());
        Assert.Equal(orders.Count, await db.OrderTimeline.CountAsync(t => t.Kind == "cancelled"));
        Assert.Equal((50L, 0L), await store.StockAsync("MUG-1", "MAIN"));
        await store.AssertLedgerMatchesBalancesAsync();
    }

    private static object ManualCheckout(string method, string email = "ada@example.com") => new
    {
        email,
        shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region = "NY", postalCode = "10001", country = "US" },
        payment = new { method },
    };

    private static async Task BackdateAsync(TestStore store, JsonNode order, string minutes)
    {
        var id = Guid.Parse(order["id"].Str());
        var placedAt = DateTime.UtcNow.AddMinutes(-int.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture));
        await using var db = store.Db();
        await db.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.CreatedAt, placedAt));
    }

    private static async Task<int> SweepAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UnpaidOrderSweep>().SweepAsync(CancellationToken.None);
    }
}

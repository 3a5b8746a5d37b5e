using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

public sealed class RefundTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Partial_then_full_refunds_move_the_payment_status_and_more_is_422(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var url = $"/api/v1/orders/{order["id"].Str()}/refunds";

        var partial = await (await store.Client.PostJson(url, new { amount = 30.25m, reason = "Scratched" })).Expect(HttpStatusCode.Created);
        Assert.Equal((30.25m, "USD", "succeeded", "Scratched"), (partial["amount"].Dec(), partial["currency"].Str(), partial["status"].Str(), partial["reason"].Str()));
        Assert.Equal("partially_refunded", (await store.GetOrderAsync(order))["paymentStatus"].Str());

        var problem = await (await store.Client.PostJson(url, new { amount = 69.76m })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_exceeds_captured");
        Assert.Equal(69.75m, problem["refundable"].Dec());
        await (await store.Client.PostJson(url, new { amount = 69.75m })).Expect(HttpStatusCode.Created);
        Assert.Equal("refunded", (await store.GetOrderAsync(order))["paymentStatus"].Str());
        await (await store.Client.PostJson(url, new { amount = 0.01m })).ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_exceeds_captured");

        var payment = await (await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}/payments")).Expect(HttpStatusCode.OK);
        Assert.Equal(("refunded", 100m), (payment[0]!["status"].Str(), payment[0]!["refundedAmount"].Dec()));
        Assert.Equal([30.25m, 69.75m], store.Gateway.Journal.Where(op => op.Kind == "refund").Select(op => op.Amount));
        var listed = await (await store.Client.GetAsync(url)).Expect(HttpStatusCode.OK);
        Assert.Equal(2, listed.AsArray().Count);
        await using var db = store.Db();
        Assert.Equal(2, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.RefundCreated));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_refunds_never_add_up_to_more_than_was_captured(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var url = $"/api/v1/orders/{order["id"].Str()}/refunds";

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.Client.PostJson(url, new { amount = 30m, reason = "race" })));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Equal(3, store.Gateway.Journal.Count(op => op.Kind == "refund"));
        Assert.Equal(90m, store.Gateway.Journal.Where(op => op.Kind == "refund").Sum(op => op.Amount));
        await using var db = store.Db();
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(90m, payment.RefundedAmount);
        Assert.Equal(PaymentRecordStatus.PartiallyRefunded, payment.Status);
        Assert.Equal(3, await db.Refunds.CountAsync(r => r.Status == RefundStatus.Succeeded));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_refund_the_gateway_refuses_is_502_and_gives_the_amount_back(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        await using (var db = store.Db())
        {
            // The gateway no longer knows this charge (e.g. it expired there).
            await db.Payments.ExecuteUpdateAsync(u => u.SetProperty(p => p.GatewayReference, "test_auth_gone"));
        }

        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 40m })).ExpectProblem(HttpStatusCode.BadGateway, "refund_failed");

        await using var check = store.Db();
        var payment = await check.Payments.SingleAsync();
        Assert.Equal((0m, PaymentRecordStatus.Captured), (payment.RefundedAmount, payment.Status));
        Assert.Equal(RefundStatus.Failed, (await check.Refunds.SingleAsync()).Status);
        Assert.DoesNotContain(store.Gateway.Journal, op => op.Kind == "refund");
        var after = await store.GetOrderAsync(order);
        Assert.Equal("paid", after["paymentStatus"].Str());
        Assert.Contains(after["timeline"]!.AsArray(), t => t!["kind"].Str() == "refund_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Warehouse_and_sales_keys_cannot_refund(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 100m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var url = $"/api/v1/orders/{order["id"].Str()}/refunds";

        await (await store.Anonymous.PostJson(url, new { amount = 10m })).ExpectProblem(HttpStatusCode.Unauthorized);
        foreach (var role in new[] { Role.Warehouse, Role.Sales, Role.Marketing })
        {
            await (await (await store.ClientForAsync(role)).PostJson(url, new { amount = 10m })).ExpectProblem(HttpStatusCode.Forbidden);
        }

        await (await (await store.ClientForAsync(Role.Support)).PostJson(url, new { amount = 10m })).Expect(HttpStatusCode.Created);
        Assert.Single(store.Gateway.Journal, op => op.Kind == "refund");
    }
}

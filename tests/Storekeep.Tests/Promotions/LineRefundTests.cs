using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Payments;
using Storekeep.Promotions;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Promotions;

/// <summary>
/// Line refunds (<c>POST /orders/{id}/refunds {lines}</c>): the stored amounts after discounts plus
/// their tax, never the undiscounted price, and every unit refunded returns exactly what was captured.
/// </summary>
public sealed class LineRefundTests
{
    private static string RefundsUrl(JsonNode order) => $"/api/v1/orders/{order["id"].Str()}/refunds";

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Refunding_the_150_item_of_an_order_with_20_percent_off_refunds_120_plus_its_tax(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("COAT-1", 150m, main: 5);
        await store.AddProductAsync("HAT-1", 60m, main: 5);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Spring sale", type = "percentage", value = 20m, appliesTo = new { all = true }, status = "active" })
            .Expect(HttpStatusCode.Created);
        var cart = await store.CartWithAsync(store.Anonymous, ("COAT-1", 1), ("HAT-1", 1));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(182.91m, order["total"].Dec());

        // The contract's example: 120.00 after the discount, plus New York tax on it (10.65).
        var coat = await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "COAT-1", quantity = 1 } }, reason = "Too big" })
            .Expect(HttpStatusCode.Created);
        Assert.Equal(130.65m, coat["amount"].Dec());
        Assert.Equal((120.00m, 10.65m), (coat["lines"]![0]!["amount"].Dec(), coat["lines"]![0]!["taxAmount"].Dec()));
        Assert.Equal("partially_refunded", (await store.GetOrderAsync(order))["paymentStatus"].Str());

        var hat = await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "hat-1", quantity = 1 } } }).Expect(HttpStatusCode.Created);
        Assert.Equal(52.26m, hat["amount"].Dec());

        // Every line refunded returns exactly what was captured, and the payment is closed.
        await using var db = store.Db();
        var payment = await db.Payments.SingleAsync();
        Assert.Equal(payment.CapturedAmount, payment.RefundedAmount);
        Assert.Equal(PaymentRecordStatus.Refunded, payment.Status);
        Assert.Equal([130.65m, 52.26m], store.Gateway.Journal.Where(op => op.Kind == "refund").Select(op => op.Amount));
        Assert.All(await db.OrderLines.ToListAsync(), l => Assert.Equal(1, l.RefundedQuantity));

        var listed = await store.Client.GetAsync(RefundsUrl(order)).Expect(HttpStatusCode.OK);
        Assert.Equal(["COAT-1", "HAT-1"], listed.AsArray().Select(r => r!["lines"]![0]!["sku"].Str()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Units_refunded_one_at_a_time_add_up_to_the_line_and_no_unit_is_refunded_twice(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CUP-1", 10m, main: 10);
        await store.Client.PostJson("/api/v1/discounts", new { title = "A franc off", type = "fixed_amount", value = 1m, status = "active" }).Expect(HttpStatusCode.Created);
        var cart = await store.CartWithAsync(store.Anonymous, ("CUP-1", 3));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);
        Assert.Equal(29.00m, order["total"].Dec());

        // 29.00 over 3 units by largest remainder: 9.67, 9.67, 9.66.
        var amounts = new List<decimal>();
        for (var i = 0; i < 3; i++)
        {
            var refund = await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "CUP-1", quantity = 1 } } }).Expect(HttpStatusCode.Created);
            amounts.Add(refund["amount"].Dec());
        }

        Assert.Equal([9.67m, 9.67m, 9.66m], amounts);
        await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "CUP-1", quantity = 1 } } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_exceeds_quantity");
        await using var db = store.Db();
        Assert.Equal(29.00m, (await db.Payments.SingleAsync()).RefundedAmount);
        Assert.Equal(3, await db.RefundLines.SumAsync(l => l.Quantity));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_line_refunds_are_refused_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 20m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var url = RefundsUrl(order);

        await store.Client.PostJson(url, new { lines = new[] { new { sku = "NOPE", quantity = 1 } } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_line_unknown");
        await store.Client.PostJson(url, new { lines = new[] { new { sku = "MUG-1", quantity = 3 } } })
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "refund_exceeds_quantity");
        var both = await store.Client.PostJson(url, new { amount = 5m, lines = new[] { new { sku = "MUG-1", quantity = 1 } } });
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("amount", await both.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var zero = await store.Client.PostJson(url, new { lines = new[] { new { sku = "MUG-1", quantity = 0 } } });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        var empty = await store.Client.PostJson(url, new { lines = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        await using var db = store.Db();
        Assert.Equal(0m, (await db.Payments.SingleAsync()).RefundedAmount);
        Assert.Equal(0, await db.Refunds.CountAsync());
        Assert.Equal(0, (await db.OrderLines.SingleAsync()).RefundedQuantity);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_line_refund_the_gateway_refuses_gives_its_units_and_amount_back(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 20m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        string reference;
        await using (var db = store.Db())
        {
            reference = (await db.Payments.SingleAsync()).GatewayReference!;
            await db.Payments.ExecuteUpdateAsync(u => u.SetProperty(p => p.GatewayReference, "test_auth_gone"));
        }

        await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "MUG-1", quantity = 2 } } })
            .ExpectProblem(HttpStatusCode.BadGateway, "refund_failed");
        await using (var db = store.Db())
        {
            Assert.Equal(0, (await db.OrderLines.SingleAsync()).RefundedQuantity);
            Assert.Equal(0m, (await db.Payments.SingleAsync()).RefundedAmount);
            await db.Payments.ExecuteUpdateAsync(u => u.SetProperty(p => p.GatewayReference, reference));
        }

        // The failed refund's units can be refunded again, for the full line.
        var refund = await store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "MUG-1", quantity = 2 } } }).Expect(HttpStatusCode.Created);
        Assert.Equal(40m, refund["amount"].Dec());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_line_refunds_of_the_same_unit_refund_it_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 20m, main: 5);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            store.Client.PostJson(RefundsUrl(order), new { lines = new[] { new { sku = "MUG-1", quantity = 1 } } })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Single(store.Gateway.Journal, op => op.Kind == "refund");
        await using var db = store.Db();
        Assert.Equal(20m, (await db.Payments.SingleAsync()).RefundedAmount);
    }

    [Fact]
    public void Known_refunded_amounts_make_the_last_unit_close_the_line_exactly()
    {
        // 10.00 over 3 units is 3.34, 3.33, 3.33. Suppose a refund of the first unit failed after a
        // second refund took 3.33 for the second: the two units left must still come to 6.67.
        var line = new CapturedLine("a", "CUP", 3, 1000, 0, RefundedQuantity: 1, RefundedNet: 333, RefundedTax: 0);
        var quote = LineRefunds.Quote([line], [new RefundLineRequest(null, "CUP", 2)]);
        Assert.Equal(667, quote.Total);
    }
}

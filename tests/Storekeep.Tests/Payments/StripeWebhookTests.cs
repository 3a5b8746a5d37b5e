using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Payments;

public sealed class StripeWebhookTests
{
    private const string WebhookSecret = "whsec_test_signing_secret";
    private const string Url = "/api/v1/payments/stripe/webhook";

    private static Task<TestStore> StoreAsync(string database) =>
        TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Payments:Stripe:WebhookSecret"] = WebhookSecret });

    private static string EventJson(string id, string type, JsonObject dataObject) => FakeStripe.EventJson(id, type, dataObject);

    private static string ChargeRefunded(string eventId, string paymentIntentId) => EventJson(eventId, "charge.refunded", new JsonObject
    {
        ["id"] = "ch_" + paymentIntentId[3..],
        ["object"] = "charge",
        ["amount"] = 1999,
        ["amount_refunded"] = 500,
        ["currency"] = "usd",
        ["payment_intent"] = paymentIntentId,
        ["refunded"] = false,
    });

    private static string Sign(string payload, string secret = WebhookSecret, DateTimeOffset? at = null) => FakeStripe.Sign(payload, secret, at);

    private static Task<HttpResponseMessage> Deliver(TestStore store, string payload, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        return store.Anonymous.SendAsync(request);
    }

    private static async Task<Order> OrderPaidWithStripeAsync(TestStore store, string paymentIntentId)
    {
        await using var db = store.Db();
        var now = DateTime.UtcNow;
        var order = Order.Place(
            1042,
            "ada@example.com",
            null,
            "USD",
            new Address { Name = "Ada", Line1 = "1 Main St", City = "Springfield", PostalCode = "12345", Country = "US" },
            "standard",
            [new OrderLine { Sku = "MUG", Title = "Mug", Quantity = 1, UnitPrice = 19.99m, LineTotal = 19.99m }],
            0m,
            0m,
            false,
            null,
            now);
        db.Orders.Add(order);
        db.Payments.Add(new Payment
        {
            OrderId = order.Id,
            Method = PaymentMethod.Card,
            Status = PaymentRecordStatus.Captured,
            Gateway = "stripe",
            GatewayReference = paymentIntentId,
            Amount = 19.99m,
            CapturedAmount = 19.99m,
            Currency = "USD",
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return order;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_signed_event_is_acknowledged_and_recorded_once_even_when_delivered_twice(string database)
    {
        await using var store = await StoreAsync(database);
        var payload = ChargeRefunded("evt_1", "pi_unknown_to_us");

        var first = await (await Deliver(store, payload, Sign(payload))).Expect(HttpStatusCode.OK);
        var second = await (await Deliver(store, payload, Sign(payload))).Expect(HttpStatusCode.OK);

        Assert.Equal(("evt_1", "charge.refunded", false), (first["eventId"].Str(), first["type"].Str(), first["duplicate"]!.GetValue<bool>()));
        Assert.True(second["duplicate"]!.GetValue<bool>());
        await using var db = store.Db();
        var recorded = await db.StripeWebhookEvents.SingleAsync();
        Assert.Equal(("evt_1", "charge.refunded"), (recorded.Id, recorded.Type));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_refund_event_for_a_known_payment_adds_one_timeline_note_and_moves_no_money(string database)
    {
        await using var store = await StoreAsync(database);
        var order = await OrderPaidWithStripeAsync(store, "pi_known123");
        var payload = ChargeRefunded("evt_refund", "pi_known123");

        await (await Deliver(store, payload, Sign(payload))).Expect(HttpStatusCode.OK);
        await (await Deliver(store, payload, Sign(payload))).Expect(HttpStatusCode.OK);

        await using var db = store.Db();
        var note = await db.OrderTimeline.SingleAsync(t => t.OrderId == order.Id && t.Kind == "stripe_charge_refunded");
        Assert.Equal("stripe", note.Actor);
        Assert.Contains("5.00 USD", note.Message, StringComparison.Ordinal);
        var payment = await db.Payments.SingleAsync();
        Assert.Equal((PaymentRecordStatus.Captured, 0m), (payment.Status, payment.RefundedAmount));
        Assert.Equal(PaymentStatus.Pending, (await db.Orders.SingleAsync()).PaymentStatus);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_canceled_payment_intent_event_notes_the_order(string database)
    {
        await using var store = await StoreAsync(database);
        var order = await OrderPaidWithStripeAsync(store, "pi_cancel1");
        var payload = EventJson("evt_cancel", "payment_intent.canceled", new JsonObject
        {
            ["id"] = "pi_cancel1",
            ["object"] = "payment_intent",
            ["amount"] = 1999,
            ["currency"] = "usd",
            ["status"] = "canceled",
            ["cancellation_reason"] = "abandoned",
        });

        await (await Deliver(store, payload, Sign(payload))).Expect(HttpStatusCode.OK);

        await using var db = store.Db();
        var note = await db.OrderTimeline.SingleAsync(t => t.OrderId == order.Id && t.Kind == "stripe_payment_intent_canceled");
        Assert.Contains("abandoned", note.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_tampered_body_is_refused_with_invalid_signature_and_nothing_is_recorded(string database)
    {
        await using var store = await StoreAsync(database);
        await OrderPaidWithStripeAsync(store, "pi_known123");
        var payload = ChargeRefunded("evt_2", "pi_known123");
        var tampered = payload.Replace("\"amount_refunded\":500", "\"amount_refunded\":1999", StringComparison.Ordinal);
        Assert.NotEqual(payload, tampered);

        await (await Deliver(store, tampered, Sign(payload))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_signature");

        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_payload_signed_with_another_secret_is_refused(string database)
    {
        await using var store = await StoreAsync(database);
        var payload = ChargeRefunded("evt_3", "pi_x");

        await (await Deliver(store, payload, Sign(payload, "whsec_someone_else"))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_signature");

        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_delivery_without_a_Stripe_Signature_header_is_refused(string database)
    {
        await using var store = await StoreAsync(database);
        var payload = ChargeRefunded("evt_4", "pi_x");

        await (await Deliver(store, payload, signature: null)).ExpectProblem(HttpStatusCode.BadRequest, "invalid_signature");

        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_correctly_signed_but_stale_delivery_is_refused_as_a_replay(string database)
    {
        await using var store = await StoreAsync(database);
        var payload = ChargeRefunded("evt_5", "pi_x");

        var response = await Deliver(store, payload, Sign(payload, at: DateTimeOffset.UtcNow.AddMinutes(-10)));

        await response.ExpectProblem(HttpStatusCode.BadRequest, "invalid_signature");
        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Without_a_configured_webhook_secret_every_delivery_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var payload = ChargeRefunded("evt_6", "pi_x");

        await (await Deliver(store, payload, Sign(payload))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_signature");

        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{}")]
    [InlineData("[1,2]")]
    public async Task A_signed_payload_that_is_not_a_Stripe_event_is_refused_as_invalid_payload(string payload)
    {
        await using var store = await StoreAsync(TestDatabases.Sqlite);

        await (await Deliver(store, payload, Sign(payload))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_payload");

        await AssertNothingRecordedAsync(store);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_signed_event_whose_id_or_type_could_not_be_stored_is_refused_as_invalid_payload(string database)
    {
        await using var store = await StoreAsync(database);
        string[] payloads =
        [
            ChargeRefunded("evt_nul\u0000inside", "pi_x"),
            ChargeRefunded("evt_" + new string('x', 300), "pi_x"),
            EventJson("evt_7", "charge." + new string('x', 200), new JsonObject { ["id"] = "ch_x", ["object"] = "charge" }),
        ];

        foreach (var payload in payloads)
        {
            await (await Deliver(store, payload, Sign(payload))).ExpectProblem(HttpStatusCode.BadRequest, "invalid_payload");
        }

        await AssertNothingRecordedAsync(store);
    }

    private static async Task AssertNothingRecordedAsync(TestStore store)
    {
        await using var db = store.Db();
        Assert.Equal(0, await db.StripeWebhookEvents.CountAsync());
        Assert.Equal(0, await db.OrderTimeline.CountAsync(t => t.Actor == "stripe"));
    }
}

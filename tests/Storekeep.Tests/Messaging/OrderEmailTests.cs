using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Events;
using Storekeep.Messaging;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Messaging;

/// <summary>The four order emails, sent through a real SMTP server after the change committed.</summary>
public sealed class OrderEmailTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_placed_order_sends_one_confirmation_with_lines_totals_address_and_order_link(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var number = order["number"]!.GetValue<long>();

        var email = await smtp.WaitForAsync("ada@example.com", $"Order #{number} confirmed");
        var text = email.TextBody;
        Assert.Contains("2 × Blue mug (MUG-1) — 24.00 USD", text, StringComparison.Ordinal);
        Assert.Contains($"Total: {order["total"]!.GetValue<decimal>():0.00} USD", text, StringComparison.Ordinal);
        Assert.Contains("12 Analytical Row", text, StringComparison.Ordinal);
        Assert.Contains($"https://shop.example.test/account/orders/{number}", text, StringComparison.Ordinal);
        Assert.Contains($"href=\"https://shop.example.test/account/orders/{number}\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("shop@example.test", Assert.Single(email.From.Mailboxes).Address);

        await using var db = store.Db();
        var message = await db.Messages.SingleAsync();
        Assert.Equal($"{message.Id:N}@example.test", email.MessageId);
        await WaitForStatusAsync(store, message.Id, MessageStatus.Sent);
        Assert.Single(smtp.Received);
    }

    [Fact]
    public async Task An_event_without_the_part_its_email_needs_is_skipped_and_holds_back_nothing_behind_it()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        var orderId = order["id"]!.GetValue<Guid>();
        await using (var db = store.Db())
        {
            // A refund.created written without its refund (as an older version or a script might).
            Storekeep.Events.EventOutbox.AddEvent(db, Storekeep.Events.EventTypes.RefundCreated, new { orderId }, DateTime.UtcNow);
            await db.SaveChangesAsync();
        }

        var later = await store.PlaceOrderAsync(("MUG-1", 1));

        await smtp.WaitForAsync("ada@example.com", $"Order #{later["number"]!.GetValue<long>()} confirmed");
        await Eventually.HoldsAsync(async () =>
        {
            await using var check = store.Db();
            return !await check.OutboxEvents.AnyAsync(e => e.Position == null);
        }, "every event published");
        await using var db2 = store.Db();
        Assert.False(await db2.Messages.AnyAsync(m => m.Type == MessageTypes.Refund));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_shipment_sends_the_carrier_tracking_number_and_tracking_link(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var number = order["number"]!.GetValue<long>();
        await store.ShipAsync(order, null, ("MUG-1", 2));

        var email = await smtp.WaitForAsync("ada@example.com", $"Order #{number} has shipped");
        Assert.Contains("UPS", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Tracking number: 1Z999", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://www.ups.com/track?tracknum=1Z999", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("href=\"https://www.ups.com/track?tracknum=1Z999\"", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("2 × Blue mug (MUG-1)", email.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_refund_sends_the_amount_and_currency(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var number = order["number"]!.GetValue<long>();
        await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 7.5m, reason = "Chipped handle" })).Expect(HttpStatusCode.Created);

        var email = await smtp.WaitForAsync("ada@example.com", $"Refund of 7.50 USD for order #{number}");
        Assert.Contains("We have refunded 7.50 USD", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Chipped handle", email.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_received_return_sends_the_rma_number_and_items(string database)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: smtp.Settings());
        await store.AddProductAsync("MUG-1", 12m, main: 5, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        await store.ShipAsync(order, null, ("MUG-1", 2));
        var created = await (await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/returns", new
        {
            lines = new[] { new { sku = "MUG-1", quantity = 1 } },
            reason = "Too small",
            restock = true,
        })).Expect(HttpStatusCode.Created);
        var rma = created["rmaNumber"].Str();
        await (await store.Client.PostJson($"/api/v1/returns/{created["id"].Str()}/receive", new { })).Expect(HttpStatusCode.OK);

        var email = await smtp.WaitForAsync("ada@example.com", $"We received your return {rma}");
        Assert.Contains("1 × Blue mug (MUG-1)", email.TextBody, StringComparison.Ordinal);

        // Confirmation, shipping and return-received: the return request itself sends nothing.
        await WaitForStatusAsync(store, MessageStatus.Sent, count: 3);
        await using var db = store.Db();
        Assert.Equal(
            [MessageTypes.OrderConfirmation, MessageTypes.ReturnReceived, MessageTypes.ShippingConfirmation],
            (await db.Messages.Select(m => m.Type).ToListAsync()).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The subscriber writes a batch's emails together: three order.placed events queue three
    /// confirmations, each with its own order's figures, from one read of the orders, one check of the
    /// dedupe keys and one suggestion lookup per set of ordered SKUs; the batch handed over again
    /// queues nothing new.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_batch_of_placed_orders_queues_each_confirmation_once_from_one_read_of_its_orders(string database)
    {
        var log = new StatementLog();
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Events:Dispatcher"] = "false", ["Email:Deliverer"] = "false" }, services: log.AddTo);
        await store.AddProductAsync("MUG-1", 12m, main: 10, title: "Blue mug");
        await store.AddProductAsync("CUP-1", 7m, main: 10, title: "Red cup");
        var orders = new[] { await store.PlaceOrderAsync(("MUG-1", 1)), await store.PlaceOrderAsync(("CUP-1", 3)), await store.PlaceOrderAsync(("MUG-1", 2)) };
        await store.PublishOutboxAsync();
        log.Clear();
        await store.RunSubscriberAsync(OrderEmails.SubscriberName);

        Assert.Single(log.ReadsOf("order_lines"));
        Assert.Single(log.ReadsOf("messages"), s => !s.Contains("message_templates", StringComparison.Ordinal));
        Assert.Equal(2, log.ReadsOf("co_purchases").Count);
        await using (var db = store.Db())
        {
            var queued = await db.Messages.AsNoTracking().Where(m => m.Type == MessageTypes.OrderConfirmation).ToListAsync();
            Assert.Equal(3, queued.Count);
            foreach (var (order, line) in orders.Zip(new[] { "1 × Blue mug (MUG-1) — 12.00 USD", "3 × Red cup (CUP-1) — 21.00 USD", "2 × Blue mug (MUG-1) — 24.00 USD" }))
            {
                var message = Assert.Single(queued, m => m.Subject.Contains($"#{order["number"]!.GetValue<long>()} ", StringComparison.Ordinal));
                Assert.Contains(line, message.TextBody, StringComparison.Ordinal);
                Assert.Contains($"Total: {order["total"]!.GetValue<decimal>():0.00} USD", message.TextBody, StringComparison.Ordinal);
                Assert.Equal(order["id"]!.GetValue<Guid>(), message.OrderId);
            }

            // The same events again (the checkpoint moved back): their dedupe keys are found, nothing is added.
            await db.EventSubscriptions.Where(s => s.Name == OrderEmails.SubscriberName).ExecuteUpdateAsync(u => u.SetProperty(s => s.Position, 0L));
        }

        await store.RunSubscriberAsync(OrderEmails.SubscriberName);
        await using var check = store.Db();
        Assert.Equal(3, await check.Messages.CountAsync(m => m.Type == MessageTypes.OrderConfirmation));
        Assert.True((await check.EventSubscriptions.AsNoTracking().SingleAsync(s => s.Name == OrderEmails.SubscriberName)).Position > 0);
    }

    internal static async Task WaitForStatusAsync(TestStore store, Guid id, MessageStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var db = store.Db();
            var current = await db.Messages.Where(m => m.Id == id).Select(m => m.Status).SingleAsync();
            if (current == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Message {id} is {current}, expected {status}.");
            await Task.Delay(50);
        }
    }

    internal static async Task WaitForStatusAsync(TestStore store, MessageStatus status, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var db = store.Db();
            var done = await db.Messages.CountAsync(m => m.Status == status);
            if (done >= count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{done} messages are {status}, expected {count}.");
            await Task.Delay(50);
        }
    }
}

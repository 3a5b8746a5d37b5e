using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// After every card flow (paid, declined, voided for want of stock, refunded, cancelled, its events
/// delivered) and after raw card numbers were pushed into every field a client can fill, no
/// Luhn-valid card number is anywhere: not in any table, not in the server's log at any level,
/// not in an outbox payload, not in a webhook body.
/// </summary>
public sealed class CardDataTests
{
    private static readonly string[] Cards = ["4242 4242 4242 4242", "5555555555554444", "4000-0566-5566-5556", "378282246310005", "6011111111111117"];

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task No_card_number_is_stored_logged_published_or_sent_after_any_card_flow(string database)
    {
        var log = new CapturingLoggerProvider();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        }, services: s => s.AddSingleton<ILoggerProvider>(log));
        await store.AddProductAsync("MUG-1", 10m, main: 20);
        await store.AddProductAsync("LAST-1", 30m, main: 1);
        await store.Client.PostJson("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "*" } }).Expect(HttpStatusCode.Created);
        var shopper = store.Anonymous;

        // Paid, then partly refunded; paid, then cancelled (voided or refunded by the cancel).
        var refunded = await CheckoutAsync(store, ("MUG-1", 2)).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/orders/{refunded["id"].Str()}/refunds", new { amount = 5m, reason = "damaged" }).Expect(HttpStatusCode.Created);
        var cancelled = await CheckoutAsync(store, ("MUG-1", 1)).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { reason = "changed their mind" }).Expect(HttpStatusCode.OK);

        // Declined; and an authorization voided because the last unit went to someone else.
        await CheckoutAsync(store, ("MUG-1", 1), "tok_chargeDeclined").ExpectProblem(HttpStatusCode.PaymentRequired, "payment_declined");
        var late = await store.CartWithAsync(shopper, ("LAST-1", 1));
        await CheckoutAsync(store, ("LAST-1", 1)).Expect(HttpStatusCode.Created);
        await shopper.PostJson($"/api/v1/carts/{late}/checkout", TestCatalog.CheckoutBody()).ExpectProblem(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Contains(store.Gateway.Journal, op => op.Kind == "void");
        Assert.Contains(store.Gateway.Journal, op => op.Kind == "refund");

        // Raw card numbers pushed into every field a shopper or a staff member can fill. Each probe
        // is otherwise valid (an open cart, a paid order, a shipped order to return), so it is the
        // card check, and only it, that must refuse it.
        var cart = await store.CartWithAsync(shopper, ("MUG-1", 1));
        var order = (await CheckoutAsync(store, ("MUG-1", 1)).Expect(HttpStatusCode.Created))["id"].Str();
        var shipped = (await CheckoutAsync(store, ("MUG-1", 1)).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/orders/{shipped}/shipments", new { lines = new[] { new { sku = "MUG-1", quantity = 1 } }, carrier = "UPS", trackingNumber = "1Z999" })
            .Expect(HttpStatusCode.Created);
        const string Refused = CardNumbers.RefusedCode;
        foreach (var card in Cards)
        {
            var digits = Digits(card);
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(token: card), Guid.NewGuid().ToString()), Refused);
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/checkout", new
            {
                email = "ada@example.com",
                shippingAddress = new { name = "Ada", line1 = "1 Main St", line2 = $"card {card}", city = "NYC", postalCode = "10001", country = "US" },
                payment = new { method = "card", token = "tok_visa" },
            }), Refused);
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/checkout", new
            {
                email = "ada@example.com",
                shippingAddress = new { name = "Ada", line1 = "1 Main St", city = "NYC", postalCode = "10001", country = "US" },
                payment = new { method = "card", token = "tok_visa", number = card, exp_month = 12, cvc = "123" },
            }), Refused);
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: $"{digits}@example.com")), Refused);
            await AssertRefusedAsync(shopper.PostJson("/api/v1/carts", new { email = $"{digits}@example.com" }), Refused);
            // A SKU may be all digits (an EAN-13 passes Luhn one time in ten), so it is not refused
            // as card data; it matches no product, and is only named back to whoever sent it.
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/items", new { sku = digits, quantity = 1 }), "unknown_sku", echoed: true);
            await AssertRefusedAsync(shopper.PostJson($"/api/v1/carts/{cart}/quote", new
            {
                shippingAddress = new { name = card, line1 = "1 Main St", city = "NYC", postalCode = "10001", country = "US" },
            }), Refused);
            await AssertRefusedAsync(store.Client.PostJson($"/api/v1/orders/{order}/refunds", new { amount = 1m, reason = $"refund to card {card}" }), Refused);
            await AssertRefusedAsync(store.Client.PostJson($"/api/v1/orders/{order}/cancel", new { reason = $"wrong card {card}" }), Refused);
            await AssertRefusedAsync(store.Client.PostJson($"/api/v1/orders/{shipped}/returns", new { lines = new[] { new { sku = "MUG-1", quantity = 1 } }, reason = $"charged twice on {card}", restock = true }), Refused);
        }

        // The one good checkout on that cart still works.
        await shopper.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody()).Expect(HttpStatusCode.Created);

        // Every event delivered before looking at the bodies.
        await Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            var events = await db.OutboxEvents.CountAsync();
            return events > 0 && await db.WebhookDeliveries.CountAsync(d => d.Status == Storekeep.Events.DeliveryStatus.Succeeded) == events;
        }, "every event delivered");

        // Twice over: with the server's own detector, and by the exact digits this test sent, so
        // a detector that misses a card misses it here too only if the digits are truly absent.
        await DatabaseScan.AssertNoCardNumbersAsync(store);
        await DatabaseScan.AssertNotStoredAsync(store, SentCardTexts);
        await using (var db = store.Db())
        {
            var payloads = await db.OutboxEvents.Select(e => e.Payload).ToListAsync();
            Assert.NotEmpty(payloads);
            Assert.DoesNotContain(payloads, CardNumbers.ContainsCardNumber);
            Assert.DoesNotContain(payloads, HoldsSentCard);
        }

        Assert.NotEmpty(receiver.Received);
        Assert.DoesNotContain(receiver.Received, r => CardNumbers.ContainsCardNumber(r.Body));
        Assert.DoesNotContain(receiver.Received, r => HoldsSentCard(r.Body));
        var lines = log.Lines;
        Assert.True(lines.Count > 50, $"Only {lines.Count} log lines were captured: the scan would prove nothing.");
        var leaked = lines.FirstOrDefault(CardNumbers.ContainsCardNumber) ?? lines.FirstOrDefault(HoldsSentCard);
        Assert.True(leaked is null, $"A card number was logged: {leaked}");
    }

    private static async Task<HttpResponseMessage> CheckoutAsync(TestStore store, (string Sku, int Quantity) line, string token = "tok_visa")
    {
        var cart = await store.CartWithAsync(store.Anonymous, line);
        return await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(token));
    }

    /// <summary>Each card as sent (with its spaces or dashes) and as bare digits.</summary>
    private static readonly string[] SentCardTexts = Cards.Concat(Cards.Select(Digits)).Distinct().ToArray();

    private static string Digits(string card) => card.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    private static bool HoldsSentCard(string? text) =>
        text is not null && SentCardTexts.Any(card => text.Contains(card, StringComparison.Ordinal));

    /// <summary>
    /// Refused with a 4xx problem of the expected code (for card data, 400
    /// <see cref="CardNumbers.RefusedCode"/>), and the answer does not repeat the card.
    /// </summary>
    private static async Task AssertRefusedAsync(Task<HttpResponseMessage> sending, string code, bool echoed = false)
    {
        var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"A card number was accepted ({(int)response.StatusCode}): {body}");
        if (code == CardNumbers.RefusedCode)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"A card number was not refused as card data ({(int)response.StatusCode}): {body}");
        }

        var problem = System.Text.Json.Nodes.JsonNode.Parse(body);
        Assert.True(problem?["code"]?.GetValue<string>() == code, $"Expected the problem code {code}, got ({(int)response.StatusCode}): {body}");

        // The trace id is random hex: its digit runs are Luhn-valid one time in ten and are not card data.
        var withoutTraceId = System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "");
        Assert.True(echoed || !CardNumbers.ContainsCardNumber(withoutTraceId), $"The answer repeats the card number: {body}");
        Assert.True(echoed || !HoldsSentCard(withoutTraceId), $"The answer repeats the digits sent: {body}");
    }

    /// <summary>Keeps every log entry at every enabled level: message, structured values, exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => _lines.ToArray();

        public ILogger CreateLogger(string categoryName) => new Capturing(_lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                    : "";
                lines.Enqueue($"[{logLevel}] {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}

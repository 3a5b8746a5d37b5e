using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Messaging;

/// <summary>
/// Turns published order events into customer emails. It runs inside the outbox publisher's
/// transaction, so each email is queued exactly once with its event's publication, and only for a
/// change that has committed. The dedupe key <c>&lt;type&gt;:&lt;event id&gt;</c> makes a replayed
/// batch queue nothing new. Bad data (an order gone, an unusable address) is logged and skipped:
/// throwing here would hold back every event behind it.
/// </summary>
public sealed partial class OrderEmails(StorekeepDbContext db, MessageQueue queue, ILogger<OrderEmails> logger) : IOutboxEventHandler
{
    private static readonly Dictionary<string, string> TypeOf = new(StringComparer.Ordinal)
    {
        [EventTypes.OrderPlaced] = MessageTypes.OrderConfirmation,
        [EventTypes.OrderShipped] = MessageTypes.ShippingConfirmation,
        [EventTypes.RefundCreated] = MessageTypes.Refund,
        [EventTypes.ReturnReceived] = MessageTypes.ReturnReceived,
    };

    public async Task HandleAsync(IReadOnlyList<OutboxEvent> events, CancellationToken ct)
    {
        var relevant = events.Where(e => TypeOf.ContainsKey(e.Type)).ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        // The batch's orders in a few queries, not one per event.
        var orderIds = relevant.Select(e => OrderIdOf(e.Payload)).OfType<Guid>().Distinct().ToList();
        var orders = new Dictionary<Guid, Order>();
        foreach (var chunk in orderIds.Chunk(200))
        {
            foreach (var loaded in await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => chunk.Contains(o.Id)).ToListAsync(ct))
            {
                orders[loaded.Id] = loaded;
            }
        }

        foreach (var outboxEvent in relevant)
        {
            var type = TypeOf[outboxEvent.Type];
            using var payload = JsonDocument.Parse(outboxEvent.Payload);
            var root = payload.RootElement;
            if (OrderIdOf(root) is not { } orderId)
            {
                continue;
            }

            if (!orders.TryGetValue(orderId, out var order))
            {
                LogSkipped(outboxEvent.Id, type, "the order no longer exists");
                continue;
            }

            // The part of the payload an email needs beyond the order; an event without it (written
            // by an older version, or by hand) is skipped, never thrown on.
            var part = type switch
            {
                MessageTypes.ShippingConfirmation => "shipment",
                MessageTypes.Refund => "refund",
                MessageTypes.ReturnReceived => "return",
                _ => null,
            };
            var detail = default(JsonElement);
            if (part is not null && !root.TryGetProperty(part, out detail))
            {
                LogSkipped(outboxEvent.Id, type, $"the event has no '{part}'");
                continue;
            }

            var values = OrderValues(order);
            try
            {
                switch (type)
                {
                    case MessageTypes.OrderConfirmation:
                        AddConfirmationValues(values, order);
                        break;
                    case MessageTypes.ShippingConfirmation:
                        AddShipmentValues(values, order, detail);
                        break;
                    case MessageTypes.Refund:
                        AddRefundValues(values, detail, order.Currency);
                        break;
                    case MessageTypes.ReturnReceived:
                        AddReturnValues(values, order, detail);
                        break;
                }
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                LogSkipped(outboxEvent.Id, type, $"the event's '{part}' is not as expected ({e.Message})");
                continue;
            }

            try
            {
                await queue.QueueAsync(type, order.Email, values, $"{type}:{outboxEvent.Id}", ct);
            }
            catch (StorekeepException e)
            {
                LogSkipped(outboxEvent.Id, type, e.Message);
            }
        }
    }

    private static Guid? OrderIdOf(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return OrderIdOf(json.RootElement);
    }

    private static Guid? OrderIdOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("orderId", out var id) && id.TryGetGuid(out var guid) ? guid : null;

    public static string Money(decimal amount, string currency) =>
        amount.ToString("0.00", CultureInfo.InvariantCulture) + " " + currency;

    private Dictionary<string, string?> OrderValues(Order order) => new(StringComparer.Ordinal)
    {
        [MessageQueue.OrderIdValue] = order.Id.ToString(),
        ["name"] = order.ShippingAddress.Name,
        ["order.number"] = order.Number.ToString(CultureInfo.InvariantCulture),
        ["order.link"] = queue.Link($"/account/orders/{order.Number.ToString(CultureInfo.InvariantCulture)}"),
    };

    private static void AddConfirmationValues(Dictionary<string, string?> values, Order order)
    {
        values["order.lines"] = string.Join('\n', order.Lines.Select(l => $"{l.Quantity} × {l.Title} ({l.Sku}) — {Money(l.LineTotal, order.Currency)}"));
        values["order.subtotal"] = Money(order.Subtotal, order.Currency);
        values["order.shipping"] = Money(order.ShippingTotal, order.Currency);
        values["order.tax"] = Money(order.TaxTotal, order.Currency);
        values["order.total"] = Money(order.Total, order.Currency);
        var a = order.ShippingAddress;
        values["shipping.address"] = string.Join('\n', new[]
        {
            a.Name, a.Line1, a.Line2, string.Join(' ', new[] { a.PostalCode, a.City, a.Region }.Where(p => !string.IsNullOrWhiteSpace(p))), a.Country,
        }.Where(p => !string.IsNullOrWhiteSpace(p)));
    }

    private static void AddShipmentValues(Dictionary<string, string?> values, Order order, JsonElement shipment)
    {
        var carrier = shipment.GetProperty("carrier").GetString() ?? "";
        var trackingNumber = shipment.GetProperty("trackingNumber").GetString() ?? "";
        values["carrier"] = carrier;
        values["tracking.number"] = trackingNumber;
        values["tracking.link"] = Fulfillment.TrackingLinks.For(carrier, trackingNumber) ?? values["order.link"];
        values["shipment.lines"] = ItemLines(shipment, order);
    }

    private static void AddRefundValues(Dictionary<string, string?> values, JsonElement refund, string orderCurrency)
    {
        var currency = refund.TryGetProperty("currency", out var c) && c.GetString() is { Length: > 0 } code ? code : orderCurrency;
        values["refund.amount"] = Money(refund.GetProperty("amount").GetDecimal(), currency);
        values["refund.currency"] = currency;
        values["refund.reason"] = refund.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "—";
    }

    private static void AddReturnValues(Dictionary<string, string?> values, Order order, JsonElement returned)
    {
        values["return.number"] = returned.GetProperty("rmaNumber").GetString();
        values["return.lines"] = ItemLines(returned, order);
    }

    /// <summary>"2 × Blue mug (MUG-1)" per {sku, quantity} line, titled from the order's lines.</summary>
    private static string ItemLines(JsonElement owner, Order order)
    {
        if (!owner.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        return string.Join('\n', lines.EnumerateArray().Select(l =>
        {
            var sku = l.GetProperty("sku").GetString() ?? "";
            var title = order.Lines.FirstOrDefault(o => string.Equals(o.Sku, sku, StringComparison.OrdinalIgnoreCase))?.Title;
            var quantity = l.GetProperty("quantity").GetInt32();
            return title is null ? $"{quantity} × {sku}" : $"{quantity} × {title} ({sku})";
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No {Type} email for event {EventId}: {Reason}.")]
    private partial void LogSkipped(Guid eventId, string type, string reason);
}

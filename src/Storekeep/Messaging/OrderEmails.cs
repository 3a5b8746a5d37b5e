using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Fulfillment;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Messaging;

/// <summary>
/// Turns order events into customer emails, as the event subscriber <see cref="SubscriberName"/>.
/// It runs in the subscriber's own transaction, after the change that raised the event has
/// committed, and the queued message commits together with the subscriber's checkpoint: each email
/// is queued once, never for a change that rolled back. The dedupe key <c>&lt;type&gt;:&lt;event id&gt;</c>
/// makes a replayed event queue nothing new. Bad data (an order gone, an unusable address) is logged
/// and skipped: throwing here would hold back every event behind it. The emails of a batch are
/// written when it completes, in event order: its orders are read in one query and its dedupe keys
/// checked in one, and orders of the same items share one suggestion lookup, rather than four
/// queries per order.
/// </summary>
public sealed partial class OrderEmails(StorekeepDbContext db, MessageQueue queue, IEnumerable<IOrderEmailSuggestions> suggestions, ILogger<OrderEmails> logger) :
    IEventHandler<OrderPlaced>,
    IEventHandler<OrderShipped>,
    IEventHandler<RefundCreated>,
    IEventHandler<ReturnReceived>,
    IEventBatchCompletion
{
    public const string SubscriberName = "order-emails";

    /// <summary>How many products the confirmation's <c>recommendations</c> list names at most.</summary>
    public const int SuggestionCount = 3;

    /// <summary>The batch's emails, in event order, written by <see cref="CompleteBatchAsync"/>.</summary>
    private readonly List<PendingEmail> _pending = [];

    /// <summary>Suggestions per set of ordered SKUs, for this batch.</summary>
    private readonly Dictionary<string, IReadOnlyList<EmailSuggestion>> _suggested = new(StringComparer.Ordinal);

    public Task HandleAsync(OrderPlaced evt, EventContext context, CancellationToken ct) =>
        Defer(MessageTypes.OrderConfirmation, evt.OrderId, context, null, async (values, order, token) =>
        {
            AddConfirmationValues(values, order);
            var suggested = await SuggestionsAsync(order, token);
            values["recommendations"] = suggested.Count == 0 ? "" : "You may also like:\n" + string.Join('\n',
                suggested.Select(s => $"{s.Title} — {Money(s.Price, order.Currency)} — {queue.Link("/p/" + s.Slug)}"));
        });

    /// <summary>What customers also bought with the order's items (empty without a suggestion source).</summary>
    private async Task<IReadOnlyList<EmailSuggestion>> SuggestionsAsync(Order order, CancellationToken ct)
    {
        if (suggestions.FirstOrDefault() is not { } source)
        {
            return [];
        }

        var skus = order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (skus.Count == 0)
        {
            return [];
        }

        var key = string.Join('\n', skus);
        if (!_suggested.TryGetValue(key, out var suggested))
        {
            suggested = await source.ForOrderAsync(skus, SuggestionCount, ct);
            _suggested[key] = suggested;
        }

        return suggested;
    }

    public Task HandleAsync(OrderShipped evt, EventContext context, CancellationToken ct) =>
        Defer(MessageTypes.ShippingConfirmation, evt.OrderId, context, evt.Shipment is null ? "shipment" : null, (values, order) => AddShipmentValues(values, order, evt.Shipment!));

    public Task HandleAsync(RefundCreated evt, EventContext context, CancellationToken ct) =>
        Defer(MessageTypes.Refund, evt.OrderId, context, evt.Refund is null ? "refund" : null, (values, order) => AddRefundValues(values, evt.Refund!, order.Currency));

    public Task HandleAsync(ReturnReceived evt, EventContext context, CancellationToken ct) =>
        Defer(MessageTypes.ReturnReceived, evt.OrderId, context, evt.Return is null ? "return" : null, (values, order) => AddReturnValues(values, order, evt.Return!));

    /// <summary>Queues the batch's emails: its orders in one read, its dedupe keys checked in one.</summary>
    public async Task CompleteBatchAsync(CancellationToken ct)
    {
        var pending = _pending.ToList();
        _pending.Clear();
        if (pending.Count == 0)
        {
            return;
        }

        var orders = new Dictionary<Guid, Order>();
        foreach (var chunk in pending.Select(p => p.OrderId).Distinct().Chunk(500))
        {
            foreach (var order in await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => chunk.Contains(o.Id)).ToListAsync(ct))
            {
                orders[order.Id] = order;
            }
        }

        await queue.CheckDedupeKeysAsync(pending.Select(p => p.DedupeKey).ToList(), ct);
        foreach (var email in pending)
        {
            await QueueAsync(email, orders.GetValueOrDefault(email.OrderId), ct);
        }
    }

    private Task Defer(string type, Guid orderId, EventContext context, string? missingPart, Action<Dictionary<string, string?>, Order> addValues) =>
        Defer(type, orderId, context, missingPart, (values, order, _) =>
        {
            addValues(values, order);
            return Task.CompletedTask;
        });

    /// <param name="missingPart">The part of the payload the email needs beyond the order, when the event lacks it
    /// (written by an older version, or by hand): the email is skipped, never thrown on.</param>
    /// <param name="addValues">Adds the email's own values to the order's; may read more (the confirmation's suggestions).</param>
    private Task Defer(string type, Guid orderId, EventContext context, string? missingPart, Func<Dictionary<string, string?>, Order, CancellationToken, Task> addValues)
    {
        if (orderId != Guid.Empty)
        {
            _pending.Add(new PendingEmail(type, orderId, context, missingPart, addValues));
        }

        return Task.CompletedTask;
    }

    private async Task QueueAsync(PendingEmail email, Order? order, CancellationToken ct)
    {
        var (type, _, context, missingPart, addValues) = email;
        if (order is null)
        {
            LogSkipped(context.EventId, type, "the order no longer exists");
            return;
        }

        if (missingPart is not null)
        {
            LogSkipped(context.EventId, type, $"the event has no '{missingPart}'");
            return;
        }

        var values = OrderValues(order);
        await addValues(values, order, ct);
        try
        {
            await queue.QueueAsync(type, order.Email, values, email.DedupeKey, ct);
        }
        catch (StorekeepException e)
        {
            LogSkipped(context.EventId, type, e.Message);
        }
    }

    private sealed record PendingEmail(string Type, Guid OrderId, EventContext Context, string? MissingPart, Func<Dictionary<string, string?>, Order, CancellationToken, Task> AddValues)
    {
        public string DedupeKey => $"{Type}:{Context.EventId}";
    }

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

    private static void AddShipmentValues(Dictionary<string, string?> values, Order order, ShipmentView shipment)
    {
        var carrier = shipment.Carrier ?? "";
        var trackingNumber = shipment.TrackingNumber ?? "";
        values["carrier"] = carrier;
        values["tracking.number"] = trackingNumber;
        values["tracking.link"] = TrackingLinks.For(carrier, trackingNumber) ?? values["order.link"];
        values["shipment.lines"] = ItemLines(shipment.Lines, order);
    }

    private static void AddRefundValues(Dictionary<string, string?> values, RefundView refund, string orderCurrency)
    {
        var currency = refund.Currency is { Length: > 0 } code ? code : orderCurrency;
        values["refund.amount"] = Money(refund.Amount, currency);
        values["refund.currency"] = currency;
        values["refund.reason"] = refund.Reason ?? "—";
    }

    private static void AddReturnValues(Dictionary<string, string?> values, Order order, ReturnView returned)
    {
        values["return.number"] = returned.RmaNumber;
        values["return.lines"] = ItemLines(returned.Lines, order);
    }

    /// <summary>"2 × Blue mug (MUG-1)" per {sku, quantity} line, titled from the order's lines.</summary>
    private static string ItemLines(IReadOnlyList<ItemLineView>? lines, Order order)
    {
        if (lines is null)
        {
            return "";
        }

        return string.Join('\n', lines.Where(l => l is not null).Select(l =>
        {
            var sku = l.Sku ?? "";
            var title = order.Lines.FirstOrDefault(o => string.Equals(o.Sku, sku, StringComparison.OrdinalIgnoreCase))?.Title;
            return title is null ? $"{l.Quantity} × {sku}" : $"{l.Quantity} × {title} ({sku})";
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No {Type} email for event {EventId}: {Reason}.")]
    private partial void LogSkipped(Guid eventId, string type, string reason);
}

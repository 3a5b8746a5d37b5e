using Storekeep.Events;
using Storekeep.Shared;

namespace Storekeep.Orders;

public enum OrderStatus
{
    Open,
    Cancelled,
    Completed,
}

public enum PaymentStatus
{
    Pending,
    Authorized,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

public enum FulfillmentStatus
{
    Unfulfilled,
    PartiallyShipped,
    Shipped,
    Delivered,
}

/// <summary>
/// The order aggregate. Its three statuses, its lines' shipped and returned counts and its
/// timeline move only through these methods, each of which guards its own transition and writes a
/// timeline entry. Lines and timeline are read-only views over private lists (EF maps the fields).
/// It raises its own events (order.placed, order.paid, order.delivered, order.cancelled); they are
/// written to the outbox when the change is saved, each carrying the order as saved.
/// </summary>
public sealed class Order : IRaisesEvents
{
    private readonly List<OrderLine> _lines = [];
    private readonly List<OrderTimelineEntry> _timeline = [];

    // Not mapped: EF maps fields only behind properties.
    private readonly List<(string Type, Func<Order, OrderEventData> Payload, DateTime At)> _raised = [];

    private Order()
    {
    }

    public Guid Id { get; private init; } = Ids.NewId();

    /// <summary>The short number people quote (#1042).</summary>
    public long Number { get; private init; }

    public OrderStatus Status { get; private set; }
    public PaymentStatus PaymentStatus { get; private set; }
    public FulfillmentStatus FulfillmentStatus { get; private set; }
    public string Email { get; private init; } = "";
    public Guid? CustomerId { get; private init; }

    /// <summary>
    /// The shopper account that was signed in when the storefront placed this order (null for guests
    /// and the API): an account sees these orders before its email is verified, and no others.
    /// </summary>
    public Guid? PlacedByUserId { get; private init; }

    /// <summary>Where the order came from (<see cref="OrderChannels"/>): the analytics reports group by it.</summary>
    public string Channel { get; private init; } = OrderChannels.OnlineStore;

    public string Currency { get; private init; } = "USD";
    public decimal Subtotal { get; private init; }
    public decimal ShippingTotal { get; private init; }
    public decimal TaxTotal { get; private init; }

    /// <summary>What discounts took off the order: its lines' discounts plus <see cref="ShippingDiscount"/> (docs/promotions.md).</summary>
    public decimal DiscountTotal { get; private init; }

    /// <summary>The part of <see cref="DiscountTotal"/> taken off shipping (a free-shipping discount); <see cref="ShippingTotal"/> is the rate before it.</summary>
    public decimal ShippingDiscount { get; private init; }

    /// <summary>Subtotal − DiscountTotal + ShippingTotal + TaxTotal (tax-inclusive prices already hold their tax).</summary>
    public decimal Total { get; private init; }
    public bool PricesIncludeTax { get; private init; }
    public string? ShippingMethod { get; private init; }
    public Address ShippingAddress { get; private init; } = null!;
    public Guid? CartId { get; private init; }

    /// <summary>The IP address the order was placed from, to limit open unpaid orders per client.</summary>
    public string? ClientAddress { get; private init; }

    public DateTime CreatedAt { get; private init; }
    public DateTime UpdatedAt { get; private set; }
    public DateTime? CancelledAt { get; private set; }
    public IReadOnlyList<OrderLine> Lines => _lines.AsReadOnly();
    public IReadOnlyList<OrderTimelineEntry> Timeline => _timeline.AsReadOnly();

    // ---- Order history import (Orders/Import): where an order came from ----

    /// <summary><see cref="OrderSources.Checkout"/> for orders placed here, <see cref="OrderSources.Import"/> for imported history.</summary>
    public string Source { get; private init; } = OrderSources.Checkout;

    /// <summary>The order's number in the system it came from ("#1001"); null for checkout orders. Unique per source.</summary>
    public string? ExternalNumber { get; private init; }

    /// <summary>When an imported order shipped, as the file says (null when it does not).</summary>
    public DateTime? ShippedAt { get; private init; }

    // ---- end of order history import ----

    /// <summary>Nothing has shipped and it is not cancelled already (the rule <see cref="Cancel"/> enforces).</summary>
    public bool CanCancel => MayCancel(Status, FulfillmentStatus, _lines.Any(l => l.FulfilledQuantity > 0));

    /// <summary>
    /// Units are left to ship and the money allows it (the rule <see cref="EnsureMayShip"/> enforces);
    /// <paramref name="cashOnDelivery"/>: the order has a cash-on-delivery payment.
    /// </summary>
    public bool CanShip(bool cashOnDelivery) =>
        MayShip(Status, PaymentStatus, _lines.Any(l => l.FulfilledQuantity < l.Quantity), cashOnDelivery);

    /// <summary><see cref="CanCancel"/> over an order's state alone, for views of an order (<see cref="OrderView"/>).</summary>
    public static bool MayCancel(OrderStatus status, FulfillmentStatus fulfillment, bool anyUnitShipped) =>
        status != OrderStatus.Cancelled && fulfillment == FulfillmentStatus.Unfulfilled && !anyUnitShipped;

    /// <summary><see cref="CanShip"/> over an order's state alone, for views of an order (<see cref="OrderView"/>).</summary>
    public static bool MayShip(OrderStatus status, PaymentStatus payment, bool unitsLeftToShip, bool cashOnDelivery) =>
        status == OrderStatus.Open && unitsLeftToShip && PaidForShipping(payment, cashOnDelivery);

    public static Order Place(
        long number,
        string email,
        Guid? customerId,
        string currency,
        Address shippingAddress,
        string? shippingMethod,
        IEnumerable<OrderLine> lines,
        decimal shippingTotal,
        decimal taxTotal,
        bool pricesIncludeTax,
        Guid? cartId,
        DateTime now,
        string? clientAddress = null,
        Guid? placedByUserId = null,
        string channel = OrderChannels.OnlineStore,
        decimal shippingDiscount = 0m,
        Guid? id = null)
    {
        var lineList = AtLeastOneLine(lines);

        var subtotal = lineList.Sum(l => l.LineTotal);
        var discountTotal = lineList.Sum(l => l.DiscountAmount) + shippingDiscount;
        var order = new Order
        {
            Id = id ?? Ids.NewId(),
            Number = number,
            Email = email,
            CustomerId = customerId,
            PlacedByUserId = placedByUserId,
            Channel = channel,
            Currency = currency,
            ShippingAddress = shippingAddress,
            ShippingMethod = shippingMethod,
            Subtotal = subtotal,
            ShippingTotal = shippingTotal,
            TaxTotal = taxTotal,
            DiscountTotal = discountTotal,
            ShippingDiscount = shippingDiscount,
            PricesIncludeTax = pricesIncludeTax,

            // Inclusive prices already contain the tax, so it is not added twice.
            Total = subtotal - discountTotal + shippingTotal + (pricesIncludeTax ? 0 : taxTotal),
            CartId = cartId,
            ClientAddress = clientAddress,
            CreatedAt = now,
            UpdatedAt = now,
            Status = OrderStatus.Open,
            PaymentStatus = PaymentStatus.Pending,
            FulfillmentStatus = FulfillmentStatus.Unfulfilled,
        };
        foreach (var line in lineList)
        {
            line.OrderId = order.Id;
        }

        order._lines.AddRange(lineList);

        order.Note("placed", $"Order #{number} placed by {email}.", Actor.Customer, now);
        order.Raise<OrderPlaced>(now);
        return order;
    }

    /// <summary>
    /// An order from another system's history, as it was: paid, delivered and completed, its lines
    /// shipped in full. It raises no event (no email, no webhook, no rollup update: the importer
    /// rebuilds the rollup) and reserves no stock.
    /// </summary>
    public static Order Imported(
        long number,
        string externalNumber,
        string email,
        Guid? customerId,
        string currency,
        Address shippingAddress,
        string? shippingMethod,
        IEnumerable<OrderLine> lines,
        decimal shippingTotal,
        decimal taxTotal,
        DateTime placedAt,
        DateTime? shippedAt,
        string? channel,
        Actor actor,
        DateTime now)
    {
        var lineList = AtLeastOneLine(lines);

        var subtotal = lineList.Sum(l => l.LineTotal);
        var order = new Order
        {
            Number = number,
            Source = OrderSources.Import,
            ExternalNumber = externalNumber,
            Email = email,
            CustomerId = customerId,
            Currency = currency,
            ShippingAddress = shippingAddress,
            ShippingMethod = shippingMethod,
            Subtotal = subtotal,
            ShippingTotal = shippingTotal,
            TaxTotal = taxTotal,
            Total = subtotal + shippingTotal + taxTotal,
            CreatedAt = placedAt,
            UpdatedAt = now,
            ShippedAt = shippedAt,
            // The file's own channel names (e.g. "Retail") when it has the column, else "import".
            Channel = string.IsNullOrWhiteSpace(channel) ? OrderChannels.Import : channel,
            Status = OrderStatus.Completed,
            PaymentStatus = PaymentStatus.Paid,
            FulfillmentStatus = FulfillmentStatus.Delivered,
        };
        foreach (var line in lineList)
        {
            line.OrderId = order.Id;
            line.ShippedInFull();
        }

        order._lines.AddRange(lineList);
        order._timeline.Add(new OrderTimelineEntry
        {
            OrderId = order.Id,
            Kind = "imported",
            Message = $"Imported from order {externalNumber}.",
            Actor = actor.Name,
            At = now,
        });
        return order;
    }

    public OrderTimelineEntry Note(string kind, string message, Actor actor, DateTime now)
    {
        var entry = new OrderTimelineEntry
        {
            OrderId = Id,
            Kind = kind,
            Message = message,
            Actor = actor.Name,
            At = now,
        };
        _timeline.Add(entry);
        UpdatedAt = now;
        return entry;
    }

    public void MarkAuthorized(decimal amount, Actor actor, DateTime now)
    {
        EnsureOpen();
        PaymentStatus = PaymentStatus.Authorized;
        Note("payment_authorized", $"Payment of {amount:0.00} {Currency} authorized.", actor, now);
    }

    public void MarkPaid(decimal amount, Actor actor, DateTime now)
    {
        if (PaymentStatus is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded or PaymentStatus.Refunded)
        {
            throw Errors.Conflict("already_paid", $"Order #{Number} is already paid.");
        }

        EnsureOpen();
        PaymentStatus = PaymentStatus.Paid;
        Note("payment_captured", $"Payment of {amount:0.00} {Currency} captured.", actor, now);
        CompleteIfDone(now);
        Raise<OrderPaid>(now);
    }

    /// <summary>Records a successful refund; <paramref name="refundedSoFar"/> includes this one.</summary>
    public void ApplyRefund(decimal amount, decimal refundedSoFar, decimal captured, string? reason, Actor actor, DateTime now)
    {
        PaymentStatus = refundedSoFar >= captured ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
        Note("refunded", $"Refunded {amount:0.00} {Currency}{(reason is null ? "" : $": {reason}")}.", actor, now);
    }

    public void Cancel(string? reason, Actor actor, DateTime now)
    {
        if (Status == OrderStatus.Cancelled)
        {
            throw Errors.Conflict("order_already_cancelled", $"Order #{Number} is already cancelled.");
        }

        if (!CanCancel)
        {
            throw Errors.Conflict("order_already_shipped", $"Order #{Number} has shipped and can no longer be cancelled; create a return instead.");
        }

        Status = OrderStatus.Cancelled;
        CancelledAt = now;
        Note("cancelled", $"Order cancelled{(reason is null ? "" : $": {reason}")}.", actor, now);
        Raise<OrderCancelled>(now);
    }

    /// <summary>After a payment is voided or fully refunded because the order was cancelled.</summary>
    public void MarkPaymentVoided(Actor actor, DateTime now)
    {
        PaymentStatus = PaymentStatus.Voided;
        Note("payment_voided", "Payment authorization voided.", actor, now);
    }

    /// <summary>
    /// Goods leave only for money in hand: a paid order (partial refunds included) or one whose
    /// customer pays the courier (cash on delivery). A pending bank transfer or a card that is only
    /// authorized waits.
    /// </summary>
    public void EnsureMayShip(bool cashOnDelivery)
    {
        EnsureOpen();
        if (!PaidForShipping(PaymentStatus, cashOnDelivery))
        {
            throw Errors.Conflict("order_not_paid", $"Order #{Number} is not paid yet; it ships once payment is received (cash-on-delivery orders excepted).");
        }
    }

    /// <summary>Counts shipped units against the lines; never more than was ordered.</summary>
    public void RecordShipment(IReadOnlyList<(string Sku, int Quantity)> lines, string carrier, string trackingNumber, Actor actor, DateTime now)
    {
        EnsureOpen();
        foreach (var (sku, quantity) in lines)
        {
            var line = Line(sku);
            line.RecordShipped(quantity, sku, Number);
        }

        FulfillmentStatus = _lines.All(l => l.FulfilledQuantity >= l.Quantity)
            ? FulfillmentStatus.Shipped
            : FulfillmentStatus.PartiallyShipped;
        Note("shipped", $"Shipped {lines.Sum(l => l.Quantity)} unit(s) with {carrier}, tracking {trackingNumber}.", actor, now);
    }

    public void MarkDelivered(bool allShipmentsDelivered, Actor actor, DateTime now)
    {
        EnsureOpen();
        Note("delivered", "Shipment delivered.", actor, now);
        if (allShipmentsDelivered && FulfillmentStatus == FulfillmentStatus.Shipped)
        {
            FulfillmentStatus = FulfillmentStatus.Delivered;
            CompleteIfDone(now);
            Raise<OrderDelivered>(now);
        }
    }

    /// <summary>
    /// Each payload is the order as it is saved: checkout authorizes the payment after placing the
    /// order and before saving, and order.placed says so.
    /// </summary>
    IReadOnlyList<RaisedEvent> IRaisesEvents.TakeRaisedEvents()
    {
        var taken = _raised.Select(r => new RaisedEvent(r.Type, r.Payload(this), r.At)).ToList();
        _raised.Clear();
        return taken;
    }

    public void RecordReturn(IReadOnlyList<(string Sku, int Quantity)> lines, Actor actor, DateTime now)
    {
        foreach (var (sku, quantity) in lines)
        {
            Line(sku).RecordReturned(quantity, sku, Number);
        }

        Note("returned", $"{lines.Sum(l => l.Quantity)} unit(s) received back.", actor, now);
    }

    private void Raise<T>(DateTime now)
        where T : OrderEventData, IEvent, new() => _raised.Add((T.EventType, OrderEventData.Of<T>, now));

    /// <summary>Goods leave only for money in hand, or when the courier collects it (cash on delivery).</summary>
    private static bool PaidForShipping(PaymentStatus payment, bool cashOnDelivery) =>
        payment is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded || (cashOnDelivery && payment == PaymentStatus.Pending);

    private OrderLine Line(string sku) =>
        _lines.FirstOrDefault(l => string.Equals(l.Sku, sku, StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.Unprocessable("sku_not_in_order", $"SKU '{sku}' is not on order #{Number}.");

    private void CompleteIfDone(DateTime now)
    {
        if (Status == OrderStatus.Open && (PaymentStatus is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded) && FulfillmentStatus == FulfillmentStatus.Delivered)
        {
            Status = OrderStatus.Completed;
            UpdatedAt = now;
        }
    }

    private static List<OrderLine> AtLeastOneLine(IEnumerable<OrderLine> lines)
    {
        var list = lines.ToList();
        return list.Count > 0 ? list : throw Errors.Unprocessable("order_empty", "An order needs at least one line.");
    }

    private void EnsureOpen()
    {
        if (Status == OrderStatus.Cancelled)
        {
            throw Errors.Conflict("order_cancelled", $"Order #{Number} is cancelled.");
        }
    }
}

/// <summary>The channels an order can come from (<see cref="Order.Channel"/>).</summary>
public static class OrderChannels
{
    /// <summary>A shopper's checkout: the storefront, or a headless storefront through the public cart API.</summary>
    public const string OnlineStore = "online_store";

    /// <summary>A checkout made by a staff integration with an API key.</summary>
    public const string Api = "api";

    /// <summary>An order staff create in the back office (not possible yet).</summary>
    public const string BackOffice = "back_office";

    /// <summary>Order history imported from another system.</summary>
    public const string Import = "import";

    /// <summary>A buyer accepted a sales quote (Quotes/QuoteAcceptance.cs).</summary>
    public const string Quote = "quote";

    public static readonly IReadOnlyList<string> All = [OnlineStore, Api, BackOffice, Import];
}

/// <summary>Where an order came from (<see cref="Order.Source"/>).</summary>
public static class OrderSources
{
    public const string Checkout = "checkout";
    public const string Import = "import";
}

public sealed class OrderLine
{
    /// <summary>A line as checkout prices it; <paramref name="unitCost"/> is the variant's cost when the order is placed (null when unknown).</summary>
    public static OrderLine For(Guid variantId, string sku, string title, int quantity, decimal unitPrice, decimal lineTotal, decimal taxAmount, decimal? unitCost = null, decimal discount = 0m, IReadOnlyList<OrderLineDiscount>? allocations = null) => new()
    {
        DiscountAmount = discount,
        DiscountAllocations = allocations is { Count: > 0 } ? allocations : null,
        UnitCost = unitCost,
        VariantId = variantId,
        Sku = sku,
        Title = title,
        Quantity = quantity,
        UnitPrice = unitPrice,
        LineTotal = lineTotal,
        TaxAmount = taxAmount,
    };

    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; set; }
    public Guid VariantId { get; init; }
    public required string Sku { get; init; }
    public required string Title { get; init; }
    public int Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    /// <summary>Unit price × quantity, before discounts.</summary>
    public decimal LineTotal { get; init; }

    /// <summary>What discounts took from the line (their allocations, stored by Promotions); tax is on <see cref="NetTotal"/>.</summary>
    public decimal DiscountAmount { get; init; }

    /// <summary>
    /// The line's share of each discount, as the API shows it (<c>discountAllocations</c>); null
    /// without any. A copy of Promotions' order_discount_allocations rows kept with the line, so an
    /// order reads whole without asking Promotions. Loyalty points are in the amount, not here.
    /// </summary>
    public IReadOnlyList<OrderLineDiscount>? DiscountAllocations { get; init; }

    /// <summary>The line after discounts: what the customer pays for it before tax, and what a refund of it gives back.</summary>
    public decimal NetTotal => LineTotal - DiscountAmount;

    public decimal TaxAmount { get; init; }

    /// <summary>What one unit cost the store when the order was placed (the variant's cost then); null when unknown. Analytics' cost of goods.</summary>
    public decimal? UnitCost { get; init; }

    public int FulfilledQuantity { get; private set; }
    public int ReturnedQuantity { get; private set; }

    /// <summary>Units taken by line refunds, pending or done (a failed refund gives its units back).</summary>
    public int RefundedQuantity { get; private set; }

    // ---- Order history import ----

    /// <summary>An imported line: everything ordered has shipped.</summary>
    internal void ShippedInFull() => FulfilledQuantity = Quantity;

    /// <summary>Counts shipped units; never more than were ordered. <paramref name="asked"/>: the SKU as the request spelled it.</summary>
    internal void RecordShipped(int quantity, string asked, long orderNumber)
    {
        if (FulfilledQuantity + quantity > Quantity)
        {
            throw Errors.Conflict("shipment_exceeds_order",
                $"Cannot ship {quantity} of '{asked}': {Quantity - FulfilledQuantity} left to ship on order #{orderNumber}.");
        }

        FulfilledQuantity += quantity;
    }

    /// <summary>Counts units received back; never more than were shipped. <paramref name="asked"/>: the SKU as the request spelled it.</summary>
    internal void RecordReturned(int quantity, string asked, long orderNumber)
    {
        if (ReturnedQuantity + quantity > FulfilledQuantity)
        {
            throw Errors.Conflict("return_exceeds_shipped",
                $"Cannot take back {quantity} of '{asked}': {FulfilledQuantity - ReturnedQuantity} shipped and not yet returned on order #{orderNumber}.");
        }

        ReturnedQuantity += quantity;
    }

    /// <summary>Counts units a line refund takes; never more than were ordered. Called with the order locked.</summary>
    internal void RecordRefunded(int quantity, string asked, long orderNumber)
    {
        if (RefundedQuantity + quantity > Quantity)
        {
            throw Errors.Unprocessable("refund_exceeds_quantity",
                $"Cannot refund {quantity} of '{asked}': {Quantity - RefundedQuantity} of {Quantity} are left to refund on order #{orderNumber}.");
        }

        RefundedQuantity += quantity;
    }

    /// <summary>Gives back the units of a line refund the gateway refused.</summary>
    internal void ReleaseRefunded(int quantity) => RefundedQuantity = Math.Max(0, RefundedQuantity - quantity);
}

/// <summary>Which warehouse holds the reservation for (part of) an order line.</summary>
public sealed class OrderAllocation
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public Guid OrderLineId { get; init; }
    public Guid WarehouseId { get; init; }
    public required string Sku { get; init; }
    public int Quantity { get; init; }
    public int ShippedQuantity { get; private set; }
    public int ReleasedQuantity { get; private set; }
    public int Outstanding => Quantity - ShippedQuantity - ReleasedQuantity;

    /// <summary>Units of this reservation that left the warehouse (never more than are outstanding).</summary>
    public void Ship(int quantity) => ShippedQuantity += Within(quantity);

    /// <summary>Units of this reservation given back to stock (a cancellation).</summary>
    public void Release(int quantity) => ReleasedQuantity += Within(quantity);

    private int Within(int quantity) =>
        quantity >= 0 && quantity <= Outstanding
            ? quantity
            : throw new InvalidOperationException($"{quantity} of '{Sku}' is more than the {Outstanding} outstanding on this allocation.");
}

public sealed class OrderTimelineEntry
{
    public Guid Id { get; init; } = Ids.NewId();
    public Guid OrderId { get; init; }
    public required string Kind { get; init; }
    public required string Message { get; init; }
    public required string Actor { get; init; }
    public DateTime At { get; init; }
}

/// <summary>What one discount took off one order line (major units of the order currency).</summary>
public sealed record OrderLineDiscount(Guid DiscountId, decimal Amount);

using Storekeep.Fulfillment;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Web.Admin.Orders;

/// <summary>Everything the order detail page shows, read in one scope.</summary>
public sealed record OrderDetails(
    OrderView Order,
    IReadOnlyList<PaymentView> Payments,
    IReadOnlyList<RefundView> Refunds,
    IReadOnlyList<ShipmentView> Shipments,
    IReadOnlyList<ReturnView> Returns,
    IReadOnlyList<OutstandingAllocationView> Outstanding)
{
    public decimal Captured => Payments.Sum(p => p.CapturedAmount);
    public decimal Refunded => Payments.Sum(p => p.RefundedAmount);
    public decimal Authorized => Payments.Where(p => p.Status == PaymentRecordStatus.Authorized).Sum(p => p.Amount);
    public decimal Refundable => Captured - Refunded;

    /// <summary>Newest first, as staff read a history.</summary>
    public IEnumerable<TimelineEntryView> Timeline => (Order.Timeline ?? []).AsEnumerable().Reverse();

    public bool MayShip => Order.CanShip(cashOnDelivery: Payments.Any(p => p.Method is PaymentMethod.CashOnDelivery or PaymentMethod.Terms));

    public bool MayCancel => Order.CanCancel();

    /// <summary>Units shipped and not yet returned or asked back, per SKU.</summary>
    public int Returnable(string sku) =>
        Shipments.SelectMany(s => s.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity)
        - Returns.SelectMany(r => r.Lines).Where(l => l.Sku == sku).Sum(l => l.Quantity);
}

/// <summary>One line of the ship or return dialog.</summary>
public sealed class LineQuantity
{
    public required string Sku { get; init; }
    public required string Title { get; init; }
    public int Max { get; init; }
    public int Quantity { get; set; }
}

/// <summary>
/// The order screens' reads and changes, as plain methods over a service scope: the page calls them
/// inside <see cref="AdminPage"/>'s QueryAsync/ChangeAsync (fresh scope, permission re-checked, audit
/// scope of the signed-in user), and tests call them the same way.
/// </summary>
public static class OrderAdmin
{
    public static async Task<OrderDetails> LoadAsync(IServiceProvider sp, string number, CancellationToken ct = default)
    {
        var order = OrderView.From(await sp.GetRequiredService<OrderQueries>().GetAsync(number, ct), withTimeline: true);
        var reference = order.Id.ToString();
        var payments = await sp.GetRequiredService<OrderQueries>().PaymentsAsync(reference, ct);
        var refunds = await sp.GetRequiredService<RefundService>().ListAsync(reference, ct);
        var shipments = await sp.GetRequiredService<ShipmentService>().ListAsync(reference, ct);
        var returns = await sp.GetRequiredService<ReturnService>().ListForOrderAsync(reference, ct);
        var outstanding = await sp.GetRequiredService<ShipmentService>().OutstandingAsync(reference, ct);
        return new OrderDetails(order, payments, refunds, shipments, returns, outstanding);
    }

    public static Task<Page<OrderSummaryView>> SearchAsync(IServiceProvider sp, OrderSearchFilter filter, CancellationToken ct = default) =>
        sp.GetRequiredService<OrderSearch>().SearchAsync(filter, ct);

    /// <summary>Ships the chosen quantities (lines at 0 are left out); an empty warehouse lets the service choose.</summary>
    public static Task<ShipmentView> ShipAsync(IServiceProvider sp, long number, IEnumerable<LineQuantity> lines, string? warehouse, string? carrier, string? trackingNumber, Actor actor, CancellationToken ct = default)
    {
        var chosen = lines.Where(l => l.Quantity > 0).Select(l => (ItemLineRequest?)new ItemLineRequest(l.Sku, l.Quantity)).ToList();
        return sp.GetRequiredService<ShipmentService>().CreateAsync(
            Ref(number), new CreateShipmentRequest(string.IsNullOrWhiteSpace(warehouse) ? null : warehouse, chosen, carrier, trackingNumber), actor, ct);
    }

    public static Task<ShipmentView> MarkDeliveredAsync(IServiceProvider sp, long number, Guid shipmentId, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<ShipmentService>().DeliverAsync(Ref(number), shipmentId, actor, ct);

    public static Task<RefundView> RefundAsync(IServiceProvider sp, long number, decimal? amount, string? reason, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<RefundService>().CreateAsync(Ref(number), new CreateRefundRequest(amount, string.IsNullOrWhiteSpace(reason) ? null : reason), actor, ct);

    /// <summary>Refunds units of lines: their amounts after discounts plus tax, computed by the refund service.</summary>
    public static Task<RefundView> RefundLinesAsync(IServiceProvider sp, long number, IEnumerable<LineQuantity> lines, string? reason, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<RefundService>().CreateAsync(Ref(number), new CreateRefundRequest(
            null, string.IsNullOrWhiteSpace(reason) ? null : reason,
            lines.Where(l => l.Quantity > 0).Select(l => new RefundLineInput(l.Sku, l.Quantity)).ToList()), actor, ct);

    public static Task<Order> CancelAsync(IServiceProvider sp, long number, string? reason, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<OrderCancellation>().CancelAsync(Ref(number), new CancelOrderRequest(string.IsNullOrWhiteSpace(reason) ? null : reason), actor, ct);

    public static Task<PaymentView> CaptureAsync(IServiceProvider sp, long number, Guid paymentId, string? reference, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<PaymentService>().CaptureAsync(Ref(number), paymentId, new CapturePaymentRequest(string.IsNullOrWhiteSpace(reference) ? null : reference), actor, ct);

    public static Task<ReturnView> CreateReturnAsync(IServiceProvider sp, long number, IEnumerable<LineQuantity> lines, string? reason, bool restock, Actor actor, CancellationToken ct = default)
    {
        var chosen = lines.Where(l => l.Quantity > 0).Select(l => (ItemLineRequest?)new ItemLineRequest(l.Sku, l.Quantity)).ToList();
        return sp.GetRequiredService<ReturnService>().CreateAsync(Ref(number), new CreateReturnRequest(chosen, reason, restock), actor, ct);
    }

    public static Task<ReturnView> ReceiveReturnAsync(IServiceProvider sp, Guid returnId, Actor actor, CancellationToken ct = default) =>
        sp.GetRequiredService<ReturnService>().ReceiveAsync(returnId, actor, ct);

    private static string Ref(long number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

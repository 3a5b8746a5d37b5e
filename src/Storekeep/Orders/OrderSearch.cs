using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Fulfillment;
using Storekeep.Shared;

namespace Storekeep.Orders;

/// <summary>The back office's order tabs: the questions staff ask of the three statuses.</summary>
public enum OrderTab
{
    All,

    /// <summary>Open, money not yet in (pending manual payment or an uncaptured authorization).</summary>
    Unpaid,

    /// <summary>Open, paid (partial refunds included), nothing shipped yet: the warehouse's queue.</summary>
    ToShip,

    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,

    /// <summary>With a return requested and not yet received.</summary>
    ReturnsRequested,
}

/// <summary>
/// <paramref name="Search"/> is an order number (1042 or #1042) or a customer's email (exact, case-insensitive);
/// <paramref name="From"/>/<paramref name="To"/> are inclusive UTC dates of placement.
/// </summary>
public sealed record OrderSearchFilter(OrderTab Tab = OrderTab.All, string? Search = null, DateOnly? From = null, DateOnly? To = null, int? Limit = null, string? Cursor = null);

/// <summary>One row of the back office's order list: no lines, so a page is one indexed read.</summary>
public sealed record OrderSummaryView(
    Guid Id,
    long Number,
    DateTime CreatedAt,
    string Email,
    string CustomerName,
    string Currency,
    decimal Total,
    OrderStatus Status,
    PaymentStatus PaymentStatus,
    FulfillmentStatus FulfillmentStatus);

/// <summary>
/// Order list for staff. Each tab is a filter one index serves in number order (keyset on the
/// number, newest first), so a page stays one short index walk at millions of orders: tabs on
/// fulfillment status use (fulfillment_status, number), unpaid uses (payment_status, number),
/// cancelled (status, number), email search (email, number), returns the returns' (status, order_id).
/// </summary>
public sealed class OrderSearch(StorekeepDbContext db)
{
    public async Task<Page<OrderSummaryView>> SearchAsync(OrderSearchFilter filter, CancellationToken ct)
    {
        var limit = Cursor.Limit(filter.Limit);
        var after = Cursor.DecodeLong(filter.Cursor);
        var v = new Validation();
        var search = v.Text("search", filter.Search, 254);
        if (filter.From is { } f && filter.To is { } t && f > t)
        {
            v.Add("to", "'to' must not be before 'from'.");
        }

        v.ThrowIfInvalid();

        var query = ForTab(db, db.Orders.AsNoTracking(), filter.Tab);
        if (search is not null)
        {
            query = Matching(query, search);
        }

        if (filter.From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(o => o.CreatedAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            query = query.Where(o => o.CreatedAt < end);
        }

        if (after is not null)
        {
            query = query.Where(o => o.Number < after);
        }

        var rows = await query.OrderByDescending(o => o.Number).Take(limit + 1)
            .Select(o => new OrderSummaryView(o.Id, o.Number, o.CreatedAt, o.Email, o.ShippingAddress.Name, o.Currency, o.Total, o.Status, o.PaymentStatus, o.FulfillmentStatus))
            .ToListAsync(ct);
        var next = rows.Count > limit ? Cursor.Encode(rows[limit - 1].Number) : null;
        return new Page<OrderSummaryView>(rows.Take(limit).ToList(), next);
    }

    /// <summary>The order with that number (1042 or #1042), or the orders of that email (exact, case-insensitive).</summary>
    internal static IQueryable<Order> Matching(IQueryable<Order> query, string search)
    {
        if (long.TryParse(search.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return query.Where(o => o.Number == number);
        }

        // Emails are stored lower-cased, so equality stays on the (email, number) index.
        var email = search.ToLowerInvariant();
        return query.Where(o => o.Email == email);
    }

    /// <summary>The orders of a tab (the order export reuses them so the back office's Export CSV writes what the page lists).</summary>
    internal static IQueryable<Order> ForTab(StorekeepDbContext db, IQueryable<Order> orders, OrderTab tab) => tab switch
    {
        OrderTab.All => orders,
        OrderTab.Unpaid => orders.Where(o => (o.PaymentStatus == PaymentStatus.Pending || o.PaymentStatus == PaymentStatus.Authorized) && o.Status == OrderStatus.Open),
        OrderTab.ToShip => orders.Where(o => o.FulfillmentStatus == FulfillmentStatus.Unfulfilled && o.Status == OrderStatus.Open
            && (o.PaymentStatus == PaymentStatus.Paid || o.PaymentStatus == PaymentStatus.PartiallyRefunded)),
        OrderTab.PartiallyShipped => orders.Where(o => o.FulfillmentStatus == FulfillmentStatus.PartiallyShipped),
        OrderTab.Shipped => orders.Where(o => o.FulfillmentStatus == FulfillmentStatus.Shipped),
        OrderTab.Delivered => orders.Where(o => o.FulfillmentStatus == FulfillmentStatus.Delivered),
        OrderTab.Cancelled => orders.Where(o => o.Status == OrderStatus.Cancelled),
        OrderTab.ReturnsRequested => orders.Where(o => db.Returns.Any(r => r.Status == ReturnStatus.Requested && r.OrderId == o.Id)),
        _ => throw new ArgumentOutOfRangeException(nameof(tab), tab, null),
    };
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Orders;

public sealed record OrderListFilter(string? Status, string? Email, string? PaymentStatus, string? FulfillmentStatus, int? Limit, string? Cursor);

/// <summary>Reads of orders: by id or number, and the cursor-paginated list (newest first, by number).</summary>
public sealed class OrderQueries(StorekeepDbContext db)
{
    /// <summary>Accepts the order's id or its short number (1042 or #1042).</summary>
    public async Task<Order> GetAsync(string idOrNumber, CancellationToken ct)
    {
        var query = db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Timeline).AsSplitQuery();
        Order? order = null;
        if (Guid.TryParse(idOrNumber, out var id))
        {
            order = await query.FirstOrDefaultAsync(o => o.Id == id, ct);
        }
        else if (long.TryParse(idOrNumber.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            order = await query.FirstOrDefaultAsync(o => o.Number == number, ct);
        }

        return order ?? throw Errors.NotFound("Order", idOrNumber);
    }

    /// <summary>The id of the order with this id or number, without loading it.</summary>
    public async Task<Guid> ResolveIdAsync(string idOrNumber, CancellationToken ct)
    {
        Guid? found = null;
        if (Guid.TryParse(idOrNumber, out var id))
        {
            found = await db.Orders.Where(o => o.Id == id).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
        }
        else if (long.TryParse(idOrNumber.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            found = await db.Orders.Where(o => o.Number == number).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
        }

        return found ?? throw Errors.NotFound("Order", idOrNumber);
    }

    public async Task<Page<OrderView>> ListAsync(OrderListFilter filter, CancellationToken ct)
    {
        var limit = Cursor.Limit(filter.Limit);
        var after = Cursor.DecodeLong(filter.Cursor);
        var v = new Validation();
        var status = ParseEnum<OrderStatus>(v, "status", filter.Status);
        var paymentStatus = ParseEnum<PaymentStatus>(v, "paymentStatus", filter.PaymentStatus);
        var fulfillmentStatus = ParseEnum<FulfillmentStatus>(v, "fulfillmentStatus", filter.FulfillmentStatus);
        var email = v.Text("email", filter.Email, 254)?.ToLowerInvariant();
        v.ThrowIfInvalid();

        var query = db.Orders.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(o => o.Status == status);
        }

        if (paymentStatus is not null)
        {
            query = query.Where(o => o.PaymentStatus == paymentStatus);
        }

        if (fulfillmentStatus is not null)
        {
            query = query.Where(o => o.FulfillmentStatus == fulfillmentStatus);
        }

        if (email is not null)
        {
            query = query.Where(o => o.Email == email);
        }

        if (after is not null)
        {
            query = query.Where(o => o.Number < after);
        }

        var orders = await query.OrderByDescending(o => o.Number).Take(limit + 1).Include(o => o.Lines).AsSplitQuery().ToListAsync(ct);
        var next = orders.Count > limit ? Cursor.Encode(orders[limit - 1].Number) : null;
        return new Page<OrderView>(orders.Take(limit).Select(o => OrderView.From(o)).ToList(), next);
    }

    public async Task<IReadOnlyList<PaymentView>> PaymentsAsync(string idOrNumber, CancellationToken ct)
    {
        var order = await GetAsync(idOrNumber, ct);
        var payments = await db.Payments.AsNoTracking().Where(p => p.OrderId == order.Id).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        return payments.Select(PaymentView.From).ToList();
    }

    internal static TEnum? ParseEnum<TEnum>(Validation v, string field, string? text)
        where TEnum : struct, Enum
    {
        if (text is null)
        {
            return null;
        }

        var names = Enum.GetValues<TEnum>().ToDictionary(e => StorekeepDbContext.ToSnakeCase(e.ToString()), e => e, StringComparer.Ordinal);
        if (names.TryGetValue(text, out var value))
        {
            return value;
        }

        v.Add(field, $"'{field}' must be one of: {string.Join(", ", names.Keys)}.");
        return null;
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Customers;

public sealed record CustomerSummary(Guid Id, string Email, string? FirstName, string? LastName, string? Name, string? Country, DateTime CreatedAt);

public sealed record CustomerOrder(long Number, DateTime CreatedAt, OrderStatus Status, PaymentStatus PaymentStatus, FulfillmentStatus FulfillmentStatus, decimal Total, string Currency);

/// <summary>What a customer's orders add up to, in the store currency (major units, as every amount in the API).</summary>
/// <param name="OrdersCount">Every order placed with the customer's email, cancelled ones included.</param>
/// <param name="TotalSpent">Totals of the orders that are not cancelled, minus their succeeded refunds.</param>
/// <param name="AverageOrderValue"><paramref name="TotalSpent"/> over the orders that are not cancelled; null without one.</param>
public sealed record CustomerStats(int OrdersCount, decimal TotalSpent, decimal? AverageOrderValue, DateTime? FirstOrderAt, DateTime? LastOrderAt);

/// <summary>One customer with their figures and one page of their orders, newest first.</summary>
public sealed record CustomerDetail(
    Guid Id,
    string Email,
    string? FirstName,
    string? LastName,
    string? Name,
    string? Phone,
    string? Company,
    string? Country,
    DateTime CreatedAt,
    string Currency,
    CustomerStats Stats,
    Page<CustomerOrder> Orders);

/// <summary>
/// Customers for the back office and the API (one read path for both). A customer's orders are
/// those placed with their email (signed in or as a guest).
/// </summary>
public sealed class CustomerDirectory(StorekeepDbContext db)
{
    /// <summary>Newest first, keyset on the (time-ordered) id; <paramref name="q"/> matches email or name.</summary>
    public async Task<Page<CustomerSummary>> ListAsync(string? q, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validation();
        var term = v.Text("q", q, 200)?.ToLowerInvariant();
        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Customers.AsNoTracking();
        if (term is { Length: > 0 })
        {
            query = query.Where(c => c.Email.Contains(term)
                || (c.FirstName != null && c.FirstName.ToLower().Contains(term))
                || (c.LastName != null && c.LastName.ToLower().Contains(term)));
        }

        if (after is { } a)
        {
            query = query.Where(c => c.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(c => c.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(Summary).ToList();
        return new Page<CustomerSummary>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>By id, or by email (the API's <c>/customers/{id or email}</c>); 404 when there is none.</summary>
    public async Task<CustomerDetail> GetAsync(string idOrEmail, int? limit, string? cursor, CancellationToken ct)
    {
        if (Guid.TryParse(idOrEmail, out var id))
        {
            return await GetAsync(id, limit, cursor, ct);
        }

        var email = idOrEmail.Trim().ToLowerInvariant();
        var found = await db.Customers.AsNoTracking().Where(c => c.Email == email).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct)
            ?? throw Errors.NotFound("Customer", idOrEmail);
        return await GetAsync(found, limit, cursor, ct);
    }

    public async Task<CustomerDetail> GetAsync(Guid id, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeLong(cursor);
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw Errors.NotFound("Customer", id.ToString());
        var email = customer.Email;
        var orders = db.Orders.AsNoTracking().Where(o => o.Email == email);
        var counted = await orders.Where(o => o.Status != OrderStatus.Cancelled).Select(o => new { o.Total, o.Currency }).ToListAsync(ct);
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Status == RefundStatus.Succeeded)
            .Join(orders.Where(o => o.Status != OrderStatus.Cancelled), r => r.OrderId, o => o.Id, (r, o) => r.Amount).ToListAsync(ct);
        var placed = await orders.Select(o => o.CreatedAt).ToListAsync(ct);
        var currency = counted.FirstOrDefault()?.Currency
            ?? await StoreSettingsService.CurrencyAsync(db, ct);
        var spent = counted.Sum(o => o.Total) - refunds.Sum();
        var stats = new CustomerStats(
            placed.Count,
            spent,
            counted.Count == 0 ? null : decimal.Round(spent / counted.Count, 2, MidpointRounding.AwayFromZero),
            placed.Count == 0 ? null : placed.Min(),
            placed.Count == 0 ? null : placed.Max());

        var pageQuery = before is { } b ? orders.Where(o => o.Number < b) : orders;
        var page = await pageQuery.OrderByDescending(o => o.Number).Take(take + 1)
            .Select(o => new CustomerOrder(o.Number, o.CreatedAt, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.Total, o.Currency))
            .ToListAsync(ct);
        var items = page.Take(take).ToList();
        var summary = Summary(customer);
        return new CustomerDetail(
            customer.Id,
            customer.Email,
            customer.FirstName,
            customer.LastName,
            summary.Name,
            customer.Phone,
            customer.Company,
            customer.Country,
            customer.CreatedAt,
            currency,
            stats,
            new Page<CustomerOrder>(items, page.Count > take ? Cursor.Encode(items[^1].Number) : null));
    }

    private static CustomerSummary Summary(Customer c) =>
        new(c.Id, c.Email, c.FirstName, c.LastName, string.Join(' ', new[] { c.FirstName, c.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } name ? name : null, c.Country, c.CreatedAt);
}

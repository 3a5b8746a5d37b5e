using Microsoft.EntityFrameworkCore;
using Storekeep.Attribution;
using Storekeep.Data;
using Storekeep.Loyalty;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Customers;

/// <summary>A customer in a list: the detail's profile and figures (the detail adds a page of orders and the currency).</summary>
public sealed record CustomerSummary(
    Guid Id,
    string Email,
    string? FirstName,
    string? LastName,
    string? Name,
    string? Country,
    DateTime CreatedAt,
    string? Phone,
    string? Company,
    IReadOnlyList<string> Tags,
    CustomerConsentView Consent,
    CustomerStats Stats,
    CustomerRfmView? Rfm,
    string? Note,
    CustomerLoyaltySummary Loyalty,
    CustomerAcquisitionView Acquisition);

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
    Page<CustomerOrder> Orders,
    IReadOnlyList<string> Tags,
    string? Note,
    DateTime? NoteUpdatedAt,
    CustomerConsentView Consent,
    CustomerRfmView? Rfm,
    CustomerLoyaltySummary Loyalty,
    CustomerAcquisitionView Acquisition);

/// <summary>
/// Customers for the back office and the API (one read path for both). A customer's orders are
/// those placed with their email (signed in or as a guest).
/// </summary>
public sealed class CustomerDirectory(StorekeepDbContext db, CustomerFigures figures, LoyaltyLedger loyalty, Touches touches)
{
    /// <summary>
    /// Newest first, keyset on the (time-ordered) id; <paramref name="q"/> matches email or name,
    /// <paramref name="tag"/> a tag exactly; <paramref name="within"/> narrows to a segment's members.
    /// </summary>
    public async Task<Page<CustomerSummary>> ListAsync(string? q, string? tag, int? limit, string? cursor, CancellationToken ct, IQueryable<Guid>? within = null)
    {
        var v = new Validation();
        var term = v.Text("q", q, 200)?.ToLowerInvariant();
        var tagged = v.Text("tag", tag, CustomerTag.MaxLength)?.ToLowerInvariant();
        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Customers.AsNoTracking();
        if (tagged is not null)
        {
            query = query.Where(c => db.Set<CustomerTag>().Any(t => t.CustomerId == c.Id && t.Tag == tagged));
        }

        if (within is not null)
        {
            query = query.Where(c => within.Contains(c.Id));
        }

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
        var page = rows.Take(take).ToList();
        var ids = page.Select(c => c.Id).ToList();
        var tags = (await db.Set<CustomerTag>().AsNoTracking().Where(t => ids.Contains(t.CustomerId)).ToListAsync(ct))
            .ToLookup(t => t.CustomerId, t => t.Tag);
        var figured = await figures.Of([.. page.Select(c => c.Email)]).ToDictionaryAsync(f => f.CustomerId, ct);
        var points = await loyalty.SummariesAsync(ids, ct);
        var acquisitions = await touches.OfEmailsAsync([.. page.Select(c => c.Email)], ct);
        var items = page.Select(c => Summary(
            c,
            [.. tags[c.Id].Order(StringComparer.Ordinal)],
            figured.GetValueOrDefault(c.Id),
            new CustomerLoyaltySummary(points[c.Id].Balance, points[c.Id].Tier),
            CustomerAcquisitionView.Of(acquisitions.GetValueOrDefault(c.Email)))).ToList();
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
        // The stats are the figures row's (the same definitions the list and segments use), read once.
        var figured = await figures.Of([email]).FirstOrDefaultAsync(ct);
        var stats = StatsOf(figured);
        var currency = await orders.Where(o => o.Status != OrderStatus.Cancelled).Select(o => o.Currency).FirstOrDefaultAsync(ct)
            ?? await StoreSettingsService.CurrencyAsync(db, ct);

        var pageQuery = before is { } b ? orders.Where(o => o.Number < b) : orders;
        var page = await pageQuery.OrderByDescending(o => o.Number).Take(take + 1)
            .Select(o => new CustomerOrder(o.Number, o.CreatedAt, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.Total, o.Currency))
            .ToListAsync(ct);
        var items = page.Take(take).ToList();
        var tags = await db.Set<CustomerTag>().AsNoTracking().Where(t => t.CustomerId == id).Select(t => t.Tag).OrderBy(t => t).ToListAsync(ct);
        var points = await loyalty.GetAsync(id, 1, null, ct);
        var acquisition = (await touches.OfEmailsAsync([email], ct)).GetValueOrDefault(email);
        return new CustomerDetail(
            customer.Id,
            customer.Email,
            customer.FirstName,
            customer.LastName,
            NameOf(customer),
            customer.Phone,
            customer.Company,
            customer.Country,
            customer.CreatedAt,
            currency,
            stats,
            new Page<CustomerOrder>(items, page.Count > take ? Cursor.Encode(items[^1].Number) : null),
            tags,
            customer.Note,
            customer.NoteUpdatedAt,
            ConsentOf(customer),
            figured is null ? null : RfmSegments.View(figured),
            new CustomerLoyaltySummary(points.Balance, points.Tier),
            CustomerAcquisitionView.Of(acquisition));
    }

    public static CustomerConsentView ConsentOf(Customer c) =>
        new(new ConsentView(c.AcceptsEmail, c.EmailConsentAt, c.EmailConsentSource), new ConsentView(c.AcceptsSms, c.SmsConsentAt, c.SmsConsentSource));

    /// <summary>The stats of a figures row (the same definitions as <see cref="CustomerStats"/>); zeros without one.</summary>
    public static CustomerStats StatsOf(CustomerFigureRow? f)
    {
        if (f is null)
        {
            return new CustomerStats(0, 0m, null, null, null);
        }

        var spent = MinorUnits.FromMinor(f.SpentMinor);
        return new CustomerStats(
            (int)f.OrdersCount,
            spent,
            f.LiveOrders == 0 ? null : decimal.Round(spent / f.LiveOrders, 2, MidpointRounding.AwayFromZero),
            Utc(f.FirstOrderAt),
            Utc(f.LastOrderAt));
    }

    // SQLite hands back raw query times without a kind; they are stored as UTC.
    private static DateTime? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;

    private static string? NameOf(Customer c) =>
        string.Join(' ', new[] { c.FirstName, c.LastName }.Where(n => !string.IsNullOrWhiteSpace(n))) is { Length: > 0 } name ? name : null;

    private static CustomerSummary Summary(Customer c, IReadOnlyList<string> tags, CustomerFigureRow? f, CustomerLoyaltySummary loyalty, CustomerAcquisitionView acquisition) =>
        new(c.Id, c.Email, c.FirstName, c.LastName, NameOf(c), c.Country, c.CreatedAt, c.Phone, c.Company, tags, ConsentOf(c), StatsOf(f), f is null ? null : RfmSegments.View(f),
            c.Note, loyalty, acquisition);
}

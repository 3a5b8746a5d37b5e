using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Loyalty;
using Storekeep.Messaging;
using Storekeep.Shared;
using Storekeep.Support;

namespace Storekeep.Customers;

/// <summary>
/// One thing that happened with a customer. <paramref name="Type"/>: <c>order</c> (placed),
/// <c>message</c> (an email or SMS queued to them), <c>note</c> (staff's note last changed),
/// <c>loyalty</c> (a points ledger entry), <c>ticket</c> (a support ticket opened; its status now).
/// </summary>
public sealed record CustomerTimelineEntry(
    string Type,
    DateTime At,
    Guid Id,
    string Summary,
    long? OrderNumber,
    decimal? Amount,
    string? Currency,
    long? Points,
    string? Status);

/// <summary>Reads a customer's history from the capabilities that hold it (orders, messaging, loyalty, support), newest first.</summary>
public sealed class CustomerTimeline(StorekeepDbContext db)
{
    /// <summary>
    /// Keyset on (time, id): each source gives its next <c>limit + 1</c> entries before the cursor, in
    /// SQL, and the newest of them make the page.
    /// </summary>
    public async Task<Page<CustomerTimelineEntry>> GetAsync(Guid customerId, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var (beforeAt, beforeId) = Decode(cursor);
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct)
            ?? throw Errors.NotFound("Customer", customerId.ToString());
        var email = customer.Email;
        var entries = new List<CustomerTimelineEntry>();

        var orders = db.Orders.AsNoTracking().Where(o => o.Email == email);
        if (beforeAt is { } oa)
        {
            orders = orders.Where(o => o.CreatedAt < oa || (o.CreatedAt == oa && o.Id.CompareTo(beforeId) < 0));
        }

        entries.AddRange((await orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(take + 1)
                .Select(o => new { o.Id, o.CreatedAt, o.Number, o.Total, o.Currency, o.Status }).ToListAsync(ct))
            .Select(o => new CustomerTimelineEntry("order", o.CreatedAt, o.Id, $"Order #{o.Number} placed", o.Number, o.Total, o.Currency, null, StorekeepDbContext.ToSnakeCase(o.Status.ToString()))));

        var messages = db.Set<Message>().AsNoTracking().Where(m => m.To == email);
        if (beforeAt is { } ma)
        {
            messages = messages.Where(m => m.CreatedAt < ma || (m.CreatedAt == ma && m.Id.CompareTo(beforeId) < 0));
        }

        entries.AddRange((await messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take + 1)
                .Select(m => new { m.Id, m.CreatedAt, m.Subject, m.Channel, m.Status }).ToListAsync(ct))
            .Select(m => new CustomerTimelineEntry("message", m.CreatedAt, m.Id, $"{m.Channel}: {m.Subject}", null, null, null, null, StorekeepDbContext.ToSnakeCase(m.Status.ToString()))));

        var points = db.Set<LoyaltyEntry>().AsNoTracking().Where(e => e.CustomerId == customerId);
        if (beforeAt is { } la)
        {
            points = points.Where(e => e.CreatedAt < la || (e.CreatedAt == la && e.Id.CompareTo(beforeId) < 0));
        }

        entries.AddRange((await points.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(take + 1).ToListAsync(ct))
            .Select(e => new CustomerTimelineEntry("loyalty", e.CreatedAt, e.Id, e.Reason ?? $"Points {StorekeepDbContext.ToSnakeCase(e.Type.ToString())}", null, null, null, e.Points, StorekeepDbContext.ToSnakeCase(e.Type.ToString()))));

        // A ticket is the customer's by link or by email (one opened before the customer existed has no link).
        var tickets = db.Set<Ticket>().AsNoTracking().Where(t => t.CustomerId == customerId || t.Email == email);
        if (beforeAt is { } ta)
        {
            tickets = tickets.Where(t => t.CreatedAt < ta || (t.CreatedAt == ta && t.Id.CompareTo(beforeId) < 0));
        }

        entries.AddRange((await tickets.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(take + 1)
                .Select(t => new { t.Id, t.CreatedAt, t.Subject, t.Status }).ToListAsync(ct))
            .Select(t => new CustomerTimelineEntry("ticket", t.CreatedAt, t.Id, $"Ticket: {t.Subject}", null, null, null, null, StorekeepDbContext.ToSnakeCase(t.Status.ToString()))));

        // The note is one text that staff edit; its entry is its latest change (keyed by the customer's id).
        if (customer is { Note: { } note, NoteUpdatedAt: { } noted } && (beforeAt is null || noted < beforeAt || (noted == beforeAt && customer.Id.CompareTo(beforeId) < 0)))
        {
            entries.Add(new CustomerTimelineEntry("note", noted, customer.Id, note, null, null, null, null, null));
        }

        var page = entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(take + 1).ToList();
        var items = page.Take(take).ToList();
        return new Page<CustomerTimelineEntry>(items, page.Count > take ? Encode(items[^1]) : null);
    }

    private static string Encode(CustomerTimelineEntry last) =>
        Cursor.Encode($"{last.At.Ticks.ToString(CultureInfo.InvariantCulture)}_{last.Id}");

    private static (DateTime? At, Guid Id) Decode(string? cursor)
    {
        if (Cursor.Decode(cursor) is not { } text)
        {
            return (null, Guid.Empty);
        }

        var parts = text.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks) && ticks is > 0 && ticks < DateTime.MaxValue.Ticks && Guid.TryParse(parts[1], out var id)
            ? (new DateTime(ticks, DateTimeKind.Utc), id)
            : throw Errors.BadRequest("invalid_cursor", "The cursor is not one this API issued.");
    }
}

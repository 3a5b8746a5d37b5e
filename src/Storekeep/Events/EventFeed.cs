using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>One published event, as the feed lists it and as a webhook receives it.</summary>
public sealed record EventEnvelope(Guid Id, string Type, DateTime OccurredAt, long Position, JsonElement Data)
{
    public static EventEnvelope From(Guid id, string type, DateTime occurredAt, long position, string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return new EventEnvelope(id, type, occurredAt, position, document.RootElement.Clone());
    }
}

/// <summary>
/// The event feed: published events in <see cref="OutboxEvent.Position"/> order. A reader resumes
/// after the id of the last event it saw; positions only grow, so it never misses one.
/// </summary>
public sealed class EventFeed(StorekeepDbContext db)
{
    public async Task<Page<EventEnvelope>> ReadAsync(string? after, string? type, int? limit, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        if (type is not null && !EventTypes.All.Contains(type, StringComparer.Ordinal))
        {
            new Validation().Add("type", $"'type' must be one of: {string.Join(", ", EventTypes.All)}.").ThrowIfInvalid();
        }

        var afterPosition = 0L;
        if (!string.IsNullOrEmpty(after))
        {
            afterPosition = Guid.TryParse(after, out var afterId)
                ? await db.OutboxEvents.Where(e => e.Id == afterId).Select(e => e.Position).SingleOrDefaultAsync(ct)
                    ?? throw UnknownCursor()
                : throw UnknownCursor();
        }

        var query = db.OutboxEvents.AsNoTracking().Where(e => e.Position > afterPosition);
        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }

        var rows = await query.OrderBy(e => e.Position).Take(take + 1)
            .Select(e => new { e.Id, e.Type, e.OccurredAt, e.Position, e.Payload })
            .ToListAsync(ct);
        var items = rows.Take(take).Select(e => EventEnvelope.From(e.Id, e.Type, e.OccurredAt, e.Position!.Value, e.Payload)).ToList();
        return new Page<EventEnvelope>(items, rows.Count > take ? items[^1].Id.ToString() : null);
    }

    private static StorekeepException UnknownCursor() =>
        Errors.BadRequest("invalid_cursor", "'after' must be the id of an event from this feed.");
}

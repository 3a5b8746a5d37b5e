using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Audit;

public sealed record AuditFilter(string? Actor = null, string? EntityType = null, string? EntityId = null, DateTime? From = null, DateTime? To = null);

/// <summary>One changed property: its value before and after, as display text.</summary>
public sealed record AuditChange(string Property, string? Before, string? After);

public sealed record AuditEntryView(Guid Id, DateTime OccurredAt, string Actor, string Action, string EntityType, string EntityId, IReadOnlyList<AuditChange> Changes);

/// <summary>Reads the audit log: newest first, keyset on the (time-ordered) id, filtered.</summary>
public sealed class AuditQueries(StorekeepDbContext db)
{
    public async Task<Page<AuditEntryView>> ListAsync(AuditFilter filter, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeGuid(cursor);
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            query = query.Where(a => a.Actor == filter.Actor.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.EntityType))
        {
            query = query.Where(a => a.EntityType == filter.EntityType.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.EntityId))
        {
            query = query.Where(a => a.EntityId == filter.EntityId.Trim());
        }

        if (filter.From is { } from)
        {
            query = query.Where(a => a.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(a => a.OccurredAt < to);
        }

        if (before is { } beforeId)
        {
            query = query.Where(a => a.Id.CompareTo(beforeId) < 0);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(ToView).ToList();
        return new Page<AuditEntryView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>The entity types that appear in the log, for the filter's choices.</summary>
    public async Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken ct) =>
        await db.AuditLog.AsNoTracking().Select(a => a.EntityType).Distinct().OrderBy(t => t).ToListAsync(ct);

    public static AuditEntryView ToView(AuditEntry entry) =>
        new(entry.Id, entry.OccurredAt, entry.Actor, entry.Action, entry.EntityType, entry.EntityId, Diff(entry.Before, entry.After));

    /// <summary>Property by property: old → new (one side empty when created or deleted).</summary>
    public static IReadOnlyList<AuditChange> Diff(string? before, string? after)
    {
        var old = Parse(before);
        var now = Parse(after);
        return old.Keys.Union(now.Keys, StringComparer.Ordinal)
            .Select(k => new AuditChange(k, old.GetValueOrDefault(k), now.GetValueOrDefault(k)))
            .Where(c => c.Before != c.After || before is null || after is null)
            .ToList();
    }

    private static Dictionary<string, string?> Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind != JsonValueKind.Object
            ? []
            : document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Text(p.Value), StringComparer.Ordinal);
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}

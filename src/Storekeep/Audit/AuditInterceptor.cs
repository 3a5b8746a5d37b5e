using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Storekeep.Events;
using Storekeep.Idempotency;

namespace Storekeep.Audit;

/// <summary>
/// Writes an <see cref="AuditEntry"/> for every tracked insert, update and delete saved while an
/// <see cref="AuditScope"/> is open, in the same SaveChanges (so the audit row commits or rolls back
/// with the change). Stock moves through guarded SQL and has its own ledger.
/// </summary>
public sealed class AuditInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    private static readonly HashSet<Type> NotAudited = [typeof(AuditEntry), typeof(OutboxEvent), typeof(WebhookDelivery), typeof(IdempotencyRecord)];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AddEntries(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        AddEntries(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void AddEntries(DbContext? context)
    {
        if (context is null || AuditScope.Current is not { } actor)
        {
            return;
        }

        context.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow().UtcDateTime;
        var entries = context.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Where(e => !NotAudited.Contains(e.Entity.GetType()) && !e.Metadata.IsOwned())
            .Select(e => Describe(e, actor.Name, now))
            .OfType<AuditEntry>()
            .ToList();
        context.AddRange(entries);
    }

    private static AuditEntry? Describe(EntityEntry entry, string actor, DateTime now)
    {
        var properties = entry.Properties.Where(p => !p.Metadata.IsPrimaryKey()).ToList();
        var owned = entry.References.Where(r => r.TargetEntry is { } target && target.Metadata.IsOwned()).ToList();
        Dictionary<string, object?>? before = null, after = null;
        switch (entry.State)
        {
            case EntityState.Added:
                after = properties.ToDictionary(p => p.Metadata.Name, p => Shown(p.Metadata.Name, p.CurrentValue));
                break;
            case EntityState.Deleted:
                before = properties.ToDictionary(p => p.Metadata.Name, p => Shown(p.Metadata.Name, p.OriginalValue));
                break;
            default:
                var changed = properties.Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)).ToList();
                if (changed.Count == 0 && owned.Count == 0)
                {
                    return null;
                }

                before = changed.ToDictionary(p => p.Metadata.Name, p => Shown(p.Metadata.Name, p.OriginalValue));
                after = changed.ToDictionary(p => p.Metadata.Name, p => Shown(p.Metadata.Name, p.CurrentValue));
                break;
        }

        var key = entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name).CurrentValue?.ToString() ?? "") ?? [];
        return new AuditEntry
        {
            OccurredAt = now,
            Actor = actor,
            Action = entry.State switch { EntityState.Added => "created", EntityState.Deleted => "deleted", _ => "updated" },
            EntityType = entry.Metadata.ClrType.Name,
            EntityId = string.Join('/', key),
            Before = before is null ? null : JsonSerializer.Serialize(before),
            After = after is null ? null : JsonSerializer.Serialize(after),
        };
    }

    /// <summary>Secrets and hashes are never copied into the audit log, only the fact that they changed.</summary>
    private static object? Shown(string property, object? value) =>
        property.EndsWith("Hash", StringComparison.Ordinal) || property.Contains("Secret", StringComparison.Ordinal) ||
        property is "SecurityStamp" or "ConcurrencyStamp" or "Token"
            ? (value is null ? null : "[redacted]")
            : value;
}

using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Storekeep.Events;
using Storekeep.Idempotency;

namespace Storekeep.Audit;

/// <summary>
/// Writes an <see cref="AuditEntry"/> for every tracked insert, update and delete saved while an
/// <see cref="AuditScope"/> is open, in the same SaveChanges (so the audit row commits or rolls back
/// with the change). Changes to owned values (an order's address) are recorded on their owner as
/// <c>Owner.Property</c>. Bulk updates (ExecuteUpdate) bypass the change tracker: the services doing
/// them staff can trigger record them with <see cref="Record"/>. Stock has its own ledger.
/// </summary>
public sealed class AuditInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    // Data-protection keys are key material; deliveries, outbox and idempotency rows are machinery;
    // a stock movement is itself the audit record of a stock change (who, what, why, when), so a
    // second row for it would only double the log (an import of 100,000 SKUs wrote 100,000 twins).
    // A message is its own log, and its body may hold a password-reset link that must not be copied.
    // Analytics rollups are recomputed from audited rows; logging them would log every order twice.
    private static readonly HashSet<Type> NotAudited =
    [
        typeof(AuditEntry), typeof(OutboxEvent), typeof(WebhookDelivery), typeof(IdempotencyRecord), typeof(DataProtectionKey), typeof(Inventory.StockMovement), typeof(Messaging.Message),
        typeof(Analytics.DailySales), typeof(Analytics.DailyKpi), typeof(Analytics.CustomerMonth), typeof(Analytics.CustomerMonthsShare),
    ];

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

    /// <summary>
    /// Adds an audit row for a change the change tracker cannot see (ExecuteUpdate), when an audit
    /// scope is open; it is saved with the context's next SaveChanges.
    /// </summary>
    public static void Record(DbContext db, DateTime now, string action, string entityType, string entityId, object? before, object? after)
    {
        if (AuditScope.Current is not { } actor)
        {
            return;
        }

        db.Add(new AuditEntry
        {
            OccurredAt = now,
            Actor = actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Before = before is null ? null : JsonSerializer.Serialize(before),
            After = after is null ? null : JsonSerializer.Serialize(after),
        });
    }

    /// <summary>
    /// The audit row SaveChanges would have added for <paramref name="entity"/> as a new entity, for
    /// rows written without the change tracker (<see cref="Data.BulkInsert"/>); null when no audit
    /// scope is open. Same values, same order, same redactions as <see cref="Describe"/>.
    /// </summary>
    public static AuditEntry? Created(DbContext db, object entity, DateTime now)
    {
        if (AuditScope.Current is not { } actor)
        {
            return null;
        }

        var type = db.Model.FindEntityType(entity.GetType()) ?? throw new InvalidOperationException($"{entity.GetType().Name} is not mapped.");
        var after = new Dictionary<string, object?>();
        CollectNew(type, entity, "", after);
        var key = type.FindPrimaryKey()?.Properties.Select(p => Read(p, entity)?.ToString() ?? "") ?? [];
        return new AuditEntry
        {
            OccurredAt = now,
            Actor = actor.Name,
            Action = "created",
            EntityType = TypeName(type.ClrType),
            EntityId = string.Join('/', key),
            After = JsonSerializer.Serialize(after),
        };
    }

    private static void CollectNew(IEntityType type, object entity, string prefix, Dictionary<string, object?> values)
    {
        foreach (var p in type.GetProperties().Where(p => !p.IsPrimaryKey() && !(type.IsOwned() && p.IsForeignKey())))
        {
            values[prefix + p.Name] = Shown(entity, p.Name, Read(p, entity));
        }

        foreach (var navigation in type.GetNavigations().Where(n => n.TargetEntityType.IsOwned() && !n.IsOnDependent && !n.IsCollection))
        {
            if (navigation.PropertyInfo?.GetValue(entity) is { } owned)
            {
                CollectNew(navigation.TargetEntityType, owned, prefix + navigation.Name + ".", values);
            }
        }
    }

    private static object? Read(IProperty property, object entity) =>
        property.PropertyInfo is { } info ? info.GetValue(entity)
        : throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} is a shadow property: its audit value is only in the change tracker.");

    private void AddEntries(DbContext? context)
    {
        if (context is null || AuditScope.Current is not { } actor)
        {
            return;
        }

        context.ChangeTracker.DetectChanges();
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = context.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Where(e => !NotAudited.Contains(e.Entity.GetType()))
            .ToList();
        var audited = changed.Where(e => !e.Metadata.IsOwned()).ToList();

        // An owned value changed on its own (owner unchanged): the owner's row names the change.
        foreach (var owner in changed.Where(e => e.Metadata.IsOwned()).Select(e => FindOwner(context, e)).OfType<EntityEntry>())
        {
            if (!audited.Contains(owner))
            {
                audited.Add(owner);
            }
        }

        context.AddRange(audited.Select(e => Describe(e, actor.Name, now)).OfType<AuditEntry>().ToList());
    }

    private static EntityEntry? FindOwner(DbContext context, EntityEntry owned)
    {
        var ownership = owned.Metadata.FindOwnership();
        if (ownership is null)
        {
            return null;
        }

        var key = ownership.Properties.Select(p => owned.Property(p.Name).CurrentValue).ToList();
        var owner = context.ChangeTracker.Entries().FirstOrDefault(e => e.Metadata == ownership.PrincipalEntityType &&
            ownership.PrincipalKey.Properties.Select(p => e.Property(p.Name).CurrentValue).SequenceEqual(key));
        return owner is not null && owner.Metadata.IsOwned() ? FindOwner(context, owner) : owner;
    }

    private static AuditEntry? Describe(EntityEntry entry, string actor, DateTime now)
    {
        Dictionary<string, object?>? before = null, after = null;
        switch (entry.State)
        {
            case EntityState.Added:
                after = [];
                Collect(entry, "", after, null, p => p.CurrentValue);
                break;
            case EntityState.Deleted:
                before = [];
                Collect(entry, "", before, null, p => p.OriginalValue);
                break;
            default:
                before = [];
                after = [];
                CollectChanges(entry, "", before, after);
                if (after.Count == 0 && before.Count == 0)
                {
                    return null;
                }

                break;
        }

        var key = entry.Metadata.FindPrimaryKey()?.Properties.Select(p => entry.Property(p.Name).CurrentValue?.ToString() ?? "") ?? [];
        return new AuditEntry
        {
            OccurredAt = now,
            Actor = actor,
            Action = entry.State switch { EntityState.Added => "created", EntityState.Deleted => "deleted", _ => "updated" },
            EntityType = TypeName(entry.Metadata.ClrType),
            EntityId = string.Join('/', key),
            Before = before is null ? null : JsonSerializer.Serialize(before),
            After = after is null ? null : JsonSerializer.Serialize(after),
        };
    }

    /// <summary>All values of an added or deleted entity, its owned values included.</summary>
    private static void Collect(EntityEntry entry, string prefix, Dictionary<string, object?> values, Func<PropertyEntry, bool>? only, Func<PropertyEntry, object?> value)
    {
        foreach (var p in Properties(entry).Where(p => only is null || only(p)))
        {
            values[prefix + p.Metadata.Name] = Shown(entry.Entity, p.Metadata.Name, value(p));
        }

        foreach (var owned in OwnedTargets(entry))
        {
            Collect(owned.Entry, prefix + owned.Name + ".", values, only, value);
        }
    }

    private static void CollectChanges(EntityEntry entry, string prefix, Dictionary<string, object?> before, Dictionary<string, object?> after)
    {
        foreach (var p in Properties(entry).Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)))
        {
            before[prefix + p.Metadata.Name] = Shown(entry.Entity, p.Metadata.Name, p.OriginalValue);
            after[prefix + p.Metadata.Name] = Shown(entry.Entity, p.Metadata.Name, p.CurrentValue);
        }

        foreach (var owned in OwnedTargets(entry))
        {
            switch (owned.Entry.State)
            {
                case EntityState.Added:
                    Collect(owned.Entry, prefix + owned.Name + ".", after, null, p => p.CurrentValue);
                    break;
                case EntityState.Deleted:
                    Collect(owned.Entry, prefix + owned.Name + ".", before, null, p => p.OriginalValue);
                    break;
                case EntityState.Modified:
                    CollectChanges(owned.Entry, prefix + owned.Name + ".", before, after);
                    break;
            }
        }
    }

    private static IEnumerable<PropertyEntry> Properties(EntityEntry entry) =>
        entry.Properties.Where(p => !p.Metadata.IsPrimaryKey() && !(entry.Metadata.IsOwned() && p.Metadata.IsForeignKey()));

    private static IEnumerable<(string Name, EntityEntry Entry)> OwnedTargets(EntityEntry entry) =>
        entry.References.Where(r => r.TargetEntry is { } target && target.Metadata.IsOwned()).Select(r => (r.Metadata.Name, r.TargetEntry!));

    /// <summary>Identity's generic names (IdentityUserRole`1) read as UserRoleLink and so on.</summary>
    private static string TypeName(Type type) =>
        type.IsGenericType ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)].Replace("Identity", "", StringComparison.Ordinal) : type.Name;

    /// <summary>Secrets, hashes and tokens are never copied into the audit log, only the fact that they changed.</summary>
    private static object? Shown(object entity, string property, object? value) =>
        property.EndsWith("Hash", StringComparison.Ordinal) || property.Contains("Secret", StringComparison.Ordinal) ||
        property.Contains("Password", StringComparison.Ordinal) ||
        property is "SecurityStamp" or "ConcurrencyStamp" or "Token" ||
        (entity is IdentityUserToken<Guid> && property == "Value")
            ? (value is null ? null : "[redacted]")
            : value;
}

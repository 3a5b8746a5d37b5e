using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Storekeep.Inventory;

namespace Storekeep.Catalog;

/// <summary>
/// Calls <see cref="CatalogChangeSignal.Notify"/> once a unit of work that touched the catalog or
/// stock has committed, so no writer has to remember to. Stock balances change by raw guarded
/// UPDATEs, but each one is recorded by a <see cref="StockMovement"/> row, which is what we see here.
/// </summary>
public sealed class CatalogChangeInterceptor(CatalogChangeSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => NotifyIfPending(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        NotifyIfPending(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static bool ShowsOnStorefront(object entity) =>
        entity is Product or ProductVariant or ProductImage or Category or StockMovement or StockLevel;

    private void Track(DbContext? context)
    {
        if (context is not null && ChangesStorefront(context.ChangeTracker))
        {
            _pending.AddOrUpdate(context, Marker);
        }
    }

    /// <summary>
    /// Whether a storefront-visible entity is added, deleted or changed. Runs before SaveChanges'
    /// own DetectChanges, so it first looks without a full scan: added and deleted states are set
    /// when they happen. Only when something tracked could have been edited in place (an entry
    /// that is not Added) does it pay for the scan. Storefront children (images, variants) hang
    /// only off products, themselves storefront entities, so an all-Added graph needs no scan.
    /// </summary>
    private static bool ChangesStorefront(ChangeTracker tracker)
    {
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            var mayHaveEdits = false;
            foreach (var entry in tracker.Entries())
            {
                if (ShowsOnStorefront(entry.Entity) && entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                {
                    return true;
                }

                mayHaveEdits |= entry.State != EntityState.Added;
            }

            if (!mayHaveEdits)
            {
                return false;
            }

            tracker.DetectChanges();
            return tracker.Entries().Any(e => ShowsOnStorefront(e.Entity) && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    private void NotifyIfCommitted(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            NotifyIfPending(context);
        }
    }

    private void NotifyIfPending(DbContext? context)
    {
        if (context is not null && _pending.Remove(context))
        {
            signal.Notify();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}

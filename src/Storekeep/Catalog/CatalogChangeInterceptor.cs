using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Storekeep.Data;
using Storekeep.Inventory;

namespace Storekeep.Catalog;

/// <summary>
/// Calls <see cref="CatalogChangeSignal.Notify"/> once a unit of work that touched the catalog or
/// stock has committed, so no writer has to remember to. Stock balances change by raw guarded
/// UPDATEs, but each one is recorded by a <see cref="StockMovement"/> row, which is what we see here.
/// </summary>
public sealed class CatalogChangeInterceptor(CatalogChangeSignal signal) : CommitNotifyInterceptor(signal.Notify)
{
    private static bool ShowsOnStorefront(object entity) =>
        entity is Product or ProductVariant or ProductImage or Category or StockMovement or StockLevel;

    /// <summary>
    /// Whether a storefront-visible entity is added, deleted or changed. Runs before SaveChanges'
    /// own DetectChanges, so it first looks without a full scan: added and deleted states are set
    /// when they happen. Only when something tracked could have been edited in place (an entry
    /// that is not Added) does it pay for the scan. Storefront children (images, variants) hang
    /// only off products, themselves storefront entities, so an all-Added graph needs no scan.
    /// </summary>
    protected override bool Concerns(ChangeTracker tracker)
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
}

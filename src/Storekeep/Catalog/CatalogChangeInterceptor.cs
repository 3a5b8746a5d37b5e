using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Storekeep.Data;
using Storekeep.Inventory;

namespace Storekeep.Catalog;

/// <summary>
/// Calls <see cref="CatalogChangeSignal.Notify(CatalogChange)"/> once a unit of work that touched the
/// catalog or stock has committed, so no writer has to remember to, naming the products it touched so
/// caches drop only those. Stock balances change by raw guarded UPDATEs, but each one is recorded by
/// a <see cref="StockMovement"/> row (with its SKU), which is what we see here.
/// </summary>
public sealed class CatalogChangeInterceptor(CatalogChangeSignal signal) : CommitNotifyInterceptor(signal.Notify)
{
    private readonly ConditionalWeakTable<DbContext, Touched> _touched = [];

    /// <summary>What one unit of work touched so far (it may save more than once inside a transaction).</summary>
    private sealed class Touched
    {
        public HashSet<Guid> ProductIds { get; } = [];
        public HashSet<string> Skus { get; } = new(StringComparer.Ordinal);
        public bool Everything { get; set; }
    }

    /// <summary>
    /// Notes the storefront-visible entities added, deleted or changed. Runs before SaveChanges' own
    /// DetectChanges, so it scans only when something tracked could have been edited in place (an
    /// entry that is not Added); an all-Added graph (an import) needs no scan.
    /// </summary>
    protected override bool Concerns(ChangeTracker tracker)
    {
        if (tracker.Entries().Any(e => e.State != EntityState.Added))
        {
            tracker.DetectChanges();
        }

        Touched? touched = null;
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case Product product:
                    Note().ProductIds.Add(product.Id);
                    break;
                case ProductVariant variant:
                    Note().ProductIds.Add(variant.ProductId);
                    Note().Skus.Add(variant.Sku);
                    break;
                case ProductImage image:
                    Note().ProductIds.Add(image.ProductId);
                    break;
                case StockMovement movement:
                    Note().Skus.Add(movement.Sku);
                    break;
                case StockLevel level:
                    Note().Skus.Add(level.Sku);
                    break;
                case Category:
                    // Names and slugs show on every product page in its breadcrumbs, and on the lists.
                    Note().Everything = true;
                    break;
            }
        }

        return touched is not null;

        Touched Note() => touched ??= _touched.GetOrCreateValue(tracker.Context);
    }

    protected override void Committed(DbContext context)
    {
        if (!_touched.TryGetValue(context, out var touched))
        {
            signal.Notify();
            return;
        }

        _touched.Remove(context);
        touched.ProductIds.Remove(Guid.Empty); // a variant added by navigation before fix-up; its product is in the set itself
        signal.Notify(touched.Everything ? CatalogChange.All : CatalogChange.Of([.. touched.ProductIds], [.. touched.Skus]));
    }

    protected override void RolledBack(DbContext context) => _touched.Remove(context);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;

namespace Storekeep.Recommendations;

/// <summary>
/// The products a storefront visitor (the first-party visitor id of docs/marketing.md) looked at
/// last: at most <see cref="Kept"/> per visitor, the oldest dropped as a new one is viewed, and
/// views older than <c>Recommendations:RecentlyViewedDays</c> (default <see cref="DefaultDays"/>)
/// pruned hourly, so one-off visitors do not pile up.
/// </summary>
public sealed class RecentlyViewed(StorekeepDbContext db, TimeProvider clock)
{
    public const int Kept = 8;
    public const int DefaultDays = 90;

    public async Task RecordAsync(string visitorId, Guid productId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO recently_viewed (visitor_id, product_id, viewed_at) VALUES ({visitorId}, {productId}, {now}) ON CONFLICT (visitor_id, product_id) DO UPDATE SET viewed_at = excluded.viewed_at", ct);
        var mine = db.Set<RecentlyViewedProduct>().Where(r => r.VisitorId == visitorId);
        var keep = await mine.OrderByDescending(r => r.ViewedAt).ThenByDescending(r => r.ProductId).Take(Kept).Select(r => r.ProductId).ToListAsync(ct);
        if (keep.Count == Kept)
        {
            await mine.Where(r => !keep.Contains(r.ProductId)).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>Deletes views from before <paramref name="before"/>; returns how many.</summary>
    public Task<int> PruneAsync(DateTime before, CancellationToken ct) =>
        db.Set<RecentlyViewedProduct>().Where(r => r.ViewedAt < before).ExecuteDeleteAsync(ct);

    /// <summary>The visitor's recently viewed active products, latest first, without <paramref name="except"/>.</summary>
    public async Task<IReadOnlyList<Guid>> ListAsync(string visitorId, Guid? except, CancellationToken ct) =>
        await db.Set<RecentlyViewedProduct>().AsNoTracking()
            .Where(r => r.VisitorId == visitorId && r.ProductId != except)
            .Join(db.Products.AsNoTracking(), r => r.ProductId, p => p.Id, (r, p) => new { r.ProductId, r.ViewedAt, p.Status })
            .Where(x => x.Status == ProductStatus.Active)
            .OrderByDescending(x => x.ViewedAt).ThenByDescending(x => x.ProductId)
            .Take(Kept)
            .Select(x => x.ProductId)
            .ToListAsync(ct);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Catalog;

/// <summary>A variant and its product's category; <see cref="Name"/> and <see cref="Slug"/> are null when the product has none (or is gone).</summary>
public sealed class VariantCategory
{
    public Guid VariantId { get; init; }
    public string? Name { get; init; }
    public string? Slug { get; init; }
}

/// <summary>
/// The variant → product → category chain that reports group order lines by: one query, composed
/// into theirs. Join order lines to it on <c>VariantId</c> with a left join, so a line whose
/// variant was deleted (or whose product has no category) falls in no category.
/// </summary>
public static class VariantCategories
{
    public static IQueryable<VariantCategory> Query(StorekeepDbContext db) =>
        from v in db.Variants.AsNoTracking()
        join p in db.Products.AsNoTracking() on v.ProductId equals p.Id into ps
        from p in ps.DefaultIfEmpty()
        join c in db.Categories.AsNoTracking() on p.CategoryId equals c.Id into cs
        from c in cs.DefaultIfEmpty()
        select new VariantCategory { VariantId = v.Id, Name = c == null ? null : c.Name, Slug = c == null ? null : c.Slug };
}

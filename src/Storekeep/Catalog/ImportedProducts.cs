using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Catalog;

/// <summary>A SKU another system sold that this catalog does not have: it becomes a draft product.</summary>
/// <param name="Category">The category's name; matched by slug, created when absent.</param>
public sealed record ImportedProductDraft(string Sku, string Title, string? Category, decimal Price, decimal? Cost);

/// <summary>
/// Draft products and categories for an order history import (Orders/Import). They run in the
/// caller's transaction and raise no event: drafts are not on the storefront, and a history import
/// must not wake webhooks. Saves every <see cref="Batch"/> products and clears the change tracker.
/// </summary>
public sealed class ImportedProducts(StorekeepDbContext db, TimeProvider clock)
{
    public const int Batch = 1000;
    private const int LookupChunk = 2000;

    /// <summary>Categories are matched by slug, so "Office Supplies" and "office supplies" are one category.</summary>
    public static string CategorySlug(string name) => Slugs.From(name, "category");

    /// <summary>The variant id of each SKU of <paramref name="skus"/> the catalog has.</summary>
    public async Task<Dictionary<string, Guid>> VariantIdsAsync(IEnumerable<string> skus, CancellationToken ct)
    {
        var found = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var chunk in skus.Distinct(StringComparer.Ordinal).Chunk(LookupChunk))
        {
            var variants = await db.Variants.AsNoTracking().Where(v => chunk.Contains(v.Sku)).Select(v => new { v.Sku, v.Id }).ToListAsync(ct);
            foreach (var variant in variants)
            {
                found[variant.Sku] = variant.Id;
            }
        }

        return found;
    }

    /// <summary>Slugs of the categories the catalog has.</summary>
    public async Task<HashSet<string>> CategorySlugsAsync(CancellationToken ct) =>
        (await db.Categories.AsNoTracking().Select(c => c.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Creates the categories the drafts name that do not exist yet, then one draft product per
    /// draft (one variant, its SKU, price and cost). Returns each SKU's new variant id and how many
    /// categories were created.
    /// </summary>
    public async Task<(Dictionary<string, Guid> VariantIds, int CategoriesCreated)> AddDraftsAsync(IReadOnlyList<ImportedProductDraft> drafts, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var categories = await db.Categories.AsNoTracking().Select(c => new { c.Slug, c.Id }).ToDictionaryAsync(c => c.Slug, c => c.Id, StringComparer.Ordinal, ct);
        var created = 0;
        foreach (var name in drafts.Select(d => d.Category).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var slug = CategorySlug(name);
            if (!categories.ContainsKey(slug))
            {
                var category = new Category { Name = name, Slug = slug, CreatedAt = now };
                db.Categories.Add(category);
                categories[slug] = category.Id;
                created++;
            }
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        var taken = (await db.Products.AsNoTracking().Select(p => p.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var variantIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var batch in drafts.Chunk(Batch))
        {
            foreach (var draft in batch)
            {
                var slug = Slugs.FirstFree(Slugs.From(draft.Title, "product"), taken);
                taken.Add(slug);
                var product = new Product
                {
                    Title = draft.Title,
                    Slug = slug,
                    Status = ProductStatus.Draft,
                    CategoryId = draft.Category is { } name ? categories[CategorySlug(name)] : null,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                var variant = new ProductVariant { ProductId = product.Id, Sku = draft.Sku, Price = draft.Price, Cost = draft.Cost, Position = 0 };
                product.Variants.Add(variant);
                product.RefreshSearchText();
                db.Products.Add(product);
                variantIds[draft.Sku] = variant.Id;
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        return (variantIds, created);
    }
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Store;

namespace Storekeep.Catalog;

public enum CatalogSort
{
    Newest,
    PriceAsc,
    PriceDesc,
    Title,
}

/// <summary>What a product tile shows: the cheapest variant's price, one picture, whether anything can be bought.</summary>
public sealed record ProductCard(Guid Id, string Title, string Slug, decimal Price, decimal? CompareAtPrice, bool PriceVaries, string? ImageUrl, string? ImageAlt, bool InStock);

public sealed record CategoryLink(string Name, string Slug);

public sealed record HomeView(string Currency, IReadOnlyList<ProductCard> Featured, IReadOnlyList<ProductCard> NewArrivals, IReadOnlyList<CategoryLink> Categories);

public sealed record CategoryFilter(decimal? MinPrice = null, decimal? MaxPrice = null, bool InStockOnly = false, string? Vendor = null, CatalogSort Sort = CatalogSort.Newest, int Page = 1);

public sealed record CategoryPageView(string Currency, string Name, string Slug, string? Description, IReadOnlyList<ProductCard> Products, int Page, bool HasNext, IReadOnlyList<string> Vendors);

public sealed record SearchView(string Currency, IReadOnlyList<ProductCard> Products, int Page, bool HasNext);

public sealed record VariantDetail(string Sku, string? Title, decimal Price, decimal? CompareAtPrice, long Available, string? ImageUrl);

public sealed record ImageDetail(string Url, string? Alt);

public sealed record ProductDetail(
    Guid Id,
    string Title,
    string Slug,
    string? Description,
    string? SeoTitle,
    string? SeoDescription,
    string? Vendor,
    CategoryLink? Category,
    string Currency,
    IReadOnlyList<VariantDetail> Variants,
    IReadOnlyList<ImageDetail> Images,
    DateTime UpdatedAt);

public sealed record SitemapEntry(string Slug, DateTime LastModified);

/// <summary>
/// The storefront's reads: only active products, shaped for pages (no costs, no drafts). Stock is
/// summed over warehouses as on hand less reserved; checkout's guarded update remains the real guard.
/// </summary>
public sealed class StorefrontCatalog(StorekeepDbContext db)
{
    public const int PageSize = 24;
    public const int MaxPage = 1000;
    public const int HomeListSize = 8;
    public const int SitemapMaxUrls = 50_000;
    private const int QueryMaxLength = 200;

    public async Task<HomeView> HomeAsync(CancellationToken ct)
    {
        var active = db.Products.AsNoTracking().Where(p => p.Status == ProductStatus.Active);
        var featured = await Cards(active.Where(p => p.Featured).OrderByDescending(p => p.Id)).Take(HomeListSize).ToListAsync(ct);
        var newest = await Cards(active.OrderByDescending(p => p.Id)).Take(HomeListSize).ToListAsync(ct);
        return new HomeView(await CurrencyAsync(ct), featured, newest, await CategoriesAsync(ct));
    }

    public async Task<IReadOnlyList<CategoryLink>> CategoriesAsync(CancellationToken ct) =>
        await db.Categories.AsNoTracking().OrderBy(c => c.Name).Take(100).Select(c => new CategoryLink(c.Name, c.Slug)).ToListAsync(ct);

    /// <summary>Null when there is no such category.</summary>
    public async Task<CategoryPageView?> CategoryAsync(string slug, CategoryFilter filter, CancellationToken ct)
    {
        var category = await db.Categories.AsNoTracking().FirstOrDefaultAsync(c => c.Slug == slug, ct);
        if (category is null)
        {
            return null;
        }

        var inCategory = db.Products.AsNoTracking().Where(p => p.Status == ProductStatus.Active && p.CategoryId == category.Id);
        var vendors = await inCategory.Where(p => p.Vendor != null).Select(p => p.Vendor!).Distinct().OrderBy(v => v).Take(30).ToListAsync(ct);

        var query = inCategory;
        if (filter.MinPrice is { } min)
        {
            query = query.Where(p => p.Variants.Any(v => v.Price >= min));
        }

        if (filter.MaxPrice is { } max)
        {
            query = query.Where(p => p.Variants.Any(v => v.Price <= max));
        }

        if (filter.Vendor is { Length: > 0 } vendor)
        {
            query = query.Where(p => p.Vendor == vendor);
        }

        if (filter.InStockOnly)
        {
            var inStock = db.StockLevels.InStock();
            query = query.Where(p => inStock.Any(s => p.Variants.Any(v => v.Sku == s.Sku)));
        }

        var page = Math.Clamp(filter.Page, 1, MaxPage);
        var (items, hasNext) = await PageAsync(Sorted(query, filter.Sort), page, ct);
        return new CategoryPageView(await CurrencyAsync(ct), category.Name, category.Slug, category.Description, items, page, hasNext, vendors);
    }

    /// <summary>Matches title, description, SKUs and barcodes (the product's search text).</summary>
    public async Task<SearchView> SearchAsync(string? q, CatalogSort sort, int page, CancellationToken ct)
    {
        var term = (q ?? "").Trim().ToLowerInvariant();
        if (term.Length > QueryMaxLength)
        {
            term = term[..QueryMaxLength];
        }

        var currency = await CurrencyAsync(ct);
        if (term.Length == 0)
        {
            return new SearchView(currency, [], 1, false);
        }

        page = Math.Clamp(page, 1, MaxPage);
        var query = db.Products.AsNoTracking().Where(p => p.Status == ProductStatus.Active && p.SearchText.Contains(term));
        var (items, hasNext) = await PageAsync(Sorted(query, sort), page, ct);
        return new SearchView(currency, items, page, hasNext);
    }

    /// <summary>Null for unknown, draft and archived products.</summary>
    public async Task<ProductDetail?> ProductAsync(string slug, CancellationToken ct)
    {
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Slug == slug && p.Status == ProductStatus.Active)
            .Include(p => p.Category).Include(p => p.Variants).Include(p => p.Images)
            .AsSplitQuery()
            .FirstOrDefaultAsync(ct);
        if (product is null)
        {
            return null;
        }

        var skus = product.Variants.Select(v => v.Sku).ToList();
        var stock = await db.StockLevels.AsNoTracking()
            .Where(s => skus.Contains(s.Sku)).InStock()
            .GroupBy(s => s.Sku)
            .Select(g => new { Sku = g.Key, Available = g.Sum(s => s.Available) })
            .ToListAsync(ct);
        var available = stock.ToDictionary(s => s.Sku, s => s.Available, StringComparer.Ordinal);
        return new ProductDetail(
            product.Id,
            product.Title,
            product.Slug,
            product.Description,
            product.SeoTitle,
            product.SeoDescription,
            product.Vendor,
            product.Category is { } c ? new CategoryLink(c.Name, c.Slug) : null,
            await CurrencyAsync(ct),
            product.Variants.OrderBy(v => v.Position)
                .Select(v => new VariantDetail(v.Sku, v.Title, v.Price, v.CompareAtPrice, available.GetValueOrDefault(v.Sku), v.ImageUrl))
                .ToList(),
            product.Images.OrderBy(i => i.Position).Select(i => new ImageDetail(i.Url, i.AltText)).ToList(),
            product.UpdatedAt);
    }

    /// <summary>Tiles for the active products among <paramref name="ids"/>, in the order given (recommendations, recently viewed).</summary>
    public async Task<IReadOnlyList<ProductCard>> CardsAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var wanted = ids.ToList();
        var cards = await Cards(db.Products.AsNoTracking().Where(p => p.Status == ProductStatus.Active && wanted.Contains(p.Id))).ToListAsync(ct);
        return ids.SelectMany(id => cards.Where(c => c.Id == id)).ToList();
    }

    public Task<int> ActiveProductCountAsync(CancellationToken ct) =>
        db.Products.CountAsync(p => p.Status == ProductStatus.Active, ct);

    /// <summary>Active products in id order, streamed; <paramref name="skip"/> splits a large sitemap into files.</summary>
    public IAsyncEnumerable<SitemapEntry> SitemapProducts(int skip, int take) =>
        db.Products.AsNoTracking()
            .Where(p => p.Status == ProductStatus.Active)
            .OrderBy(p => p.Id)
            .Skip(skip)
            .Take(take)
            .Select(p => new SitemapEntry(p.Slug, p.UpdatedAt))
            .AsAsyncEnumerable();

    private static IQueryable<Product> Sorted(IQueryable<Product> query, CatalogSort sort) => sort switch
    {
        CatalogSort.PriceAsc => query.OrderBy(p => p.Variants.Min(v => v.Price)).ThenByDescending(p => p.Id),
        CatalogSort.PriceDesc => query.OrderByDescending(p => p.Variants.Min(v => v.Price)).ThenByDescending(p => p.Id),
        CatalogSort.Title => query.OrderBy(p => p.Title).ThenByDescending(p => p.Id),
        _ => query.OrderByDescending(p => p.Id),
    };

    private async Task<(List<ProductCard> Items, bool HasNext)> PageAsync(IQueryable<Product> sorted, int page, CancellationToken ct)
    {
        var rows = await Cards(sorted.Skip((page - 1) * PageSize).Take(PageSize + 1)).ToListAsync(ct);
        return (rows.Take(PageSize).ToList(), rows.Count > PageSize);
    }

    private IQueryable<ProductCard> Cards(IQueryable<Product> query)
    {
        var inStock = db.StockLevels.InStock();
        return query.Select(p => new ProductCard(
            p.Id,
            p.Title,
            p.Slug,
            p.Variants.OrderBy(v => v.Price).Select(v => v.Price).FirstOrDefault(),
            p.Variants.OrderBy(v => v.Price).Select(v => v.CompareAtPrice).FirstOrDefault(),
            p.Variants.Select(v => v.Price).Distinct().Count() > 1,
            p.Images.OrderBy(i => i.Position).Select(i => i.Url).FirstOrDefault(),
            p.Images.OrderBy(i => i.Position).Select(i => i.AltText).FirstOrDefault(),
            inStock.Any(s => p.Variants.Any(v => v.Sku == s.Sku))));
    }

    public async Task<string> CurrencyAsync(CancellationToken ct) =>
        await StoreSettingsService.CurrencyAsync(db, ct);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Catalog;

/// <summary>
/// Products, their variants and categories. Public readers see only active products; writers
/// (<c>catalog.write</c>) see every status and the variants' cost.
/// </summary>
public sealed class CatalogService(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxVariants = 100;
    public const int MaxWeightGrams = 10_000_000;
    private const int TitleMaxLength = 200;
    private const int DescriptionMaxLength = 20000;
    private const int CategoryDescriptionMaxLength = 4000;
    private const int SkuMaxLength = 64;
    private const int QueryMaxLength = 200;
    private const int UniqueAttempts = 3;

    public async Task<ProductView> CreateProductAsync(CreateProductRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var title = v.Required("title", request.Title, TitleMaxLength);
        var explicitSlug = OptionalSlug(v, "slug", request.Slug);
        var description = v.Text("description", request.Description, DescriptionMaxLength);
        var categoryKey = v.Text("category", request.Category, TitleMaxLength);
        var status = request.Status is null ? Missing(v, "status") : ParseStatus(v, request.Status, allowArchived: false);
        var variants = ValidateVariants(v, request.Variants, creating: true);
        v.ThrowIfInvalid();

        return await WithUniqueRetryAsync(() => db.InTransactionAsync(async token =>
        {
            var category = categoryKey is null ? null : await ResolveCategoryAsync(categoryKey, token);
            await EnsureSkusFreeAsync(variants.Select(x => x.Sku).ToList(), productId: null, token);
            var slug = explicitSlug is null
                ? await FreeProductSlugAsync(Slugs.From(title, "product"), token)
                : await db.Products.AnyAsync(p => p.Slug == explicitSlug, token)
                    ? throw SlugTaken(explicitSlug)
                    : explicitSlug;

            var now = Now();
            var product = new Product
            {
                Title = title,
                Slug = slug,
                Description = description,
                CategoryId = category?.Id,
                Status = status,
                CreatedAt = now,
                UpdatedAt = now,
            };
            foreach (var (input, position) in variants.Select((x, i) => (x, i)))
            {
                product.Variants.Add(new ProductVariant
                {
                    Sku = input.Sku,
                    Title = input.Title,
                    Price = input.Price ?? 0m,
                    CompareAtPrice = input.CompareAtPrice,
                    Cost = input.Cost,
                    WeightGrams = input.WeightGrams,
                    Barcode = input.Barcode,
                    Position = position,
                });
            }

            product.RefreshSearchText();
            db.Products.Add(product);
            db.Raise(Changed<ProductCreated>(product), now);
            return ToView(product, category, await CurrencyAsync(token), includeCost: true);
        }, ct));
    }

    public async Task<ProductView> UpdateProductAsync(string idOrSlug, UpdateProductRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var title = request.Title is null ? null : v.Required("title", request.Title, TitleMaxLength);
        var slug = request.Slug is null ? null : OptionalSlug(v, "slug", request.Slug) ?? Missing<string?>(v, "slug", null);
        var description = v.Text("description", request.Description, DescriptionMaxLength);
        var categoryKey = v.Text("category", request.Category, TitleMaxLength);
        ProductStatus? status = request.Status is null ? null : ParseStatus(v, request.Status, allowArchived: true);
        var variants = request.Variants is null ? [] : ValidateVariants(v, request.Variants, creating: false);
        v.ThrowIfInvalid();

        return await WithUniqueRetryAsync(() => db.InTransactionAsync(async token =>
        {
            var product = await FindProductAsync(idOrSlug, token) ?? throw Errors.NotFound("Product", idOrSlug);
            if (title is not null)
            {
                product.Title = title;
            }

            if (slug is not null && slug != product.Slug)
            {
                if (await db.Products.AnyAsync(p => p.Slug == slug && p.Id != product.Id, token))
                {
                    throw SlugTaken(slug);
                }

                product.Slug = slug;
            }

            if (request.Description is not null)
            {
                product.Description = description;
            }

            if (request.Category is not null)
            {
                product.Category = categoryKey is null ? null : await ResolveCategoryAsync(categoryKey, token);
                product.CategoryId = product.Category?.Id;
            }

            if (status is { } newStatus)
            {
                product.Status = newStatus;
            }

            await ApplyVariantsAsync(product, variants, token);
            product.UpdatedAt = Now();
            product.RefreshSearchText();
            db.Raise(Changed<ProductUpdated>(product), product.UpdatedAt);
            return ToView(product, product.Category, await CurrencyAsync(token), includeCost: true);
        }, ct));
    }

    /// <summary>Archived products leave the storefront and the public API; archiving twice is harmless.</summary>
    public Task<ProductView> ArchiveProductAsync(string idOrSlug, CancellationToken ct) =>
        db.InTransactionAsync(async token =>
        {
            var product = await FindProductAsync(idOrSlug, token) ?? throw Errors.NotFound("Product", idOrSlug);
            if (product.Status != ProductStatus.Archived)
            {
                product.Status = ProductStatus.Archived;
                product.UpdatedAt = Now();
                db.Raise(Changed<ProductUpdated>(product), product.UpdatedAt);
            }

            return ToView(product, product.Category, await CurrencyAsync(token), includeCost: true);
        }, ct);

    public async Task<ProductView> GetProductAsync(string idOrSlug, bool includeUnpublished, CancellationToken ct)
    {
        var query = db.Products.AsNoTracking();
        query = Guid.TryParse(idOrSlug, out var id) ? query.Where(p => p.Id == id) : query.Where(p => p.Slug == idOrSlug);
        if (!includeUnpublished)
        {
            query = query.Where(p => p.Status == ProductStatus.Active);
        }

        var product = await query.Include(p => p.Category).Include(p => p.Variants).AsSplitQuery().FirstOrDefaultAsync(ct)
            ?? throw Errors.NotFound("Product", idOrSlug);
        return ToView(product, product.Category, await CurrencyAsync(ct), includeUnpublished);
    }

    /// <summary>Newest first, keyset on the (time-ordered) id.</summary>
    public async Task<Page<ProductView>> ListProductsAsync(ProductQuery request, bool includeUnpublished, CancellationToken ct)
    {
        var v = new Validation();
        var term = v.Text("q", request.Q, QueryMaxLength)?.ToLowerInvariant();
        ProductStatus? status = request.Status is null ? null : ParseStatus(v, request.Status, allowArchived: true);
        var categoryKey = v.Text("category", request.Category, TitleMaxLength);
        v.ThrowIfInvalid();
        var limit = Cursor.Limit(request.Limit);
        var after = Cursor.DecodeGuid(request.Cursor);

        var query = db.Products.AsNoTracking();
        if (!includeUnpublished)
        {
            query = query.Where(p => p.Status == ProductStatus.Active);
        }

        if (status is { } s)
        {
            query = query.Where(p => p.Status == s);
        }

        if (categoryKey is not null)
        {
            var categoryId = await CategoryQuery(categoryKey).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
            if (categoryId is null)
            {
                return new Page<ProductView>([], null);
            }

            query = query.Where(p => p.CategoryId == categoryId);
        }

        if (term is not null)
        {
            // SearchText is stored lower-cased, so a lower-cased term makes this case-insensitive on both databases.
            query = query.Where(p => p.SearchText.Contains(term));
        }

        if (after is { } cursor)
        {
            query = query.Where(p => p.Id.CompareTo(cursor) < 0);
        }

        var products = await query.OrderByDescending(p => p.Id).Take(limit + 1)
            .Include(p => p.Category).Include(p => p.Variants).AsSplitQuery().ToListAsync(ct);
        var currency = await CurrencyAsync(ct);
        var items = products.Take(limit).Select(p => ToView(p, p.Category, currency, includeUnpublished)).ToList();
        return new Page<ProductView>(items, products.Count > limit ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<CategoryView> CreateCategoryAsync(CreateCategoryRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, TitleMaxLength);
        var explicitSlug = OptionalSlug(v, "slug", request.Slug);
        var description = v.Text("description", request.Description, CategoryDescriptionMaxLength);
        v.ThrowIfInvalid();

        return await WithUniqueRetryAsync(() => db.InTransactionAsync(async token =>
        {
            string slug;
            if (explicitSlug is not null)
            {
                slug = await db.Categories.AnyAsync(c => c.Slug == explicitSlug, token) ? throw SlugTaken(explicitSlug) : explicitSlug;
            }
            else
            {
                var baseSlug = Slugs.From(name, "category");
                var taken = await db.Categories.Where(c => c.Slug == baseSlug || c.Slug.StartsWith(baseSlug + "-"))
                    .Select(c => c.Slug).ToListAsync(token);
                slug = Slugs.FirstFree(baseSlug, taken.ToHashSet(StringComparer.Ordinal));
            }

            var category = new Category { Name = name, Slug = slug, Description = description, CreatedAt = Now() };
            db.Categories.Add(category);
            return ToView(category);
        }, ct));
    }

    /// <summary>Alphabetical by slug, keyset on the slug's unique index.</summary>
    public async Task<Page<CategoryView>> ListCategoriesAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.Decode(cursor);
        var query = db.Categories.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(c => c.Slug.CompareTo(after) > 0);
        }

        var categories = await query.OrderBy(c => c.Slug).Take(take + 1).ToListAsync(ct);
        var items = categories.Take(take).Select(ToView).ToList();
        return new Page<CategoryView>(items, categories.Count > take ? Cursor.Encode(items[^1].Slug) : null);
    }

    /// <summary>
    /// A goods receipt's effect on the variant's cost (moving average, docs/planning.md): with
    /// <c>onHandBefore</c> the units on hand over all warehouses before the receipt,
    /// cost = (onHandBefore × cost + received × unitCost) / (onHandBefore + received), rounded half away
    /// from zero to the cent; with no cost yet or nothing on hand, the unit cost. Call inside the
    /// receipt's transaction, after the received units were added to stock. The variant's row is locked
    /// first, so concurrent receipts of one SKU queue here and each reads the stock and cost the previous
    /// one committed. Returns the new cost, or null when no variant has the SKU.
    /// </summary>
    public async Task<decimal?> ApplyReceivedCostAsync(string sku, int receivedQuantity, decimal unitCost, CancellationToken ct)
    {
        if (receivedQuantity <= 0 || unitCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(receivedQuantity), "A receipt adds a positive quantity at a cost of at least zero.");
        }

        var locked = await db.Database.ExecuteSqlAsync($"UPDATE product_variants SET cost = cost WHERE sku = {sku}", ct);
        if (locked == 0)
        {
            return null;
        }

        var oldCost = await db.Variants.Where(v => v.Sku == sku).Select(v => v.Cost).SingleAsync(ct);
        var onHandNow = await db.StockLevels.Where(s => s.Sku == sku).SumAsync(s => (long?)s.OnHand, ct) ?? 0;
        var cost = MovingAverageCost(oldCost, onHandNow - receivedQuantity, receivedQuantity, unitCost);
        await db.Variants.Where(v => v.Sku == sku).ExecuteUpdateAsync(u => u.SetProperty(v => v.Cost, cost), ct);
        return cost;
    }

    /// <summary>The moving-average cost, computed exactly in cents (no floating point, no intermediate rounding).</summary>
    public static decimal MovingAverageCost(decimal? oldCost, long onHandBefore, long received, decimal unitCost)
    {
        if (oldCost is not { } old || onHandBefore <= 0)
        {
            return unitCost;
        }

        var numerator = (Int128)onHandBefore * MinorUnits.ToMinor(old) + (Int128)received * MinorUnits.ToMinor(unitCost);
        var denominator = (Int128)(onHandBefore + received);

        // Both are non-negative, so rounding half up is rounding half away from zero.
        var cents = (2 * numerator + denominator) / (2 * denominator);
        return MinorUnits.FromMinor((long)cents);
    }

    private async Task ApplyVariantsAsync(Product product, List<ValidVariant> inputs, CancellationToken ct)
    {
        if (inputs.Count == 0)
        {
            return;
        }

        var added = inputs.Where(i => product.Variants.All(x => x.Sku != i.Sku)).ToList();
        await EnsureSkusFreeAsync(added.Select(i => i.Sku).ToList(), product.Id, ct);

        var v = new Validation();
        foreach (var (input, index) in inputs.Select((x, i) => (x, i)))
        {
            if (product.Variants.FirstOrDefault(x => x.Sku == input.Sku) is not { } variant)
            {
                if (input.Price is null)
                {
                    v.Add($"variants[{index}].price", $"'variants[{index}].price' is required for the new SKU '{input.Sku}'.");
                }

                continue;
            }

            variant.Title = input.Title ?? variant.Title;
            variant.Price = input.Price ?? variant.Price;
            variant.CompareAtPrice = input.CompareAtPrice ?? variant.CompareAtPrice;
            variant.Cost = input.Cost ?? variant.Cost;
            variant.WeightGrams = input.WeightGrams ?? variant.WeightGrams;
            variant.Barcode = input.Barcode ?? variant.Barcode;
        }

        if (product.Variants.Count + added.Count > MaxVariants)
        {
            v.Add("variants", $"A product may have at most {MaxVariants} variants.");
        }

        v.ThrowIfInvalid();
        var position = product.Variants.Count == 0 ? 0 : product.Variants.Max(x => x.Position) + 1;
        foreach (var input in added)
        {
            // Added through the set: a tracked parent's collection treats a child with a key as existing.
            db.Variants.Add(new ProductVariant
            {
                ProductId = product.Id,
                Sku = input.Sku,
                Title = input.Title,
                Price = input.Price!.Value,
                CompareAtPrice = input.CompareAtPrice,
                Cost = input.Cost,
                WeightGrams = input.WeightGrams,
                Barcode = input.Barcode,
                Position = position++,
            });
        }
    }

    private static List<ValidVariant> ValidateVariants(Validation v, IReadOnlyList<VariantInput?>? variants, bool creating)
    {
        if (variants is null || variants.Count == 0)
        {
            if (creating)
            {
                v.Add("variants", "At least one variant is required.");
            }

            return [];
        }

        if (variants.Count > MaxVariants)
        {
            v.Add("variants", $"A product may have at most {MaxVariants} variants.");
            return [];
        }

        var result = new List<ValidVariant>(variants.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variants.Count; i++)
        {
            var field = $"variants[{i}]";
            if (variants[i] is not { } input)
            {
                v.Add(field, $"'{field}' must be an object.");
                continue;
            }

            var sku = v.Code($"{field}.sku", input.Sku, SkuMaxLength);
            if (sku.Length > 0 && !seen.Add(sku))
            {
                v.Add($"{field}.sku", $"SKU '{sku}' appears more than once in this request.");
            }

            result.Add(new ValidVariant(
                sku,
                v.Text($"{field}.title", input.Title, TitleMaxLength),
                creating || input.Price is not null ? v.Money($"{field}.price", input.Price) : null,
                input.CompareAtPrice is null ? null : v.Money($"{field}.compareAtPrice", input.CompareAtPrice),
                input.Cost is null ? null : v.Money($"{field}.cost", input.Cost),
                Weight(v, $"{field}.weightGrams", input.WeightGrams),
                input.Barcode is null ? null : NullIfEmpty(v.Code($"{field}.barcode", input.Barcode, SkuMaxLength, required: false))));
        }

        return result;
    }

    private static int? Weight(Validation v, string field, int? grams)
    {
        if (grams is < 0 or > MaxWeightGrams)
        {
            v.Add(field, $"'{field}' must be between 0 and {MaxWeightGrams}.");
        }

        return grams;
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private static string? OptionalSlug(Validation v, string field, string? value)
    {
        var slug = v.Text(field, value, Slugs.MaxLength);
        if (slug is not null && !Slugs.IsValid(slug))
        {
            v.Add(field, $"'{field}' must be lowercase letters and digits separated by single hyphens (e.g. 'blue-mug-2').");
        }

        return slug;
    }

    private static ProductStatus Missing(Validation v, string field)
    {
        v.Add(field, $"'{field}' is required.");
        return ProductStatus.Draft;
    }

    private static T Missing<T>(Validation v, string field, T value)
    {
        v.Add(field, $"'{field}' must not be blank.");
        return value;
    }

    private static ProductStatus ParseStatus(Validation v, string text, bool allowArchived)
    {
        switch (text.Trim())
        {
            case "active":
                return ProductStatus.Active;
            case "draft":
                return ProductStatus.Draft;
            case "archived" when allowArchived:
                return ProductStatus.Archived;
            default:
                v.Add("status", allowArchived ? "'status' must be 'active', 'draft' or 'archived'." : "'status' must be 'active' or 'draft'.");
                return ProductStatus.Draft;
        }
    }

    private async Task EnsureSkusFreeAsync(List<string> skus, Guid? productId, CancellationToken ct)
    {
        if (skus.Count == 0)
        {
            return;
        }

        var taken = await db.Variants.Where(x => skus.Contains(x.Sku) && x.ProductId != productId)
            .Select(x => x.Sku).OrderBy(x => x).FirstOrDefaultAsync(ct);
        if (taken is not null)
        {
            throw new StorekeepException(ErrorKind.Conflict, "sku_taken", $"SKU '{taken}' is already used by another product.")
            {
                Extensions = new Dictionary<string, object?> { ["sku"] = taken },
            };
        }
    }

    private async Task<string> FreeProductSlugAsync(string baseSlug, CancellationToken ct)
    {
        var taken = await db.Products.Where(p => p.Slug == baseSlug || p.Slug.StartsWith(baseSlug + "-"))
            .Select(p => p.Slug).ToListAsync(ct);
        return Slugs.FirstFree(baseSlug, taken.ToHashSet(StringComparer.Ordinal));
    }

    private Task<Product?> FindProductAsync(string idOrSlug, CancellationToken ct)
    {
        var query = db.Products.Include(p => p.Category).Include(p => p.Variants).AsSplitQuery();
        return Guid.TryParse(idOrSlug, out var id)
            ? query.FirstOrDefaultAsync(p => p.Id == id, ct)
            : query.FirstOrDefaultAsync(p => p.Slug == idOrSlug, ct);
    }

    private IQueryable<Category> CategoryQuery(string idOrSlug) =>
        Guid.TryParse(idOrSlug, out var id) ? db.Categories.Where(c => c.Id == id) : db.Categories.Where(c => c.Slug == idOrSlug);

    private async Task<Category> ResolveCategoryAsync(string idOrSlug, CancellationToken ct) =>
        await CategoryQuery(idOrSlug).FirstOrDefaultAsync(ct)
            ?? throw new StorekeepException(ErrorKind.Unprocessable, "unknown_category", $"There is no category with id or slug '{idOrSlug}'.")
            {
                Extensions = new Dictionary<string, object?> { ["category"] = idOrSlug },
            };

    private async Task<string> CurrencyAsync(CancellationToken ct) =>
        await StoreSettingsService.CurrencyAsync(db, ct);

    /// <summary>
    /// A concurrent writer can take a slug or SKU between our check and our insert; the unique index
    /// stops it, and running again either picks the next free slug or names the conflict.
    /// </summary>
    private static async Task<T> WithUniqueRetryAsync<T>(Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
            {
                if (attempt >= UniqueAttempts)
                {
                    throw Errors.Conflict("conflict", "Another request changed the catalog at the same time; retry.");
                }
            }
        }
    }

    private static StorekeepException SlugTaken(string slug) =>
        new(ErrorKind.Conflict, "slug_taken", $"The slug '{slug}' is already taken.")
        {
            Extensions = new Dictionary<string, object?> { ["slug"] = slug },
        };

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    internal static T Changed<T>(Product p)
        where T : ProductChanged, new() =>
        new() { ProductId = p.Id, Slug = p.Slug, Title = p.Title, Status = p.Status, Skus = p.Variants.OrderBy(x => x.Position).Select(x => x.Sku).ToList() };

    private static CategoryView ToView(Category c) => new(c.Id, c.Name, c.Slug, c.Description, c.CreatedAt);

    private static ProductView ToView(Product p, Category? category, string currency, bool includeCost) =>
        new(
            p.Id,
            p.Title,
            p.Slug,
            p.Description,
            currency,
            p.Status,
            category is null ? null : new CategoryRef(category.Id, category.Name, category.Slug),
            p.Variants.OrderBy(x => x.Position)
                .Select(x => new VariantView(x.Id, x.Sku, x.Title, x.Price, x.CompareAtPrice, includeCost ? x.Cost : null, x.WeightGrams, x.Barcode, x.Position))
                .ToList(),
            p.CreatedAt,
            p.UpdatedAt);

    private sealed record ValidVariant(string Sku, string? Title, decimal? Price, decimal? CompareAtPrice, decimal? Cost, int? WeightGrams, string? Barcode);
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Storekeep.Audit;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Shared;

namespace Storekeep.Catalog.ShopifyCsv;

/// <summary>
/// Imports Shopify's product CSV: a stream in, a report out. Every row is checked (in the file and
/// against the catalog) before anything is written; with any error nothing is. Products are upserted
/// by handle (our slug), variants by SKU, in transactions of a few hundred products, each raising
/// <c>product.created</c> or <c>product.updated</c>. <c>Variant Inventory Qty</c> sets the available
/// stock in one warehouse through <see cref="InventoryService"/>, so the ledger records the difference.
/// New products, their variants and images, their events and audit rows and the ledger rows are
/// written without the change tracker (<see cref="BulkInsert"/>: binary COPY on PostgreSQL,
/// multi-row INSERTs on SQLite); products already in the catalog are updated through it.
/// </summary>
public sealed class ShopifyCsvImporter(
    StorekeepDbContext db,
    InventoryService inventory,
    TimeProvider clock,
    OutboxSignal? outboxSignal = null,
    CatalogChangeSignal? catalogSignal = null)
{
    public const int ProductsPerBatch = 250;
    public const int VariantsPerBatch = 2000;
    private const int LookupChunk = 2000;
    private const int UniqueAttempts = 3;

    /// <summary>Checks the file against the catalog and says what an import would do; writes nothing.</summary>
    public async Task<ImportReport> PreviewAsync(Stream csv, ImportOptions? options = null, CancellationToken ct = default)
    {
        var plan = await PlanAsync(csv, options ?? new ImportOptions(), null, ct);
        return plan.Report(dryRun: true, imported: false);
    }

    /// <summary>
    /// Imports the file when it has no errors; otherwise writes nothing and returns the report with
    /// every error. A failure between batches (a concurrent writer taking a SKU) leaves the earlier
    /// batches in place; importing the same file again completes it.
    /// </summary>
    public async Task<ImportReport> ImportAsync(Stream csv, ImportOptions? options = null, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        options ??= new ImportOptions();
        var plan = await PlanAsync(csv, options, progress, ct);
        if (plan.Errors.Count > 0)
        {
            return plan.Report(dryRun: false, imported: false);
        }

        var categories = await EnsureCategoriesAsync(plan, ct);
        var actor = options.Actor ?? Actor.System;
        var reference = $"import:{Ids.NewId()}";
        var batches = Batches(plan.File.Products).ToList();
        var done = 0;
        progress?.Report(new ImportProgress("Importing products", 0, plan.File.Products.Count));

        // Thousands of entities per batch: the batch detects changes once, where it needs to, instead
        // of every Add, Entries() and SaveChanges scanning the whole tracker again.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var batch in batches)
            {
                var bulkWritten = false;
                await WithUniqueRetryAsync(() => db.InTransactionAsync(async token => bulkWritten = await WriteBatchAsync(plan, batch, categories, actor, reference, token), ct));
                db.ChangeTracker.Clear();
                if (bulkWritten)
                {
                    // The bulk rows ran no commit interceptor: wake the outbox and drop cached pages here.
                    outboxSignal?.Notify();
                    catalogSignal?.Notify();
                }

                done += batch.Count;
                progress?.Report(new ImportProgress("Importing products", done, plan.File.Products.Count));
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }

        return plan.Report(dryRun: false, imported: true);
    }

    private async Task<Plan> PlanAsync(Stream csv, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new ImportProgress("Reading the file", 0, 1));
        var file = await ShopifyCsvReader.ReadAsync(csv, ct);
        var plan = new Plan(file);
        progress?.Report(new ImportProgress("Checking against the catalog", 0, 1));
        if (file.Products.Count == 0)
        {
            if (file.Errors.Count == 0)
            {
                plan.Errors.Add(new ImportRowError(1, 1, null, null, "The file has no product rows."));
            }

            return plan;
        }

        await ResolveWarehouseAsync(plan, options, ct);
        await LoadExistingAsync(plan, ct);
        CheckAgainstCatalog(plan);
        await PlanCategoriesAsync(plan, ct);
        await CountStockAdjustmentsAsync(plan, ct);
        plan.Errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        return plan;
    }

    private async Task ResolveWarehouseAsync(Plan plan, ImportOptions options, CancellationToken ct)
    {
        var needsWarehouse = plan.File.Products.Any(p => p.Variants.Any(v => v.Quantity is not null));
        if (options.Warehouse is { } code)
        {
            plan.Warehouse = await db.Warehouses.AsNoTracking().FirstOrDefaultAsync(w => w.Code == code, ct);
            if (plan.Warehouse is null)
            {
                plan.Errors.Add(new ImportRowError(1, 1, null, ShopifyColumns.VariantInventoryQty, $"There is no warehouse with code '{ShopifyCsvReader.Shorten(code)}'."));
            }
        }
        else if (needsWarehouse)
        {
            plan.Warehouse = await DefaultWarehouseAsync(db, ct);
            if (plan.Warehouse is null)
            {
                plan.Errors.Add(new ImportRowError(1, 1, null, ShopifyColumns.VariantInventoryQty, "The file sets inventory quantities but the store has no warehouse yet; create one first."));
            }
        }
    }

    /// <summary>The warehouse that ships first: lowest priority, then code.</summary>
    internal static Task<Warehouse?> DefaultWarehouseAsync(StorekeepDbContext db, CancellationToken ct) =>
        db.Warehouses.AsNoTracking().OrderBy(w => w.Priority).ThenBy(w => w.Code).FirstOrDefaultAsync(ct);

    private async Task LoadExistingAsync(Plan plan, CancellationToken ct)
    {
        foreach (var handles in plan.File.Products.Select(p => p.Handle).Chunk(LookupChunk))
        {
            var found = await db.Products.AsNoTracking().Where(p => handles.Contains(p.Slug)).Select(p => new { p.Id, p.Slug }).ToListAsync(ct);
            foreach (var product in found)
            {
                plan.ExistingIds[product.Slug] = product.Id;
                plan.ExistingSkus[product.Id] = new HashSet<string>(StringComparer.Ordinal);
            }
        }

        foreach (var ids in plan.ExistingIds.Values.Chunk(LookupChunk))
        {
            var variants = await db.Variants.AsNoTracking().Where(v => ids.Contains(v.ProductId)).Select(v => new { v.ProductId, v.Sku }).ToListAsync(ct);
            foreach (var variant in variants)
            {
                plan.ExistingSkus[variant.ProductId].Add(variant.Sku);
            }
        }

        var allSkus = plan.File.Products.SelectMany(p => p.Variants).Select(v => v.Sku).ToList();
        foreach (var skus in allSkus.Chunk(LookupChunk))
        {
            var owners = await db.Variants.AsNoTracking().Where(v => skus.Contains(v.Sku))
                .Select(v => new { v.Sku, v.ProductId, v.Product!.Slug }).ToListAsync(ct);
            foreach (var owner in owners)
            {
                plan.SkuOwners[owner.Sku] = (owner.ProductId, owner.Slug);
            }
        }
    }

    private static void CheckAgainstCatalog(Plan plan)
    {
        var file = plan.File;
        foreach (var product in file.Products)
        {
            void Error(int row, int line, string? column, string message) => plan.Errors.Add(new ImportRowError(row, line, product.Handle, column, message));

            var existingId = plan.ExistingIds.TryGetValue(product.Handle, out var id) ? id : (Guid?)null;
            var existingSkus = existingId is { } pid ? plan.ExistingSkus[pid] : [];
            if (existingId is null)
            {
                plan.ProductsToCreate++;
                if (!file.Has(ShopifyColumns.Title))
                {
                    Error(product.Row, product.Line, ShopifyColumns.Title, $"'{product.Handle}' is a new product and needs a Title, but the file has no Title column.");
                }
            }
            else
            {
                plan.ProductsToUpdate++;
            }

            var added = 0;
            foreach (var variant in product.Variants)
            {
                if (plan.SkuOwners.TryGetValue(variant.Sku, out var owner) && owner.ProductId != existingId)
                {
                    Error(variant.Row, variant.Line, ShopifyColumns.VariantSku, $"SKU '{variant.Sku}' already belongs to another product ('{owner.Slug}').");
                }

                if (existingSkus.Contains(variant.Sku))
                {
                    plan.VariantsToUpdate++;
                    continue;
                }

                added++;
                plan.VariantsToCreate++;
                if (variant.Price is null && !file.Has(ShopifyColumns.VariantPrice))
                {
                    Error(variant.Row, variant.Line, ShopifyColumns.VariantPrice, $"SKU '{variant.Sku}' is a new variant and needs a Variant Price, but the file has no Variant Price column.");
                }
            }

            if (existingSkus.Count + added > CatalogService.MaxVariants && product.Variants.Count <= CatalogService.MaxVariants)
            {
                Error(product.Row, product.Line, null, $"'{product.Handle}' would have {existingSkus.Count + added} variants (it has {existingSkus.Count}); a product may have at most {CatalogService.MaxVariants}.");
            }

            plan.Images += product.Images.Select(i => i.Url).Distinct(StringComparer.Ordinal).Count();
        }
    }

    private async Task PlanCategoriesAsync(Plan plan, CancellationToken ct)
    {
        if (!plan.File.Has(ShopifyColumns.Type) && !plan.File.Has(ShopifyColumns.ProductCategory))
        {
            return;
        }

        var existing = await db.Categories.AsNoTracking().Select(c => c.Slug).ToListAsync(ct);
        var taken = existing.ToHashSet(StringComparer.Ordinal);
        foreach (var name in plan.File.Products.Select(p => p.CategoryName).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var slug = CategorySlug(name);
            if (!taken.Contains(slug) && plan.NewCategories.TryAdd(slug, name))
            {
                taken.Add(slug);
            }
        }
    }

    /// <summary>Categories are matched by slug, so "T-Shirts" and "t shirts" are one category.</summary>
    internal static string CategorySlug(string name) => Slugs.From(name, "category");

    private async Task CountStockAdjustmentsAsync(Plan plan, CancellationToken ct)
    {
        if (plan.Warehouse is not { } warehouse)
        {
            return;
        }

        var wanted = plan.File.Products.SelectMany(p => p.Variants).Where(v => v.Quantity is not null).ToList();
        var available = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var skus in wanted.Select(v => v.Sku).Chunk(LookupChunk))
        {
            var levels = await db.StockLevels.AsNoTracking().Where(s => s.WarehouseId == warehouse.Id && skus.Contains(s.Sku))
                .WithAvailable().ToListAsync(ct);
            foreach (var level in levels)
            {
                available[level.Sku] = level.Available;
            }
        }

        plan.StockAdjustments = wanted.Count(v => v.Quantity != available.GetValueOrDefault(v.Sku));
    }

    private async Task<Dictionary<string, Guid>> EnsureCategoriesAsync(Plan plan, CancellationToken ct)
    {
        if (plan.NewCategories.Count > 0)
        {
            // Before the product batches, in one short transaction; a category another writer created
            // meanwhile is simply used.
            await WithUniqueRetryAsync(() => db.InTransactionAsync(async token =>
            {
                var taken = (await db.Categories.AsNoTracking().Select(c => c.Slug).ToListAsync(token)).ToHashSet(StringComparer.Ordinal);
                foreach (var (slug, name) in plan.NewCategories.Where(c => !taken.Contains(c.Key)))
                {
                    db.Categories.Add(new Category { Name = name, Slug = slug, CreatedAt = Now() });
                }

                return true;
            }, ct));
            db.ChangeTracker.Clear();
        }

        var slugs = await db.Categories.AsNoTracking().Select(c => new { c.Slug, c.Id }).ToListAsync(ct);
        return slugs.ToDictionary(c => c.Slug, c => c.Id, StringComparer.Ordinal);
    }

    private static IEnumerable<List<ShopifyProductRows>> Batches(IReadOnlyList<ShopifyProductRows> products)
    {
        var batch = new List<ShopifyProductRows>();
        var variants = 0;
        foreach (var product in products)
        {
            if (batch.Count > 0 && (batch.Count >= ProductsPerBatch || variants + product.Variants.Count > VariantsPerBatch))
            {
                yield return batch;
                batch = [];
                variants = 0;
            }

            batch.Add(product);
            variants += product.Variants.Count;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Writes one batch in the caller's transaction; whether it wrote rows without the change tracker.</summary>
    private async Task<bool> WriteBatchAsync(Plan plan, List<ShopifyProductRows> batch, Dictionary<string, Guid> categories, Actor actor, string reference, CancellationToken ct)
    {
        var file = plan.File;
        var handles = batch.Select(p => p.Handle).ToList();
        var existing = await db.Products.Include(p => p.Variants).Include(p => p.Images).AsSplitQuery()
            .Where(p => handles.Contains(p.Slug)).ToDictionaryAsync(p => p.Slug, StringComparer.Ordinal, ct);
        var now = Now();
        var updated = new List<Product>(batch.Count);
        var created = new List<Product>(batch.Count);
        foreach (var rows in batch)
        {
            var isNew = !existing.TryGetValue(rows.Handle, out var product);
            product ??= new Product { Title = rows.Title ?? rows.Handle, Slug = rows.Handle, Status = ProductStatus.Active, CreatedAt = now, UpdatedAt = now };
            ApplyProduct(file, rows, product, categories);
            ApplyVariants(file, rows, product, isNew);
            ApplyImages(file, rows, product, isNew);
            product.RefreshSearchText();
            (isNew ? created : updated).Add(product);
        }

        // Once per batch: which existing products did the file really change?
        db.ChangeTracker.DetectChanges();
        var changedImages = db.ChangeTracker.Entries<ProductImage>().Where(e => e.State != EntityState.Unchanged)
            .Select(e => e.Entity.ProductId).ToHashSet();
        foreach (var product in updated)
        {
            if (changedImages.Contains(product.Id) || db.Entry(product).State != EntityState.Unchanged
                || product.Variants.Any(v => db.Entry(v).State != EntityState.Unchanged))
            {
                // Set through the entry: changes are not detected again before the save.
                db.Entry(product).Property(p => p.UpdatedAt).CurrentValue = now;
                db.Raise(CatalogService.Changed<ProductUpdated>(product), now);
            }
        }

        await InsertCreatedAsync(created, now, ct);
        var movements = plan.Warehouse is { } warehouse ? await SetStockAsync(warehouse, batch, actor, reference, ct) : 0;
        return created.Count > 0 || movements > 0;
    }

    /// <summary>
    /// New products with their variants and images, their <c>product.created</c> events and the
    /// audit rows SaveChanges would have added, as bulk inserts: the change tracker and one INSERT
    /// per row cost many times the write itself.
    /// </summary>
    private async Task InsertCreatedAsync(List<Product> created, DateTime now, CancellationToken ct)
    {
        if (created.Count == 0)
        {
            return;
        }

        var variants = created.SelectMany(p => p.Variants).ToList();
        var images = created.SelectMany(p => p.Images).ToList();
        var events = created.Select(p => EventOutbox.Unqueued(CatalogService.Changed<ProductCreated>(p), now)).ToList();
        var audit = created.Cast<object>().Concat(variants).Concat(images)
            .Select(entity => AuditInterceptor.Created(db, entity, now)).OfType<AuditEntry>().ToList();
        await BulkInsert.WriteAsync(db, created, ct);
        await BulkInsert.WriteAsync(db, variants, ct);
        await BulkInsert.WriteAsync(db, images, ct);
        await BulkInsert.WriteAsync(db, events, ct);
        await BulkInsert.WriteAsync(db, audit, ct);
    }

    private static void ApplyProduct(ShopifyCsvFile file, ShopifyProductRows rows, Product product, Dictionary<string, Guid> categories)
    {
        if (rows.Title is { } title)
        {
            product.Title = title;
        }

        if (file.Has(ShopifyColumns.Body))
        {
            product.Description = rows.BodyHtml;
        }

        if (file.Has(ShopifyColumns.Vendor))
        {
            product.Vendor = rows.Vendor;
        }

        if (file.Has(ShopifyColumns.Type))
        {
            product.ProductType = rows.Type;
        }

        if (file.Has(ShopifyColumns.Type) || file.Has(ShopifyColumns.ProductCategory))
        {
            product.CategoryId = rows.CategoryName is { } name ? categories[CategorySlug(name)] : null;
        }

        if (file.Has(ShopifyColumns.Tags))
        {
            product.Tags = rows.Tags;
        }

        if (rows.EffectiveStatus is { } status)
        {
            product.Status = status;
        }

        if (file.Has(ShopifyColumns.SeoTitle))
        {
            product.SeoTitle = rows.SeoTitle;
        }

        if (file.Has(ShopifyColumns.SeoDescription))
        {
            product.SeoDescription = rows.SeoDescription;
        }

        if (file.Has(ShopifyColumns.Option1Name))
        {
            product.Option1Name = rows.Option1Name;
        }

        if (file.Has(ShopifyColumns.Option2Name))
        {
            product.Option2Name = rows.Option2Name;
        }

        if (file.Has(ShopifyColumns.Option3Name))
        {
            product.Option3Name = rows.Option3Name;
        }
    }

    private void ApplyVariants(ShopifyCsvFile file, ShopifyProductRows rows, Product product, bool isNew)
    {
        var bySku = product.Variants.ToDictionary(v => v.Sku, StringComparer.Ordinal);
        var hasOptions = file.Has(ShopifyColumns.Option1Value) || file.Has(ShopifyColumns.Option2Value) || file.Has(ShopifyColumns.Option3Value);
        var position = 0;
        foreach (var row in rows.Variants)
        {
            if (!bySku.Remove(row.Sku, out var variant))
            {
                variant = new ProductVariant { ProductId = product.Id, Sku = row.Sku, Price = row.Price ?? 0m };
                if (isNew)
                {
                    product.Variants.Add(variant);
                }
                else
                {
                    // Added through the set: a tracked parent's collection treats a child with a key as existing.
                    db.Variants.Add(variant);
                }
            }

            variant.Position = position++;
            if (hasOptions)
            {
                variant.Option1 = row.Option1;
                variant.Option2 = row.Option2;
                variant.Option3 = row.Option3;
                variant.Title = row.Title;
            }

            if (row.Price is { } price)
            {
                variant.Price = price;
            }

            if (file.Has(ShopifyColumns.VariantCompareAtPrice))
            {
                variant.CompareAtPrice = row.CompareAtPrice;
            }

            if (file.Has(ShopifyColumns.CostPerItem))
            {
                variant.Cost = row.Cost;
            }

            if (file.Has(ShopifyColumns.VariantGrams))
            {
                variant.WeightGrams = row.WeightGrams;
            }

            if (file.Has(ShopifyColumns.VariantBarcode))
            {
                variant.Barcode = row.Barcode;
            }

            if (file.Has(ShopifyColumns.VariantImage))
            {
                variant.ImageUrl = row.ImageUrl;
            }
        }

        // Variants the file does not mention stay (Shopify's import never deletes them), after the file's.
        foreach (var variant in bySku.Values.OrderBy(v => v.Position))
        {
            variant.Position = position++;
        }
    }

    private void ApplyImages(ShopifyCsvFile file, ShopifyProductRows rows, Product product, bool isNew)
    {
        if (!file.Has(ShopifyColumns.ImageSrc))
        {
            return;
        }

        // Image Position orders the pictures; rows without one keep their place in the file.
        var wanted = rows.Images
            .Select((image, index) => (image, index))
            .OrderBy(x => x.image.Position ?? int.MaxValue).ThenBy(x => x.index)
            .Select(x => x.image)
            .DistinctBy(i => i.Url, StringComparer.Ordinal)
            .ToList();
        var byUrl = product.Images.GroupBy(i => i.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var kept = new HashSet<ProductImage>(ReferenceEqualityComparer.Instance);
        var position = 1;
        foreach (var image in wanted)
        {
            if (!byUrl.TryGetValue(image.Url, out var existing))
            {
                existing = new ProductImage { ProductId = product.Id, Url = image.Url };
                if (isNew)
                {
                    product.Images.Add(existing);
                }
                else
                {
                    db.ProductImages.Add(existing);
                }
            }

            existing.AltText = image.AltText;
            existing.Position = position++;
            kept.Add(existing);
        }

        foreach (var stale in product.Images.Where(i => !kept.Contains(i)).ToList())
        {
            db.ProductImages.Remove(stale);
        }
    }

    /// <summary>
    /// Sets available stock (on hand less reserved) to the file's quantity by adjusting on hand by
    /// the difference: set-based for the whole batch (<see cref="InventoryService.SetAvailableAsync"/>),
    /// one ledger row per SKU that changes, rows locked in SKU order as checkout locks them.
    /// </summary>
    private async Task<int> SetStockAsync(Warehouse warehouse, List<ShopifyProductRows> batch, Actor actor, string reference, CancellationToken ct)
    {
        var wanted = batch.SelectMany(p => p.Variants).Where(v => v.Quantity is not null)
            .Select(v => new StockTarget(v.Sku, v.Quantity!.Value)).ToList();
        if (wanted.Count == 0)
        {
            return 0;
        }

        var movements = await inventory.SetAvailableAsync(warehouse.Id, wanted, MovementType.Adjustment,
            target => $"Shopify CSV import: available set to {target.Available}", actor, reference, ct, writeLedgerNow: true);
        return movements.Count;
    }

    /// <summary>A concurrent writer can take a category slug or SKU between the check and the insert; the batch runs again from fresh reads.</summary>
    private async Task WithUniqueRetryAsync(Func<Task<bool>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work();
                return;
            }
            catch (Exception e) when (e is DbUpdateException or PostgresException or SqliteException && Transactions.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
                if (attempt >= UniqueAttempts)
                {
                    throw Errors.Conflict("import_conflict", "Another writer changed the same products or SKUs during the import; batches already written stay. Import the file again to finish.");
                }
            }
        }
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    private sealed class Plan(ShopifyCsvFile file)
    {
        public ShopifyCsvFile File { get; } = file;
        public List<ImportRowError> Errors { get; } = file.Errors;
        public Warehouse? Warehouse { get; set; }
        public Dictionary<string, Guid> ExistingIds { get; } = new(StringComparer.Ordinal);
        public Dictionary<Guid, HashSet<string>> ExistingSkus { get; } = [];
        public Dictionary<string, (Guid ProductId, string Slug)> SkuOwners { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> NewCategories { get; } = new(StringComparer.Ordinal);
        public int ProductsToCreate { get; set; }
        public int ProductsToUpdate { get; set; }
        public int VariantsToCreate { get; set; }
        public int VariantsToUpdate { get; set; }
        public int Images { get; set; }
        public int StockAdjustments { get; set; }

        public ImportReport Report(bool dryRun, bool imported) => new(
            dryRun,
            imported,
            File.Rows,
            ProductsToCreate,
            ProductsToUpdate,
            VariantsToCreate,
            VariantsToUpdate,
            Images,
            NewCategories.Count,
            StockAdjustments,
            Warehouse?.Code,
            Errors);
    }
}

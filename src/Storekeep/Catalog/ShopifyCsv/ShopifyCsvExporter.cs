using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Shared;

namespace Storekeep.Catalog.ShopifyCsv;

/// <summary>
/// Writes the catalog as Shopify's product CSV: the header in Shopify's column order, then per product
/// a first row with the product fields, one row per variant and a row per extra image. Streams page by
/// page (keyset on the id), so memory stays flat whatever the catalog's size. What it writes,
/// <see cref="ShopifyCsvImporter"/> reads back to the same catalog.
/// </summary>
public sealed class ShopifyCsvExporter(StorekeepDbContext db)
{
    public const int ProductsPerPage = 200;
    private static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with { FormatProvider = CultureInfo.InvariantCulture };

    /// <summary>Checks the options (an unknown warehouse is <c>unknown_warehouse</c>) before anything is written.</summary>
    public async Task CheckAsync(ExportOptions options, CancellationToken ct) => _ = await WarehouseAsync(options, ct);

    /// <returns>The number of products written.</returns>
    public async Task<int> ExportAsync(Stream output, ExportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ExportOptions();
        var warehouse = await WarehouseAsync(options, ct);
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, options, warehouse, ct);
    }

    /// <returns>The number of products written.</returns>
    public async Task<int> ExportAsync(TextWriter output, ExportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ExportOptions();
        var warehouse = await WarehouseAsync(options, ct);
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        return await WriteAsync(csv, options, warehouse, ct);
    }

    private async Task<Warehouse?> WarehouseAsync(ExportOptions options, CancellationToken ct)
    {
        if (options.Warehouse is not { } code)
        {
            return await ShopifyCsvImporter.DefaultWarehouseAsync(db, ct);
        }

        return await WarehouseService.KnownAsync(db, code, "warehouse", ct, ShopifyCsvReader.Shorten(code));
    }

    private async Task<int> WriteAsync(CsvWriter csv, ExportOptions options, Warehouse? warehouse, CancellationToken ct)
    {
        foreach (var column in ShopifyColumns.All)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync(ct);
        var written = 0;
        Guid? after = null;
        while (true)
        {
            var query = db.Products.AsNoTracking();
            if (options.Status is { } status)
            {
                query = query.Where(p => p.Status == status);
            }

            if (after is { } cursor)
            {
                query = query.Where(p => p.Id.CompareTo(cursor) > 0);
            }

            var page = await query.OrderBy(p => p.Id).Take(ProductsPerPage)
                .Include(p => p.Category).Include(p => p.Variants).Include(p => p.Images).AsSplitQuery()
                .ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }

            var stock = warehouse is null ? null : await AvailableAsync(warehouse.Id, page, ct);
            foreach (var product in page)
            {
                await WriteProductAsync(csv, product, stock, ct);
            }

            written += page.Count;
            after = page[^1].Id;
            db.ChangeTracker.Clear();
            await csv.FlushAsync(ct);
        }

        await csv.FlushAsync(ct);
        return written;
    }

    private async Task<Dictionary<string, long>> AvailableAsync(Guid warehouseId, List<Product> page, CancellationToken ct)
    {
        var skus = page.SelectMany(p => p.Variants).Select(v => v.Sku).ToList();
        return await db.StockLevels.AsNoTracking().Where(s => s.WarehouseId == warehouseId && skus.Contains(s.Sku)).WithAvailable()
            .ToDictionaryAsync(s => s.Sku, s => s.Available, StringComparer.Ordinal, ct);
    }

    private static async Task WriteProductAsync(CsvWriter csv, Product product, Dictionary<string, long>? stock, CancellationToken ct)
    {
        var variants = product.Variants.OrderBy(v => v.Position).ThenBy(v => v.Id).ToList();
        var images = product.Images.OrderBy(i => i.Position).ThenBy(i => i.Id).ToList();
        var options = OptionsOf(product, variants);
        var rows = Math.Max(1, Math.Max(variants.Count, images.Count));
        for (var i = 0; i < rows; i++)
        {
            var first = i == 0;
            var variant = i < variants.Count ? variants[i] : null;
            var image = i < images.Count ? images[i] : null;
            var values = i < options.Values.Count ? options.Values[i] : null;
            foreach (var column in ShopifyColumns.All)
            {
                csv.WriteField(column switch
                {
                    ShopifyColumns.Handle => product.Slug,
                    ShopifyColumns.Title => first ? product.Title : null,
                    ShopifyColumns.Body => first ? product.Description : null,
                    ShopifyColumns.Vendor => first ? product.Vendor : null,
                    ShopifyColumns.ProductCategory => first ? CategoryColumn(product) : null,
                    ShopifyColumns.Type => first ? product.ProductType : null,
                    ShopifyColumns.Tags => first ? product.Tags : null,
                    ShopifyColumns.Published => first ? Bool(product.Status == ProductStatus.Active) : null,
                    ShopifyColumns.Option1Name => first ? options.Names[0] : null,
                    ShopifyColumns.Option2Name => first ? options.Names[1] : null,
                    ShopifyColumns.Option3Name => first ? options.Names[2] : null,
                    ShopifyColumns.Option1Value => values?[0],
                    ShopifyColumns.Option2Value => values?[1],
                    ShopifyColumns.Option3Value => values?[2],
                    ShopifyColumns.VariantSku => variant?.Sku,
                    ShopifyColumns.VariantGrams => variant?.WeightGrams?.ToString(CultureInfo.InvariantCulture),
                    ShopifyColumns.VariantInventoryTracker => variant is null ? null : "shopify",
                    ShopifyColumns.VariantInventoryQty => variant is null || stock is null ? null : stock.GetValueOrDefault(variant.Sku).ToString(CultureInfo.InvariantCulture),
                    ShopifyColumns.VariantInventoryPolicy => variant is null ? null : "deny",
                    ShopifyColumns.VariantFulfillmentService => variant is null ? null : "manual",
                    ShopifyColumns.VariantPrice => Money(variant?.Price),
                    ShopifyColumns.VariantCompareAtPrice => Money(variant?.CompareAtPrice),
                    ShopifyColumns.VariantRequiresShipping => variant is null ? null : Bool(true),
                    ShopifyColumns.VariantTaxable => variant is null ? null : Bool(true),
                    ShopifyColumns.VariantBarcode => variant?.Barcode,
                    ShopifyColumns.ImageSrc => image?.Url,
                    ShopifyColumns.ImagePosition => image is null ? null : (i + 1).ToString(CultureInfo.InvariantCulture),
                    ShopifyColumns.ImageAltText => image?.AltText,
                    ShopifyColumns.GiftCard => first ? Bool(false) : null,
                    ShopifyColumns.SeoTitle => first ? product.SeoTitle : null,
                    ShopifyColumns.SeoDescription => first ? product.SeoDescription : null,
                    ShopifyColumns.VariantImage => variant?.ImageUrl,
                    ShopifyColumns.VariantWeightUnit => variant?.WeightGrams is null ? null : "g",
                    ShopifyColumns.CostPerItem => Money(variant?.Cost),
                    ShopifyColumns.Status => first ? product.Status.ToString().ToLowerInvariant() : null,
                    _ => null,
                });
            }

            await csv.EndRecordAsync(ct);
        }
    }

    /// <summary>
    /// A product without options is written the way Shopify writes one: Option1 Name "Title" and the
    /// value "Default Title" (with several variants, each variant's title or SKU, which are distinct).
    /// </summary>
    private static (string?[] Names, List<string?[]> Values) OptionsOf(Product product, List<ProductVariant> variants)
    {
        if (product.Option1Name is not null || product.Option2Name is not null || product.Option3Name is not null)
        {
            return ([product.Option1Name, product.Option2Name, product.Option3Name], variants.Select(v => new[] { v.Option1, v.Option2, v.Option3 }).ToList());
        }

        var titlesDistinct = variants.All(v => v.Title is not null) && variants.Select(v => v.Title).Distinct(StringComparer.OrdinalIgnoreCase).Count() == variants.Count;
        var values = variants.Count == 1
            ? [["Default Title", null, null]]
            : variants.Select(v => new[] { titlesDistinct ? v.Title : v.Sku, null, null }).ToList();
        return (["Title", null, null], values);
    }

    /// <summary>Our category, unless it only repeats the Type (Shopify's Product Category expects its own taxonomy).</summary>
    private static string? CategoryColumn(Product product) =>
        product.Category?.Name is { } name && !string.Equals(name, product.ProductType, StringComparison.OrdinalIgnoreCase) ? name : null;

    private static string? Money(decimal? amount) => amount?.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "TRUE" : "FALSE";
}

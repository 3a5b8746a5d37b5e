using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Inventory;
using Storekeep.Tests.Api;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Catalog;

internal static class ShopifyCsvTestData
{
    public const string Header = "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Variant Image,Variant Weight Unit,Cost per item,Status";

    /// <summary>docs/samples/shopify-products.csv: 4 products, 8 variants, 6 images; active, draft and archived.</summary>
    public static string Sample() => File.ReadAllText(Path.Combine(ApiSurface.RepositoryRoot(), "docs", "samples", "shopify-products.csv"));

    /// <summary>The sample as Excel on Windows saves it: a BOM and CRLF line ends (inside quoted bodies too).</summary>
    public static byte[] SampleWithBomAndCrlf() =>
        [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Sample().ReplaceLineEndings("\r\n"))];

    public static async Task AddWarehousesAsync(TestStore store)
    {
        await using var db = store.Db();
        db.Warehouses.Add(new Warehouse { Code = "MAIN", Name = "Main", Priority = 1, CreatedAt = DateTime.UtcNow });
        db.Warehouses.Add(new Warehouse { Code = "WEST", Name = "West", Priority = 2, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    public static Task<ImportReport> ImportAsync(this TestStore store, string csv, ImportOptions? options = null, bool dryRun = false) =>
        store.ImportAsync(Encoding.UTF8.GetBytes(csv), options, dryRun);

    public static async Task<ImportReport> ImportAsync(this TestStore store, byte[] csv, ImportOptions? options = null, bool dryRun = false)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var importer = scope.ServiceProvider.GetRequiredService<ShopifyCsvImporter>();
        using var stream = new MemoryStream(csv);
        return dryRun
            ? await importer.PreviewAsync(stream, options, TestContext.Current.CancellationToken)
            : await importer.ImportAsync(stream, options, progress: null, TestContext.Current.CancellationToken);
    }

    public static async Task<string> ExportAsync(this TestStore store, ExportOptions? options = null)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var exporter = scope.ServiceProvider.GetRequiredService<ShopifyCsvExporter>();
        await using var writer = new StringWriter(CultureInfo.InvariantCulture);
        await exporter.ExportAsync(writer, options, TestContext.Current.CancellationToken);
        return writer.ToString();
    }

    public static async Task<ShopifyCsvFile> ParseAsync(string csv)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await ShopifyCsvReader.ReadAsync(stream, TestContext.Current.CancellationToken);
    }

    /// <summary>Everything the catalog keeps of a product, one line per product, variant and image, to compare files.</summary>
    public static string Canonical(ShopifyCsvFile file)
    {
        static string M(decimal? d) => d?.ToString("0.00", CultureInfo.InvariantCulture) ?? "∅";
        var text = new StringBuilder();
        foreach (var p in file.Products.OrderBy(p => p.Handle, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{p.Handle}|{p.Title}|{p.BodyHtml}|{p.Vendor}|{p.CategoryName}|{p.Type}|{p.Tags}|{p.EffectiveStatus}|{p.SeoTitle}|{p.SeoDescription}|{p.Option1Name}|{p.Option2Name}|{p.Option3Name}");
            foreach (var v in p.Variants)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {v.Sku}|{v.Option1}|{v.Option2}|{v.Option3}|{M(v.Price)}|{M(v.CompareAtPrice)}|{M(v.Cost)}|{v.WeightGrams}|{v.Barcode}|{v.Quantity}|{v.ImageUrl}");
            }

            foreach (var (image, index) in p.Images.Select((x, i) => (x, i)))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  image {image.Position ?? index + 1}|{image.Url}|{image.AltText}");
            }
        }

        return text.ToString();
    }

    public static string Row(string handle, string title = "", string option1Name = "", string option1 = "", string sku = "", string qty = "", string price = "", string imageSrc = "", string status = "")
    {
        var fields = new string[35];
        Array.Fill(fields, "");
        fields[0] = handle;
        fields[1] = title;
        fields[8] = option1Name;
        fields[9] = option1;
        fields[14] = sku;
        fields[17] = qty;
        fields[20] = price;
        fields[25] = imageSrc;
        fields[34] = status;
        return string.Join(',', fields);
    }

    public static string CsvOf(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";
}

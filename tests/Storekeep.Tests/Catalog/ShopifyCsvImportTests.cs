using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Tests.Api;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.ShopifyCsvTestData;

namespace Storekeep.Tests.Catalog;

public sealed class ShopifyCsvImportTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Importing_the_sample_creates_products_variants_images_categories_and_stock(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);

        var report = await store.ImportAsync(SampleWithBomAndCrlf());

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal((4, 0, 8, 0, 6, "MAIN"), (report.ProductsToCreate, report.ProductsToUpdate, report.VariantsToCreate, report.VariantsToUpdate, report.Images, report.Warehouse));
        await using var db = store.Db();
        var tee = await db.Products.Include(p => p.Variants).Include(p => p.Images).Include(p => p.Category).AsSplitQuery().SingleAsync(p => p.Slug == "classic-tee");
        Assert.Equal(("Classic Tee", "Northwind Apparel", "T-Shirts", "T-Shirts", ProductStatus.Active), (tee.Title, tee.Vendor, tee.ProductType, tee.Category?.Name, tee.Status));
        Assert.Equal(("Color", "Size", (string?)null), (tee.Option1Name, tee.Option2Name, tee.Option3Name));
        Assert.Equal("cotton, summer, bestseller", tee.Tags);
        Assert.Equal(("Classic Tee | Northwind", "Soft, combed cotton tee in three colours."), (tee.SeoTitle, tee.SeoDescription));
        Assert.Contains("<li>Fits \"true to size\"</li>", tee.Description, StringComparison.Ordinal);
        Assert.Equal(["TEE-RED-S", "TEE-RED-M", "TEE-BLU-S", "TEE-BLU-M"], tee.Variants.OrderBy(v => v.Position).Select(v => v.Sku));
        var redM = tee.Variants.Single(v => v.Sku == "TEE-RED-M");
        Assert.Equal(("Red", "M", "Red / M", 19.99m, 24.99m, 7.50m, 190, "4006381333948"), (redM.Option1, redM.Option2, redM.Title, redM.Price, redM.CompareAtPrice, redM.Cost, redM.WeightGrams, redM.Barcode));
        Assert.Equal(["https://cdn.example.com/tee-red.jpg", "https://cdn.example.com/tee-blue.jpg", "https://cdn.example.com/tee-back.jpg"], tee.Images.OrderBy(i => i.Position).Select(i => i.Url));
        Assert.Equal("Back, with the \"N\" logo", tee.Images.Single(i => i.Position == 3).AltText);

        var mug = await db.Products.Include(p => p.Variants).SingleAsync(p => p.Slug == "ceramic-mug");
        Assert.Null(mug.Option1Name); // Shopify's "Title / Default Title" means no options
        Assert.Null(mug.Variants.Single().Option1);
        Assert.Equal(ProductStatus.Draft, (await db.Products.SingleAsync(p => p.Slug == "winter-parka")).Status);
        Assert.Equal(ProductStatus.Archived, (await db.Products.SingleAsync(p => p.Slug == "old-tote-bag")).Status);
        Assert.Equal(["Bags", "Jackets", "Mugs", "T-Shirts"], await db.Categories.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync());

        // Quantities are the available stock in the default warehouse, recorded in the ledger.
        var main = await db.Warehouses.SingleAsync(w => w.Code == "MAIN");
        var levels = await db.StockLevels.Where(s => s.WarehouseId == main.Id).ToDictionaryAsync(s => s.Sku, s => s.OnHand - s.Reserved);
        Assert.Equal((12, 8, 5, 40, 3), (levels["TEE-RED-S"], levels["TEE-RED-M"], levels["TEE-BLU-M"], levels["MUG-350"], levels["PARKA-S-BLK"]));
        Assert.Equal(0, await db.StockLevels.CountAsync(s => s.WarehouseId != main.Id));
        Assert.True(await db.StockMovements.AnyAsync(m => m.Sku == "TEE-RED-S" && m.OnHandDelta == 12 && m.Type == MovementType.Adjustment && m.Reference!.StartsWith("import:")));
        await store.AssertLedgerMatchesBalancesAsync();

        var created = await db.OutboxEvents.Where(e => e.Type == EventTypes.ProductCreated).Select(e => e.Payload).ToListAsync();
        Assert.Equal(4, created.Count);
        Assert.Contains(created, p => p.Contains("\"slug\":\"classic-tee\"", StringComparison.Ordinal) && p.Contains("TEE-BLU-M", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Import_then_export_gives_back_the_same_products_variants_prices_quantities_and_images(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        var original = await ParseAsync(Sample());
        Assert.Empty(original.Errors);

        await store.ImportAsync(SampleWithBomAndCrlf());
        var exported = await store.ExportAsync();

        Assert.StartsWith(Header + "\r\n", exported, StringComparison.Ordinal);
        var parsed = await ParseAsync(exported);
        Assert.Empty(parsed.Errors);
        Assert.Equal(Canonical(original).ReplaceLineEndings("\n"), Canonical(parsed).ReplaceLineEndings("\n"));

        // Into a fresh store and out again: the very same file.
        await using var second = await TestStore.StartAsync(database);
        await AddWarehousesAsync(second);
        var report = await second.ImportAsync(exported);
        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal(exported, await second.ExportAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_file_with_bad_rows_lists_each_bad_row_and_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        await store.AddProductAsync("TAKEN-1", 5m, main: 3);
        var tooMany = Enumerable.Range(1, CatalogService.MaxVariants + 1)
            .Select(i => Row("big-product", i == 1 ? "Big" : "", i == 1 ? "Size" : "", $"S{i}", $"BIG-{i}", "1", "1.00"));
        var csv = CsvOf(
            [
                Row("good-one", "Good", sku: "GOOD-1", qty: "1", price: "5.00"),      // row 2
                Row("bad-price", "Bad price", sku: "BP-1", price: "abc"),            // row 3
                Row("negative", "Negative", sku: "NEG-1", qty: "-3", price: "1.00"), // row 4
                Row("dup-a", "Dup A", sku: "DUP-1", price: "1.00"),                  // row 5
                Row("dup-b", "Dup B", sku: "DUP-1", price: "1.00"),                  // row 6
                Row("Bad Handle!", "Bad handle", sku: "BH-1", price: "1.00"),        // row 7
                Row("repeats", "Repeats", "Size", "M", "REP-1", price: "1.00"),      // row 8
                Row("repeats", option1: "M", sku: "REP-2", price: "1.00"),           // row 9
                Row("clash", "Clash", sku: "TAKEN-1", price: "1.00"),                // row 10
                Row("cents", "Cents", sku: "CENTS-1", price: "1.999"),               // row 11
                Row("bad-status", "Bad status", sku: "BS-1", price: "1.00", status: "live"), // row 12
                Row("bad-image", "Bad image", sku: "BI-1", price: "1.00", imageSrc: "ftp://x/y.png"), // row 13
                .. tooMany,                                                          // rows 14..114
            ]);
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var before = await fingerprint.TakeAsync();

        var report = await store.ImportAsync(csv);

        Assert.False(report.Imported);
        var errors = report.Errors.Select(e => (e.Row, e.Column)).ToList();
        Assert.Contains((3, ShopifyColumns.VariantPrice), errors);
        Assert.Contains((4, ShopifyColumns.VariantInventoryQty), errors);
        Assert.Contains((6, ShopifyColumns.VariantSku), errors);
        Assert.Contains((7, ShopifyColumns.Handle), errors);
        Assert.Contains((9, ShopifyColumns.Option1Value), errors);
        Assert.Contains((10, ShopifyColumns.VariantSku), errors);
        Assert.Contains((11, ShopifyColumns.VariantPrice), errors);
        Assert.Contains((12, ShopifyColumns.Status), errors);
        Assert.Contains((13, ShopifyColumns.ImageSrc), errors);
        Assert.Contains(report.Errors, e => e.Row == 14 + CatalogService.MaxVariants && e.Message.Contains("at most 100 variants", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Errors, e => e.Row == 2 || e.Row == 5 || e.Row == 8);
        Assert.Contains(report.Errors, e => e.Row == 4 && e.Message.Contains("negative", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.Row == 6 && e.Message.Contains("row 5", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.Row == 10 && e.Message.Contains("product-taken-1", StringComparison.Ordinal));
        Assert.Empty(DatabaseFingerprint.Differences(before, await fingerprint.TakeAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_dry_run_reports_what_would_change_and_writes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var before = await fingerprint.TakeAsync();

        var report = await store.ImportAsync(Sample(), new ImportOptions(Warehouse: "WEST"), dryRun: true);

        Assert.True(report.DryRun);
        Assert.False(report.Imported);
        Assert.Empty(report.Errors);
        Assert.Equal((4, 8, 4, "WEST"), (report.ProductsToCreate, report.VariantsToCreate, report.CategoriesToCreate, report.Warehouse));
        Assert.Equal(6, report.StockAdjustments); // the two zero quantities need none
        Assert.Empty(DatabaseFingerprint.Differences(before, await fingerprint.TakeAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Importing_the_same_file_again_updates_instead_of_duplicating(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        await store.ImportAsync(Sample());
        await using (var db = store.Db())
        {
            // A sale reserves two: available is now 10; the file's 12 means "make it 12 available again".
            await db.StockLevels.Where(s => s.Sku == "TEE-RED-S").ExecuteUpdateAsync(s => s.SetProperty(l => l.Reserved, 2L).SetProperty(l => l.OnHand, 12L));
            await db.StockMovements.AddAsync(new StockMovement { Sku = "TEE-RED-S", WarehouseId = (await db.Warehouses.SingleAsync(w => w.Code == "MAIN")).Id, Type = MovementType.Reservation, ReservedDelta = 2, Actor = "test", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var again = await store.ImportAsync(Sample());
        var changed = await store.ImportAsync(Sample().Replace("MUG-350,420,shopify,40,deny,manual,12.00", "MUG-350,420,shopify,40,deny,manual,13.50", StringComparison.Ordinal));

        Assert.Equal((0, 4, 0, 8, 1), (again.ProductsToCreate, again.ProductsToUpdate, again.VariantsToCreate, again.VariantsToUpdate, again.StockAdjustments));
        Assert.True(changed.Imported);
        await using var check = store.Db();
        Assert.Equal(4, await check.Products.CountAsync());
        Assert.Equal(8, await check.Variants.CountAsync());
        Assert.Equal(6, await check.ProductImages.CountAsync());
        Assert.Equal(4, await check.Categories.CountAsync());
        Assert.Equal(13.50m, (await check.Variants.SingleAsync(v => v.Sku == "MUG-350")).Price);
        var teeRedS = await check.StockLevels.SingleAsync(s => s.Sku == "TEE-RED-S");
        Assert.Equal((14L, 2L), (teeRedS.OnHand, teeRedS.Reserved));
        await store.AssertLedgerMatchesBalancesAsync();

        // An unchanged product raises no event; a changed one raises product.updated.
        var updated = await check.OutboxEvents.Where(e => e.Type == EventTypes.ProductUpdated).Select(e => e.Payload).ToListAsync();
        Assert.Single(updated);
        Assert.Contains("ceramic-mug", updated[0], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Columns_in_any_order_unknown_columns_and_blank_skus_are_accepted(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        const string csv = "Variant Price,Google Shopping / Gender,handle,Option1 Value,TITLE,Option1 Name,Variant SKU\n"
            + "10.00,unisex,socks,Small,Socks,Size,\n"
            + "11.00,,socks,Large,,,\n";

        var report = await store.ImportAsync(csv);

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        await using var db = store.Db();
        var skus = await db.Variants.OrderBy(v => v.Position).Select(v => v.Sku).ToListAsync();
        Assert.Equal(["socks-small", "socks-large"], skus);
        Assert.Equal(0, await db.StockMovements.CountAsync()); // no quantity column: stock untouched
    }

    [Theory]
    [InlineData("Title,Variant Price\nMug,5.00\n", "no Handle column")]
    [InlineData("", "empty")]
    [InlineData("Handle,Title,Variant Price\nmug,\"Mug,5.00\n", "never closed")]
    public async Task A_file_that_is_not_a_product_csv_says_so_first(string csv, string message)
    {
        var file = await ParseAsync(csv);

        Assert.Contains(message, file.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(file.Errors.Count == 1 ? 1 : 2, file.Errors[0].Row);
    }
}

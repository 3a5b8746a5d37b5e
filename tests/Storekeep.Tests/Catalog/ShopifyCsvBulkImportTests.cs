using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Audit;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.ShopifyCsvTestData;

namespace Storekeep.Tests.Catalog;

/// <summary>New products are written without the change tracker (COPY / multi-row INSERT): the rows, events and audit rows must be those SaveChanges wrote.</summary>
public sealed class ShopifyCsvBulkImportTests
{
    private const int Products = 2 * ShopifyCsvImporter.ProductsPerBatch + 100;
    private const int Existing = 10;

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_large_file_across_batches_writes_every_row_event_and_audit_row_once(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        using var scope = AuditScope.Begin(new Actor("owner@staff.test"));

        // A few products exist already (at another price), so batches mix updates and bulk inserts.
        var first = await store.ImportAsync(File(Existing, price: "5.00"));
        Assert.True(first.Imported, string.Join("\n", first.Errors));
        var report = await store.ImportAsync(File(Products, price: "9.50"));

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal((Products - Existing, Existing, 2 * (Products - Existing), 2 * Existing), (report.ProductsToCreate, report.ProductsToUpdate, report.VariantsToCreate, report.VariantsToUpdate));
        await using var db = store.Db();
        Assert.Equal(Products, await CountAsync(db, $"SELECT COUNT(*) AS \"Value\" FROM products WHERE slug LIKE 'bulk-%'"));
        Assert.Equal(2 * Products, await CountAsync(db, $"SELECT COUNT(*) AS \"Value\" FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.slug LIKE 'bulk-%' AND v.price = 950"));
        Assert.Equal(Products, await CountAsync(db, $"SELECT COUNT(*) AS \"Value\" FROM product_images i JOIN products p ON p.id = i.product_id WHERE i.position = 1"));
        Assert.Equal(Enumerable.Range(0, Products).Sum(i => Quantity(i) + 3L), await CountAsync(db, $"SELECT COALESCE(SUM(on_hand - reserved), 0) AS \"Value\" FROM stock_levels"));
        Assert.Equal(2 * Products, await CountAsync(db, $"SELECT COUNT(*) AS \"Value\" FROM stock_movements"));
        await store.AssertLedgerMatchesBalancesAsync();

        // One product.created per product (the first import's and the bulk ones), product.updated for the repriced ones.
        var created = await db.OutboxEvents.Where(e => e.Type == EventTypes.ProductCreated).Select(e => e.Payload).ToListAsync(TestContext.Current.CancellationToken);
        var ids = await db.Products.Select(p => p.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Products, created.Count);
        Assert.Equal(ids.Order(), created.Select(p => JsonSerializer.Deserialize<ProductCreated>(p, StorekeepJson.Options)!.ProductId).Order());
        var sample = JsonSerializer.Deserialize<ProductCreated>(created.Single(p => p.Contains("\"slug\":\"bulk-000400\"", StringComparison.Ordinal)), StorekeepJson.Options)!;
        Assert.Equal(["B-000400-A", "B-000400-B"], sample.Skus);
        Assert.Equal(Existing, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.ProductUpdated, TestContext.Current.CancellationToken));

        // One "created" audit row per product, variant and image, by the importing actor.
        var audit = await db.AuditLog.Where(a => a.Action == "created").Select(a => new { a.EntityType, a.EntityId, a.Actor }).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Products, audit.Count(a => a.EntityType == nameof(Product)));
        Assert.Equal(2 * Products, audit.Count(a => a.EntityType == nameof(ProductVariant)));
        Assert.Equal(Products, audit.Count(a => a.EntityType == nameof(ProductImage)));
        Assert.Equal(audit.Count, audit.Select(a => (a.EntityType, a.EntityId)).Distinct().Count());
        Assert.All(audit.Where(a => a.EntityType is nameof(Product) or nameof(ProductVariant) or nameof(ProductImage)), a => Assert.Equal("owner@staff.test", a.Actor));
        Assert.Equal(ids.Select(id => id.ToString()).Order(), audit.Where(a => a.EntityType == nameof(Product)).Select(a => a.EntityId).Order());

        // Importing the same file again changes nothing.
        var again = await store.ImportAsync(File(Products, price: "9.50"));
        Assert.Equal((0, Products), (again.ProductsToCreate, again.ProductsToUpdate));
        Assert.Equal(2 * Products, await CountAsync(db, $"SELECT COUNT(*) AS \"Value\" FROM stock_movements"));
        Assert.Equal(Products, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.ProductCreated, TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_audit_row_of_a_bulk_inserted_entity_is_the_one_SaveChanges_writes(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var services = store.Services.CreateAsyncScope();
        var db = services.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var now = DateTime.UtcNow;
        var product = new Product { Title = "Audit Tee", Slug = "audit-tee", Status = ProductStatus.Active, Vendor = "Acme", Tags = "a, b", CreatedAt = now, UpdatedAt = now, Option1Name = "Size" };
        product.Variants.Add(new ProductVariant { ProductId = product.Id, Sku = "AUD-1", Price = 12.34m, Cost = 5m, WeightGrams = 100, Option1 = "S", Title = "S" });
        product.Images.Add(new ProductImage { ProductId = product.Id, Url = "https://cdn.example.com/a.jpg", AltText = "A", Position = 1 });
        product.RefreshSearchText();

        using (AuditScope.Begin(new Actor("owner@staff.test")))
        {
            db.Products.Add(product);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            object[] entities = [product, product.Variants[0], product.Images[0]];
            foreach (var entity in entities)
            {
                var expected = AuditInterceptor.Created(db, entity, now)!;
                var saved = await db.AuditLog.AsNoTracking().SingleAsync(a => a.EntityId == expected.EntityId, TestContext.Current.CancellationToken);
                Assert.Equal((saved.Action, saved.EntityType, saved.Actor, saved.Before, saved.After), (expected.Action, expected.EntityType, expected.Actor, expected.Before, expected.After));
            }
        }
    }

    private static int Quantity(int i) => 1 + (i % 7);

    /// <summary><paramref name="count"/> products, two variants each (the first with the image), every one with stock.</summary>
    private static string File(int count, string price)
    {
        var rows = new List<string>(2 * count);
        for (var i = 0; i < count; i++)
        {
            var handle = $"bulk-{i:D6}";
            rows.Add(Row(handle, $"Bulk {i}", "Size", "S", $"B-{i:D6}-A", Quantity(i).ToString(CultureInfo.InvariantCulture), price, $"https://cdn.example.com/{handle}.jpg", "active"));
            rows.Add(Row(handle, option1: "M", sku: $"B-{i:D6}-B", qty: "3", price: price));
        }

        return CsvOf([.. rows]);
    }

    private static Task<long> CountAsync(StorekeepDbContext db, FormattableString sql) =>
        db.Database.SqlQuery<long>(sql).SingleAsync(TestContext.Current.CancellationToken);
}

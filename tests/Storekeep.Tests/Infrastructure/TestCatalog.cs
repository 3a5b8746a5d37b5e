using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Inventory;
using Storekeep.Pricing;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Puts products, stock, shipping and tax straight into a store's database for a test.</summary>
public static class TestCatalog
{
    public static async Task AddProductAsync(this TestStore store, string sku, decimal price, int main, int west = 0, string? title = null)
    {
        await using var db = store.Db();
        var warehouses = await EnsureWarehousesAsync(db);
        var product = new Product
        {
            Title = title ?? $"Product {sku}",
            Slug = $"product-{sku.ToLowerInvariant()}",
            Status = ProductStatus.Active,
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        product.Variants.Add(new ProductVariant { Sku = sku, Price = price });
        product.RefreshSearchText();
        db.Products.Add(product);
        db.StockLevels.Add(new StockLevel { Sku = sku, WarehouseId = warehouses.Main, OnHand = main, LowStockThreshold = 0 });
        db.StockLevels.Add(new StockLevel { Sku = sku, WarehouseId = warehouses.West, OnHand = west, LowStockThreshold = 0 });
        AddReceipt(db, sku, warehouses.Main, main);
        AddReceipt(db, sku, warehouses.West, west);
        await db.SaveChangesAsync();
    }

    public static async Task AddShippingAndTaxAsync(this TestStore store)
    {
        await using var db = store.Db();
        db.ShippingMethods.Add(new ShippingMethod { Code = "standard", Name = "Standard", Rate = 5.99m, FreeOver = 100m, Countries = "US,CA", Position = 1 });
        db.ShippingMethods.Add(new ShippingMethod { Code = "express", Name = "Express", Rate = 19.50m, Countries = "*", Position = 2 });
        db.TaxRates.Add(new TaxRate { Country = "US", Name = "US", Rate = 0m });
        db.TaxRates.Add(new TaxRate { Country = "US", Region = "NY", Name = "New York", Rate = 8.875m });
        db.TaxRates.Add(new TaxRate { Country = "DE", Name = "MwSt", Rate = 19m });
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Lets checkout take bank transfers and cash on delivery (a new store offers card only), as an
    /// owner would in the settings.
    /// </summary>
    public static async Task EnableManualPaymentMethodsAsync(this TestStore store, params string[] methods) =>
        await (await store.Client.PatchJson("/api/v1/settings/payments", new { manualMethods = methods.Length > 0 ? methods : ["bank_transfer", "cash_on_delivery"] }))
            .Expect(HttpStatusCode.OK);

    public static async Task<string> CartWithAsync(this TestStore store, HttpClient client, params (string Sku, int Quantity)[] lines)
    {
        var cart = await (await client.PostJson("/api/v1/carts", new { })).Expect(HttpStatusCode.Created);
        var id = cart["id"].Str();
        foreach (var (sku, quantity) in lines)
        {
            await (await client.PostJson($"/api/v1/carts/{id}/items", new { sku, quantity })).Expect(HttpStatusCode.OK);
        }

        return id;
    }

    public static object CheckoutBody(string token = "tok_visa", string email = "ada@example.com", string country = "US", string? region = "NY", string? method = null) => new
    {
        email,
        shippingAddress = new { name = "Ada Lovelace", line1 = "12 Analytical Row", city = "New York", region, postalCode = "10001", country },
        shippingMethod = method,
        payment = new { method = "card", token },
    };

    private static void AddReceipt(Storekeep.Data.StorekeepDbContext db, string sku, Guid warehouse, int quantity)
    {
        if (quantity > 0)
        {
            db.StockMovements.Add(new StockMovement { Sku = sku, WarehouseId = warehouse, Type = MovementType.Receipt, OnHandDelta = quantity, Actor = "test", CreatedAt = DateTime.UtcNow });
        }
    }

    private static async Task<(Guid Main, Guid West)> EnsureWarehousesAsync(Storekeep.Data.StorekeepDbContext db)
    {
        var existing = await db.Warehouses.OrderBy(w => w.Priority).ToListAsync();
        if (existing.Count >= 2)
        {
            return (existing[0].Id, existing[1].Id);
        }

        var main = new Warehouse { Code = "MAIN", Name = "Main", Priority = 1, CreatedAt = DateTime.UtcNow };
        var west = new Warehouse { Code = "WEST", Name = "West", Priority = 2, CreatedAt = DateTime.UtcNow };
        db.Warehouses.AddRange(main, west);
        await db.SaveChangesAsync();
        return (main.Id, west.Id);
    }

    /// <summary>The stock invariant: per SKU and warehouse the ledger sums to the balances.</summary>
    public static Task AssertLedgerMatchesBalancesAsync(this TestStore store) => AssertLedgerMatchesBalancesAsync(store.Db);

    /// <inheritdoc cref="AssertLedgerMatchesBalancesAsync(TestStore)"/>
    public static async Task AssertLedgerMatchesBalancesAsync(Func<Storekeep.Data.StorekeepDbContext> open)
    {
        await using var db = open();
        var levels = await db.StockLevels.AsNoTracking().ToListAsync();
        var ledger = await db.StockMovements.AsNoTracking()
            .GroupBy(m => new { m.Sku, m.WarehouseId })
            .Select(g => new { g.Key.Sku, g.Key.WarehouseId, OnHand = g.Sum(m => m.OnHandDelta), Reserved = g.Sum(m => m.ReservedDelta) })
            .ToListAsync();
        foreach (var level in levels)
        {
            var row = ledger.FirstOrDefault(l => l.Sku == level.Sku && l.WarehouseId == level.WarehouseId);
            Assert.True(level.OnHand == (row?.OnHand ?? 0), $"{level.Sku}: on hand {level.OnHand} but ledger says {row?.OnHand ?? 0}");
            Assert.True(level.Reserved == (row?.Reserved ?? 0), $"{level.Sku}: reserved {level.Reserved} but ledger says {row?.Reserved ?? 0}");
            Assert.InRange(level.Reserved, 0, level.OnHand);
        }
    }
}

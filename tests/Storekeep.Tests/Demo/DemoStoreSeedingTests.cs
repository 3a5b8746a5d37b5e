using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Demo;
using Storekeep.Fulfillment;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Hosting;

namespace Storekeep.Tests.Demo;

public sealed class DemoStoreSeedingTests
{
    private static readonly Dictionary<string, string?> SeedDemo = new() { ["Seed:Demo"] = "true" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Seeding_an_empty_store_gives_a_catalog_stock_customers_and_a_year_of_orders_in_every_state(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: SeedDemo);
        await using var db = store.Db();
        var now = DateTime.UtcNow;

        var settings = await db.StoreSettings.SingleAsync();
        Assert.Equal("USD", settings.Currency);
        Assert.False(settings.PricesIncludeTax);

        var products = await db.Products.AsNoTracking().Include(p => p.Variants).ToListAsync();
        Assert.True(products.Count >= 120, $"{products.Count} products");
        Assert.All(products, p => Assert.InRange(p.Variants.Count, 1, 4));
        Assert.True(products.Select(p => p.CategoryId).Distinct().Count() >= 8);
        Assert.True(await db.Categories.CountAsync() >= 8);
        Assert.True(products.Count(p => p.Status == ProductStatus.Active) > products.Count * 0.8);
        Assert.Contains(products, p => p.Status == ProductStatus.Draft);
        Assert.Contains(products, p => p.Status == ProductStatus.Archived);
        var variants = products.SelectMany(p => p.Variants).ToList();
        Assert.All(variants, v => Assert.True(v.Price > 0 && v.Cost < v.Price && v.WeightGrams > 0 && v.Barcode!.Length == 13));
        Assert.Contains(variants, v => v.CompareAtPrice > v.Price);
        Assert.Contains(variants, v => v.Price != decimal.Truncate(v.Price));

        var warehouses = await db.Warehouses.OrderBy(w => w.Priority).ToListAsync();
        Assert.Equal(["MAIN", "WEST"], warehouses.Select(w => w.Code));
        var levels = await db.StockLevels.AsNoTracking().ToListAsync();
        Assert.Equal(variants.Count * 2, levels.Count);
        Assert.All(warehouses, w => Assert.True(levels.Where(l => l.WarehouseId == w.Id).Sum(l => l.OnHand) > 1000));
        Assert.All(levels, l => Assert.True(l.LowStockThreshold > 0));

        var shipping = await db.ShippingMethods.ToListAsync();
        Assert.Contains(shipping, m => m.Code == "standard" && m.FreeOver > 0 && m.Serves("US") && m.Serves("CA") && m.Serves("GB") && m.Serves("DE"));
        Assert.Contains(shipping, m => m.Code == "express" && m.Serves("US"));
        Assert.Contains(shipping, m => m.Countries == "*");
        var taxRates = await db.TaxRates.ToListAsync();
        Assert.True(taxRates.Count(t => t.Country == "US" && t.Region != null) >= 5);
        Assert.True(taxRates.Count(t => t.Region == null) >= 3);

        var customers = await db.Customers.AsNoTracking().ToListAsync();
        Assert.True(customers.Count >= 500, $"{customers.Count} customers");
        Assert.All(customers.Where(c => c.CompanyId is null), c => Assert.Matches(@"^[a-z0-9.]+@example\.(com|org|net)$", c.Email));
        Assert.All(customers.Where(c => c.CompanyId is not null), c => Assert.Matches(@"^[a-z0-9.]+@([a-z0-9-]+\.example|northwind\.demo\.storekeep\.test)$", c.Email));
        Assert.Contains(customers, c => c.Company != null);
        Assert.True(customers.Select(c => c.Country).Distinct().Count() >= 4);

        // B2B price lists: tiers below the regular price, deeper with the quantity; a percentage list.
        var priceLists = await db.Set<Storekeep.PriceLists.PriceList>().AsNoTracking().Include(p => p.Entries).OrderBy(p => p.Name).ToListAsync();
        Assert.Equal(["Trade partners", "Wholesale"], priceLists.Select(p => p.Name));
        Assert.Equal((10m, 0), (priceLists[0].PercentOff, priceLists[0].Entries.Count));
        var regular = variants.ToDictionary(v => v.Sku, v => v.Price);
        Assert.Equal(60, priceLists[1].Entries.Count);
        Assert.All(priceLists[1].Entries.GroupBy(e => e.Sku), g => Assert.True(g.Single(e => e.MinimumQuantity == 48).Price < g.Single(e => e.MinimumQuantity == 12).Price
            && g.Single(e => e.MinimumQuantity == 12).Price < regular[g.Key]));

        // RFM is scored as the store is seeded: the customer pages and RFM segments show scores at once.
        Assert.True(await db.Set<CustomerRfmScore>().CountAsync() > 300);

        // Two years imported from the previous platform (paid, delivered, touching no stock), then a year on Storekeep.
        var all = await db.Orders.AsNoTracking().ToListAsync();
        var imported = all.Where(o => o.Source == OrderSources.Import).ToList();
        Assert.InRange(imported.Count, 2000, 4000);
        Assert.True(imported.Min(o => o.CreatedAt) < now.AddDays(-1080), "imported history starts about three years ago");
        Assert.All(imported, o => Assert.True(o.CreatedAt < now.AddDays(-364) && o.Status == OrderStatus.Completed && o.PaymentStatus == PaymentStatus.Paid && o.ShippedAt > o.CreatedAt));
        var orders = all.Where(o => o.Source != OrderSources.Import).ToList();
        Assert.InRange(orders.Count, 3000, 5000);
        Assert.True(orders.Min(o => o.CreatedAt) < now.AddDays(-330), "live history starts about a year ago");
        Assert.True(orders.Max(o => o.CreatedAt) > now.AddDays(-3), "history runs up to the last days");
        Assert.All(orders, o => Assert.True(o.CreatedAt < now));
        Assert.Equal(Enum.GetValues<OrderStatus>(), orders.Select(o => o.Status).Distinct().Order());
        Assert.Equal(Enum.GetValues<PaymentStatus>(), orders.Select(o => o.PaymentStatus).Distinct().Order());
        Assert.Equal(Enum.GetValues<FulfillmentStatus>(), orders.Select(o => o.FulfillmentStatus).Distinct().Order());
        var lastQuarter = orders.Count(o => o.CreatedAt > now.AddDays(-90));
        var firstQuarter = orders.Count(o => o.CreatedAt < now.AddDays(-275));
        Assert.True(lastQuarter > firstQuarter * 1.3, $"the store grows: {firstQuarter} orders in the first quarter, {lastQuarter} in the last");

        var shipments = await db.Shipments.AsNoTracking().ToListAsync();
        Assert.All(shipments, s => Assert.False(string.IsNullOrEmpty(s.Carrier) || string.IsNullOrEmpty(s.TrackingNumber)));
        Assert.Contains(shipments, s => s.Status == ShipmentStatus.Delivered);
        Assert.Contains(shipments, s => s.Status == ShipmentStatus.Shipped);
        var returns = await db.Returns.AsNoTracking().ToListAsync();
        Assert.Contains(returns, r => r.Status == ReturnStatus.Received && r.Restock);
        Assert.Contains(returns, r => r.Status == ReturnStatus.Received && !r.Restock);
        Assert.True(await db.Refunds.CountAsync() > 100);
        Assert.True(await db.OrderTimeline.CountAsync() > orders.Count * 3);
        Assert.Equal(
            await db.OrderLines.Where(l => db.Orders.Any(o => o.Id == l.OrderId && o.Source != OrderSources.Import)).SumAsync(l => l.Quantity),
            await db.OrderAllocations.SumAsync(a => a.Quantity));

        var payments = await db.Payments.AsNoTracking().ToListAsync();
        // Every method checkout takes: terms for the company buyers' orders (DemoB2bTests), the others for shoppers.
        Assert.Equal(Enum.GetValues<PaymentMethod>(), payments.Select(p => p.Method).Distinct().Order());
        Assert.All(payments.Where(p => p.Method == PaymentMethod.Card), p =>
        {
            Assert.Matches("^[0-9]{4}$", p.Last4);
            Assert.NotNull(p.CardBrand);
            Assert.Equal(TestPaymentGateway.GatewayName, p.Gateway);
        });
        Assert.All(payments.Where(p => p.Method != PaymentMethod.Card), p => Assert.Null(p.Last4));

        // Recommendations on first start: the seeder counted the demo's paid orders (they raised no order.paid).
        var counted = await db.Orders.CountAsync(o => o.PaymentStatus == Storekeep.Orders.PaymentStatus.Paid
            || o.PaymentStatus == Storekeep.Orders.PaymentStatus.PartiallyRefunded || o.PaymentStatus == Storekeep.Orders.PaymentStatus.Refunded);
        Assert.Equal(counted, await db.Set<Storekeep.Recommendations.CoPurchaseOrder>().CountAsync());
        var pair = await db.Set<Storekeep.Recommendations.CoPurchase>().AsNoTracking()
            .Where(c => db.Variants.Any(v => v.Sku == c.OtherSku && v.Product!.Status == Storekeep.Catalog.ProductStatus.Active))
            .OrderByDescending(c => c.OrderCount).ThenBy(c => c.Sku).FirstAsync();
        var alsoBought = (await store.Client.GetAsync($"/api/v1/products/{Uri.EscapeDataString(pair.Sku)}/also-bought").Expect(System.Net.HttpStatusCode.OK)).AsArray();
        Assert.NotEmpty(alsoBought);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task After_seeding_stock_money_and_fulfilment_invariants_hold(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: SeedDemo);
        await using var db = store.Db();

        // The ledger sums to the balances, and no balance is negative or over-reserved.
        var levels = await db.StockLevels.AsNoTracking().ToListAsync();
        var ledger = (await db.StockMovements
                .GroupBy(m => new { m.Sku, m.WarehouseId })
                .Select(g => new { g.Key.Sku, g.Key.WarehouseId, OnHand = g.Sum(m => m.OnHandDelta), Reserved = g.Sum(m => m.ReservedDelta) })
                .ToListAsync())
            .ToDictionary(x => (x.Sku, x.WarehouseId));
        Assert.All(levels, level =>
        {
            var sums = ledger.GetValueOrDefault((level.Sku, level.WarehouseId));
            Assert.Equal((sums?.OnHand ?? 0, sums?.Reserved ?? 0), (level.OnHand, level.Reserved));
            Assert.True(level.Reserved >= 0 && level.Reserved <= level.OnHand, $"{level.Sku}: on hand {level.OnHand}, reserved {level.Reserved}");
        });
        Assert.All(ledger.Keys, key => Assert.Contains(levels, l => (l.Sku, l.WarehouseId) == key));

        // What is reserved is exactly what open orders still have to ship.
        var allocations = await db.OrderAllocations.AsNoTracking().ToListAsync();
        Assert.All(allocations, a => Assert.True(a.Outstanding >= 0 && a.ShippedQuantity >= 0 && a.ReleasedQuantity >= 0));
        var outstanding = allocations.GroupBy(a => (a.Sku, a.WarehouseId)).ToDictionary(g => g.Key, g => (long)g.Sum(a => a.Outstanding));
        Assert.All(levels, l => Assert.Equal(outstanding.GetValueOrDefault((l.Sku, l.WarehouseId)), l.Reserved));
        Assert.True(levels.Sum(l => l.Reserved) > 0, "open orders hold reservations");

        var withImported = await db.Orders.AsNoTracking().Include(o => o.Lines).ToListAsync();
        var orders = withImported.Where(o => o.Source != OrderSources.Import).ToList(); // imported history has no stock, payments or shipments here
        var allocationsByOrder = allocations.ToLookup(a => a.OrderId);
        foreach (var order in orders)
        {
            Assert.Equal(order.Lines.Sum(l => l.LineTotal), order.Subtotal);
            Assert.Equal(order.Subtotal - order.DiscountTotal + order.ShippingTotal + order.TaxTotal, order.Total);
            Assert.Equal(order.Lines.Sum(l => l.DiscountAmount) + order.ShippingDiscount, order.DiscountTotal);
            Assert.Equal(order.Lines.Sum(l => l.TaxAmount), order.TaxTotal);
            Assert.All(order.Lines, l =>
            {
                Assert.Equal(l.UnitPrice * l.Quantity, l.LineTotal);
                Assert.InRange(l.FulfilledQuantity, 0, l.Quantity);
                Assert.InRange(l.ReturnedQuantity, 0, l.FulfilledQuantity);
            });
            var unshipped = order.Lines.Sum(l => l.Quantity - l.FulfilledQuantity);
            var held = allocationsByOrder[order.Id].Sum(a => a.Outstanding);
            Assert.Equal(order.Status == OrderStatus.Open ? unshipped : 0, held);
            if (order.Status == OrderStatus.Cancelled)
            {
                Assert.All(order.Lines, l => Assert.Equal(0, l.FulfilledQuantity));
            }

            if (order.Status == OrderStatus.Completed)
            {
                Assert.Equal(FulfillmentStatus.Delivered, order.FulfillmentStatus);
            }
        }

        // Shipments carry exactly what the lines count as fulfilled.
        var shipped = (await db.Shipments.AsNoTracking().Include(s => s.Lines).ToListAsync())
            .SelectMany(s => s.Lines.Select(l => (s.OrderId, l.Sku, l.Quantity)))
            .GroupBy(x => (x.OrderId, x.Sku)).ToDictionary(g => g.Key, g => g.Sum(x => x.Quantity));
        Assert.All(orders.SelectMany(o => o.Lines.Select(l => (o.Id, l))), x =>
            Assert.Equal(x.l.FulfilledQuantity, shipped.GetValueOrDefault((x.Id, x.l.Sku))));

        // Money: nothing refunded beyond what was captured, refunds add up, statuses agree.
        var payments = await db.Payments.AsNoTracking().ToListAsync();
        var refunds = (await db.Refunds.AsNoTracking().ToListAsync()).ToLookup(r => r.PaymentId);
        var ordersById = orders.ToDictionary(o => o.Id);
        Assert.Equal(orders.Count, payments.Count);
        Assert.All(payments, p =>
        {
            Assert.InRange(p.RefundedAmount, 0, p.CapturedAmount);
            Assert.InRange(p.CapturedAmount, 0, p.Amount);
            Assert.Equal(refunds[p.Id].Sum(r => r.Amount), p.RefundedAmount);
            Assert.Equal(ordersById[p.OrderId].Total, p.Amount);
            var expected = ordersById[p.OrderId].PaymentStatus switch
            {
                PaymentStatus.Pending => PaymentRecordStatus.Pending,
                PaymentStatus.Authorized => PaymentRecordStatus.Authorized,
                PaymentStatus.Paid => PaymentRecordStatus.Captured,
                PaymentStatus.PartiallyRefunded => PaymentRecordStatus.PartiallyRefunded,
                PaymentStatus.Refunded => PaymentRecordStatus.Refunded,
                _ => PaymentRecordStatus.Voided,
            };
            Assert.Equal(expected, p.Status);
        });

        // Numbers: 1001 upwards without gaps (imported history first), and the next checkout continues after them.
        var numbers = withImported.Select(o => o.Number).Order().ToList();
        Assert.Equal(Enumerable.Range(1001, numbers.Count).Select(n => (long)n), numbers);
        var returnNumbers = await db.Returns.Select(r => r.Number).OrderBy(n => n).ToListAsync();
        Assert.Equal(Enumerable.Range(1001, returnNumbers.Count).Select(n => (long)n), returnNumbers);
        var (nextOrder, nextReturn) = await db.InTransactionAsync(async ct => (await db.NextOrderNumberAsync(ct), await db.NextReturnNumberAsync(ct)));
        Assert.Equal(numbers[^1] + 1, nextOrder);
        Assert.Equal(returnNumbers[^1] + 1, nextReturn);

        // Historical events stay out of the outbox (documented in DemoStoreSeeder).
        Assert.Equal(0, await db.OutboxEvents.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_restart_does_not_seed_again_and_the_same_seed_gives_the_same_store(string database)
    {
        await using var first = await TestStore.StartAsync(database, settings: SeedDemo);
        string before;
        await using (var db = first.Db())
        {
            before = await FingerprintAsync(db);
        }

        // A restart runs the initializer again over the same, now non-empty, database.
        var initializer = first.Services.GetServices<IHostedService>().OfType<DatabaseInitializer>().Single();
        await initializer.StartingAsync(CancellationToken.None);
        await using (var db = first.Db())
        {
            Assert.Equal(before, await FingerprintAsync(db));
            Assert.Equal(1, await db.Orders.CountAsync(o => o.Number == 1001));
        }

        await using var second = await TestStore.StartAsync(database, settings: SeedDemo);
        await using (var db = second.Db())
        {
            Assert.Equal(before, await FingerprintAsync(db));
        }
    }

    [Fact]
    public void The_builder_gives_the_same_data_for_the_same_day_and_seed()
    {
        var now = new DateTime(2026, 3, 14, 15, 9, 26, DateTimeKind.Utc);
        var a = DemoStoreBuilder.Build(now);
        var b = DemoStoreBuilder.Build(now.AddHours(3));

        Assert.Equal(a.Orders.Select(o => (o.Number, o.Email, o.Total, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.CreatedAt)),
            b.Orders.Select(o => (o.Number, o.Email, o.Total, o.Status, o.PaymentStatus, o.FulfillmentStatus, o.CreatedAt)));
        Assert.Equal(a.Movements.Select(m => (m.Sku, m.OnHandDelta, m.ReservedDelta, m.CreatedAt)), b.Movements.Select(m => (m.Sku, m.OnHandDelta, m.ReservedDelta, m.CreatedAt)));
        Assert.All(a.Orders, o => Assert.True(o.CreatedAt < now.Date));
    }

    /// <summary>A hash of what people see: catalog, customers, orders, stock. Ids are left out (they are random).</summary>
    private static async Task<string> FingerprintAsync(StorekeepDbContext db)
    {
        var text = new StringBuilder();
        foreach (var p in await db.Products.AsNoTracking().Include(p => p.Variants).OrderBy(p => p.Slug).ToListAsync())
        {
            text.Append($"{p.Slug}|{p.Title}|{p.Status}|{p.Description}|{p.CreatedAt:O}\n");
            foreach (var v in p.Variants.OrderBy(v => v.Position))
            {
                text.Append($" {v.Sku}|{v.Title}|{v.Price}|{v.CompareAtPrice}|{v.Cost}|{v.WeightGrams}|{v.Barcode}\n");
            }
        }

        foreach (var c in await db.Customers.AsNoTracking().OrderBy(c => c.Email).ToListAsync())
        {
            text.Append($"{c.Email}|{c.FirstName}|{c.LastName}|{c.Company}|{c.Country}|{c.CreatedAt:O}\n");
        }

        foreach (var o in await db.Orders.AsNoTracking().Include(o => o.Lines).OrderBy(o => o.Number).ToListAsync())
        {
            text.Append($"{o.Number}|{o.Email}|{o.Status}|{o.PaymentStatus}|{o.FulfillmentStatus}|{o.Total}|{o.ShippingAddress.City}|{o.CreatedAt:O}|");
            text.AppendJoin(',', o.Lines.OrderBy(l => l.Sku).Select(l => $"{l.Sku}x{l.Quantity}/{l.FulfilledQuantity}/{l.ReturnedQuantity}")).Append('\n');
        }

        foreach (var l in await db.StockLevels.AsNoTracking().Include(l => l.Warehouse).OrderBy(l => l.Sku).ThenBy(l => l.Warehouse!.Code).ToListAsync())
        {
            text.Append($"{l.Sku}@{l.Warehouse!.Code}={l.OnHand}/{l.Reserved}\n");
        }

        text.Append($"movements={await db.StockMovements.CountAsync()} refunds={(await db.Refunds.Select(r => r.Amount).ToListAsync()).Sum()} timeline={await db.OrderTimeline.CountAsync()}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

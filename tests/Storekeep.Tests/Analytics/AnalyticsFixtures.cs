using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Tests.Analytics;

/// <summary>Writes orders, lines with costs, refunds and shipments straight to the database, for the report tests.</summary>
internal static class AnalyticsFixtures
{
    private static long _number = 700_000;

    public static Address At(string country) => new() { Name = "Ada", Line1 = "1 Row", City = "Town", PostalCode = "1000", Country = country };

    public static async Task<Dictionary<string, ProductVariant>> CatalogAsync(StorekeepDbContext db, params (string Sku, string? Category, decimal? Cost)[] items)
    {
        var categories = new Dictionary<string, Category>();
        var variants = new Dictionary<string, ProductVariant>();
        foreach (var (sku, categoryName, cost) in items)
        {
            Category? category = null;
            if (categoryName is not null && !categories.TryGetValue(categoryName, out category))
            {
                category = new Category { Name = categoryName, Slug = categoryName.ToLowerInvariant(), CreatedAt = DateTime.UtcNow };
                categories[categoryName] = category;
                db.Categories.Add(category);
            }

            var product = new Product
            {
                Title = $"Product {sku}",
                Slug = $"product-{sku.ToLowerInvariant()}",
                Status = ProductStatus.Active,
                Category = category,
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
            };
            var variant = new ProductVariant { Sku = sku, Price = 1m, Cost = cost };
            product.Variants.Add(variant);
            db.Products.Add(product);
            variants[sku] = variant;
        }

        await db.SaveChangesAsync();
        return variants;
    }

    public static async Task<Guid> CustomerAsync(StorekeepDbContext db, string email, string? company = null)
    {
        var customer = new Customer { Email = email, Company = company, CreatedAt = DateTime.UtcNow };
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        return customer.Id;
    }

    /// <summary>An order placed at <paramref name="at"/>, lines priced at unit price × quantity with the variant's cost captured.</summary>
    public static async Task<Order> OrderAsync(
        StorekeepDbContext db,
        DateTime at,
        string email,
        Guid? customerId,
        IReadOnlyDictionary<string, ProductVariant> variants,
        (string Sku, int Quantity, decimal UnitPrice)[] lines,
        decimal shipping = 4.99m,
        decimal tax = 0m,
        bool pricesIncludeTax = false,
        string country = "FR",
        string channel = OrderChannels.OnlineStore,
        string currency = "USD",
        string shippingMethod = "standard")
    {
        var order = Order.Place(
            Interlocked.Increment(ref _number),
            email,
            customerId,
            currency,
            At(country),
            shippingMethod,
            lines.Select(l => OrderLine.For(variants[l.Sku].Id, l.Sku, "Thing", l.Quantity, l.UnitPrice, l.Quantity * l.UnitPrice, 0m, variants[l.Sku].Cost)),
            shipping,
            tax,
            pricesIncludeTax,
            null,
            at,
            channel: channel);
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }

    public static async Task RefundAsync(StorekeepDbContext db, Order order, decimal amount, DateTime at, RefundStatus status = RefundStatus.Succeeded)
    {
        var payment = await db.Payments.FirstOrDefaultAsync(p => p.OrderId == order.Id);
        if (payment is null)
        {
            payment = new Payment { OrderId = order.Id, Gateway = "test", Amount = order.Total, CapturedAmount = order.Total, Currency = order.Currency, Status = PaymentRecordStatus.Captured, CreatedAt = order.CreatedAt };
            db.Payments.Add(payment);
        }

        db.Refunds.Add(new Refund { OrderId = order.Id, PaymentId = payment.Id, Amount = amount, Status = status, Actor = "test", CreatedAt = at });
        await db.SaveChangesAsync();
    }

    public static async Task CancelAsync(StorekeepDbContext db, Order order, DateTime at)
    {
        var tracked = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == order.Id);
        tracked.Cancel("test", Actor.System, at);
        await db.SaveChangesAsync();
    }

    public static async Task ShipAsync(StorekeepDbContext db, Order order, DateTime at)
    {
        var warehouse = await db.Warehouses.Select(w => w.Id).FirstOrDefaultAsync();
        if (warehouse == Guid.Empty)
        {
            var w = new Storekeep.Inventory.Warehouse { Code = "main", Name = "Main" };
            db.Warehouses.Add(w);
            await db.SaveChangesAsync();
            warehouse = w.Id;
        }

        db.Shipments.Add(new Storekeep.Fulfillment.Shipment { OrderId = order.Id, WarehouseId = warehouse, Carrier = "ups", TrackingNumber = Ids.NewId().ToString("N"), ShippedAt = at });
        await db.SaveChangesAsync();
    }

    /// <summary>Waits until the subscribers have handled every event, then rebuilds the rollups (for rows written straight to the tables, without events).</summary>
    public static async Task RebuildRollupsAsync(Storekeep.Tests.Infrastructure.TestStore store)
    {
        await AllEventsHandledAsync(store);
        await using var db = store.Db();
        await new Storekeep.Analytics.DailySalesRollup(db).RebuildAsync(CancellationToken.None);
    }

    public static Task AllEventsHandledAsync(Storekeep.Tests.Infrastructure.TestStore store) =>
        Storekeep.Tests.Infrastructure.Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return !await db.OutboxEvents.AnyAsync(e => e.Position == null)
                && await db.EventSubscriptions.AnyAsync(s => s.Name == Storekeep.Analytics.DailySalesRollup.SubscriberName && s.Position == db.OutboxEvents.Max(e => e.Position));
        }, "every event published and rolled up");

    public static DateTime Utc(int year, int month, int day, int hour = 12) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);
}

using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Store;

namespace Storekeep.Demo;

/// <summary>What the seeder is doing, for a progress bar: <paramref name="Done"/> of <paramref name="Total"/> rows written.</summary>
public sealed record DemoSeedProgress(string Stage, int Done, int Total);

/// <param name="Elapsed">The whole seeding; <paramref name="BuildElapsed"/> of it went on building the data in memory.</param>
public sealed record DemoSeedResult(bool Seeded, TimeSpan Elapsed, TimeSpan BuildElapsed, int Products, int Variants, int Customers, int Orders, int StockMovements)
{
    public static readonly DemoSeedResult Skipped = new(false, TimeSpan.Zero, TimeSpan.Zero, 0, 0, 0, 0, 0);
}

/// <summary>
/// Seeds the demo store into an empty database: the data set is built in memory from a fixed seed
/// (<see cref="DemoStoreBuilder"/>), then written with multi-row INSERTs (<see cref="BulkInsert"/>) inside one transaction, so a crash
/// leaves no half-seeded store and two nodes starting together seed it once.
/// Historical events are not written to the outbox: replaying a year of <c>order.placed</c> to
/// webhooks would be noise, and consumers that keep derived state build it from the tables.
/// </summary>
public sealed class DemoStoreSeeder(StorekeepDbContext db, TimeProvider clock, Customers.RfmScoring rfm)
{
    /// <summary>Empty means no products, orders, customers, categories or warehouses: nothing anyone made.</summary>
    public async Task<bool> IsEmptyAsync(CancellationToken ct) =>
        !await db.Products.AnyAsync(ct) && !await db.Orders.AnyAsync(ct) && !await db.Customers.AnyAsync(ct)
        && !await db.Categories.AnyAsync(ct) && !await db.Warehouses.AnyAsync(ct);

    public async Task<DemoSeedResult> SeedIfEmptyAsync(IProgress<DemoSeedProgress>? progress, CancellationToken ct)
    {
        if (!await IsEmptyAsync(ct))
        {
            return DemoSeedResult.Skipped;
        }

        var stopwatch = Stopwatch.StartNew();
        progress?.Report(new DemoSeedProgress("Building the demo store", 0, 1));
        var data = DemoStoreBuilder.Build(clock.GetUtcNow().UtcDateTime);
        var built = stopwatch.Elapsed;

        var seeded = await db.InTransactionAsync(async token =>
        {
            // Checked again under the lock: another node may have seeded while we built.
            if (db.IsPostgres)
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7261123)", token);
            }

            if (!await IsEmptyAsync(token))
            {
                return false;
            }

            await WriteAsync(data, progress, token);
            await new Analytics.DailySalesRollup(db).RebuildAsync(token);
            await new Customers.CustomerOrderStats(db).RebuildAsync(token); // the demo's orders raised no events
            await new Recommendations.CoPurchases(db, clock).RebuildAsync(token); // the demo's orders raised no order.paid
            await rfm.ScoreAsync(token); // the customer pages and RFM segments show scores on first start
            return true;
        }, ct);

        if (!seeded)
        {
            return DemoSeedResult.Skipped;
        }

        return new DemoSeedResult(true, stopwatch.Elapsed, built, data.Products.Count, data.Products.Sum(p => p.Variants.Count),
            data.Customers.Count, data.Orders.Count, data.Movements.Count);
    }

    private async Task WriteAsync(DemoDataSet data, IProgress<DemoSeedProgress>? progress, CancellationToken ct)
    {
        var settings = await StoreSettingsService.Row(db).FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            db.StoreSettings.Add(data.Settings);
        }
        else
        {
            settings.Name = data.Settings.Name;
            settings.Currency = data.Settings.Currency;
            settings.PricesIncludeTax = data.Settings.PricesIncludeTax;
            settings.ManualPaymentMethods = data.Settings.ManualPaymentMethods;
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();

        // Parents before children, so foreign keys hold at every statement.
        var tables = new (string Stage, Func<Task> Insert, int Rows)[]
        {
            Table("Catalog", data.Categories),
            Table("Catalog", data.Products),
            Table("Catalog", data.Products.SelectMany(p => p.Variants).ToList()),
            Table("Warehouses and stock", data.Warehouses),
            Table("Warehouses and stock", data.StockLevels),
            Table("Shipping and tax", data.ShippingMethods),
            Table("Shipping and tax", data.TaxRates),
            Table("Promotions", data.Discounts),
            Table("Customers", data.Customers),
            Table("Customers", data.CustomerTags),
            Table("Customers", data.Segments),
            Table("Orders", data.Orders),
            Table("Orders", data.Orders.SelectMany(o => o.Lines).ToList()),
            Table("Orders", data.Orders.SelectMany(o => o.Timeline).ToList()),
            Table("Orders", data.Allocations),
            Table("Promotions", data.DiscountUses),
            Table("Promotions", data.DiscountCustomerUses),
            Table("Promotions", data.DiscountAllocations),
            Table("Payments", data.Payments),
            Table("Payments", data.Refunds),
            Table("Shipments", data.Shipments),
            Table("Shipments", data.Shipments.SelectMany(s => s.Lines).ToList()),
            Table("Shipments", data.PickScans),
            Table("Returns", data.Returns),
            Table("Returns", data.Returns.SelectMany(r => r.Lines).ToList()),
            Table("Purchasing", data.Suppliers),
            Table("Purchasing", data.Suppliers.SelectMany(x => x.Products).ToList()),
            Table("Purchasing", data.PurchaseOrders),
            Table("Purchasing", data.PurchaseOrders.SelectMany(o => o.Lines).ToList()),
            Table("Price lists", data.PriceLists),
            Table("Price lists", data.PriceLists.SelectMany(p => p.Entries).ToList()),
            Table("Stock ledger", data.Movements),
            Table("Loyalty", data.LoyaltyPrograms),
            Table("Loyalty", data.LoyaltyAccounts),
            Table("Loyalty", data.LoyaltyEntries),
            Table("Support", data.Tickets),
            Table("Support", data.Tickets.SelectMany(t => t.Messages).ToList()),
            Table("Attribution", data.VisitorTouches),
            Table("Attribution", data.OrderAcquisitions),
            Table("Attribution", data.MarketingSpend),
            Table("Experiments", data.Experiments),
            Table("Experiments", data.Experiments.SelectMany(e => e.Variants).ToList()),
            Table("Experiments", data.ExperimentExposures),
            Table("Abandoned carts", data.Carts),
            Table("Abandoned carts", data.Carts.SelectMany(c => c.Items).ToList()),
            Table("Abandoned carts", data.AbandonedCartSettings),
            Table("Abandoned carts", data.AbandonedCartEmails),
            Table("Campaigns", data.Campaigns),
            Table("Campaigns", data.CampaignRecipients),
            Table("Campaigns", data.Messages),
            Table("Sales", data.SalesTeams),
            Table("Sales", data.CommissionPlans),
            Table("Sales", data.CommissionPlanTiers),
            ("Sales", () => SaveAsync(data.SalesTerritories), data.SalesTerritories.Count), // list columns: through EF's own mapping
            Table("Sales", data.SalesReps),
            Table("Sales", data.SalesTerritoryReps),
            Table("Sales", data.Companies),
            Table("Sales", data.Deals),
            Table("Sales", data.DealStageChanges),
            Table("Sales", data.SalesActivities),
            Table("Sales", data.SalesQuotas),
            ("Sales", () => LinkBuyersAsync(data.CompanyBuyers), data.CompanyBuyers.Count),
            Table("Invoices", data.Invoices),
            Table("Invoices", data.InvoicePayments),
            Table("Invoices", data.CompanyCredits),
            Table("Invoices", data.InvoiceCounters),
            Table("Quotes", data.Quotes),
            Table("Quotes", data.QuoteLines),
        };
        var total = tables.Sum(t => t.Rows);
        var done = 0;
        foreach (var (stage, insert, rows) in tables)
        {
            progress?.Report(new DemoSeedProgress(stage, done, total));
            await insert();
            done += rows;
        }

        if (db.IsPostgres)
        {
            // Checkout draws numbers from these sequences; they must start after the seeded ones.
            // (The names are those of StorekeepDbContext.OrderNumberSequence and ReturnNumberSequence.)
            await db.Database.ExecuteSqlAsync($"SELECT setval('order_numbers', {data.LastOrderNumber})", ct);
            if (data.Returns.Count > 0)
            {
                await db.Database.ExecuteSqlAsync($"SELECT setval('return_numbers', {data.LastReturnNumber})", ct);
            }

            if (data.PurchaseOrders.Count > 0)
            {
                await db.Database.ExecuteSqlAsync($"SELECT setval('purchase_order_numbers', {data.LastPurchaseOrderNumber})", ct);
            }

            // SalesQuotes numbers new quotes from this sequence (on SQLite: the highest number + 1).
            if (data.Quotes.Count > 0)
            {
                await db.Database.ExecuteSqlAsync($"SELECT setval('quote_numbers', {data.LastQuoteNumber})", ct);
            }
        }

        progress?.Report(new DemoSeedProgress("Done", total, total));

        // One UPDATE per company, as CustomerRegistry.SetCompanyAsync sets it.
        async Task LinkBuyersAsync(IReadOnlyList<(Guid CustomerId, Guid CompanyId)> buyers)
        {
            foreach (var company in buyers.GroupBy(b => b.CompanyId))
            {
                var ids = company.Select(b => b.CustomerId).ToList();
                await db.Customers.Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(u => u.SetProperty(c => c.CompanyId, (Guid?)company.Key), ct);
            }
        }

        async Task SaveAsync<T>(IReadOnlyList<T> rows)
            where T : class
        {
            db.Set<T>().AddRange(rows);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        (string, Func<Task>, int) Table<T>(string stage, IReadOnlyList<T> rows)
            where T : class => (stage, () => BulkInsert.InsertRowsAsync(db, rows, ct), rows.Count);
    }
}

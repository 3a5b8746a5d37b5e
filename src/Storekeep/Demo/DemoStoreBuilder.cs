using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Demo;

/// <summary>
/// Builds a believable store from a fixed seed: catalog, stock, customers and a year of orders in
/// every state. Orders move through <see cref="Order"/>'s own methods and stock through a simulated
/// ledger whose balances are the sums of its rows, so the aggregate's rules and the inventory
/// invariants hold by construction. History ends at midnight UTC of "today", so the same seed on
/// the same day gives exactly the same data.
/// </summary>
internal sealed partial class DemoStoreBuilder
{
    public const int DefaultSeed = 20_261_123;
    private const int HistoryDays = 365;

    /// <summary>Days of order history before <see cref="HistoryDays"/>, imported from the merchant's previous platform.</summary>
    private const int ImportedHistoryDays = 730;
    private const int ProductsPerCategory = 15;
    private const int CustomerCount = 620;
    private const string Currency = "USD";

    private static readonly double[] WeekdayFactor = [1.05, 1.12, 1.05, 1.0, 1.0, 0.92, 0.85]; // Sunday first
    private static readonly double[] MonthFactor = [0.8, 0.8, 0.9, 0.95, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.3, 1.45];

    private static readonly double[] HourWeights =
        [0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.6, 1.0, 1.4, 1.7, 1.9, 2.0, 2.1, 2.0, 1.9, 1.9, 2.0, 2.2, 2.5, 2.8, 3.0, 2.7, 2.0, 1.2];

    private static readonly Actor WarehouseActor = new("warehouse");
    private static readonly Actor SupportActor = new("support");
    private static readonly Actor PurchasingActor = new("purchasing");
    private static readonly Actor ImportActor = new("import");

    private readonly Random _rng;
    private readonly int _supportSeed;
    private readonly int _experimentSeed;
    private readonly int _campaignSeed;
    private readonly int _attributionSeed;
    private readonly int _salesSeed;
    private readonly DateTime _end;
    private readonly DateTime _start;
    private readonly DemoDataSet _data;
    private readonly List<SellableVariant> _variants = [];
    private readonly Dictionary<(string Sku, int Warehouse), long> _available = [];
    private readonly List<(string Sku, int Warehouse)> _stockKeys = [];
    private readonly List<PendingReturn> _pendingReturns = [];
    private readonly List<(Product Product, CategoryTemplate Template, double Popularity, DateTime? ArchivedAt)> _pendingProducts = [];
    private readonly Dictionary<string, SellableVariant> _variantsBySku = new(StringComparer.Ordinal);
    private readonly List<(Customer Customer, double Loyalty, Address Address)> _customers = [];
    private double[] _customerWeights = [];
    private long _nextOrderNumber = 1001;
    private int _nextPurchaseOrder = 5001;

    private DemoStoreBuilder(int seed, DateTime now)
    {
        _rng = new Random(seed);
        _supportSeed = seed + 14;
        _experimentSeed = seed + 21;
        _campaignSeed = seed + 28;
        _attributionSeed = seed + 35;
        _salesSeed = seed + 42;
        _end = DateTime.SpecifyKind(now.Date, DateTimeKind.Utc);
        _start = _end.AddDays(-HistoryDays);
        _data = new DemoDataSet
        {
            Settings = new StoreSettings
            {
                Name = "Harbor & Pine Supply Co.",
                Currency = Currency,
                PricesIncludeTax = false,

                // The demo's history has bank-transfer and cash-on-delivery orders, and its checkout offers both.
                ManualPaymentMethods = string.Join(',', ManualPaymentMethods.All),
            },
            HistoryEnd = _end,
        };
    }

    public static DemoDataSet Build(DateTime now, int seed = DefaultSeed)
    {
        var builder = new DemoStoreBuilder(seed, now);
        builder.BuildCatalog();
        builder.BuildWarehousesAndInitialStock();
        builder.BuildShippingAndTax();
        builder.BuildPromotions();
        builder.BuildCustomers();
        builder.BuildImportedHistory();
        builder.BuildHistory();
        builder.FinishReturns();
        builder.FinishPromotions();
        builder.BuildPurchasing();
        builder.BuildPriceLists();
        builder.BuildLoyalty();
        builder.BuildCrm();
        builder.BuildSupport();
        builder.BuildExperiments();
        builder.BuildAbandonedCarts();
        builder.BuildCampaigns();
        builder.BuildAttribution(); // after the experiment, whose converting visitors already own their orders
        builder.BuildSales();
        builder.BuildSalesTargets();
        builder.BuildB2b(); // after the targets, which took their orders from the history before it
        builder.FinishStockLevels();
        return builder._data;
    }

    // ---------------------------------------------------------------- shipping and tax

    private void BuildShippingAndTax()
    {
        _data.ShippingMethods.Add(new ShippingMethod { Code = "standard", Name = "Standard (3-5 business days)", Rate = 5.99m, FreeOver = 75m, Countries = "US,CA,GB,DE", Position = 1 });
        _data.ShippingMethods.Add(new ShippingMethod { Code = "express", Name = "Express (1-2 business days)", Rate = 19.99m, Countries = "US,CA,GB,DE", Position = 2, ShipWithinHours = 24 });
        _data.ShippingMethods.Add(new ShippingMethod { Code = "international", Name = "International (6-14 business days)", Rate = 24.99m, FreeOver = 200m, Countries = "*", Position = 3, ShipWithinHours = 72 });

        (string Country, string? Region, string Name, decimal Rate)[] rates =
        [
            ("US", "CA", "California sales tax", 7.25m), ("US", "NY", "New York sales tax", 4m), ("US", "TX", "Texas sales tax", 6.25m),
            ("US", "WA", "Washington sales tax", 6.5m), ("US", "IL", "Illinois sales tax", 6.25m), ("US", "FL", "Florida sales tax", 6m),
            ("US", "PA", "Pennsylvania sales tax", 6m), ("US", "MA", "Massachusetts sales tax", 6.25m), ("US", "NJ", "New Jersey sales tax", 6.625m),
            ("US", "OH", "Ohio sales tax", 5.75m), ("US", "NV", "Nevada sales tax", 6.85m), ("US", "CO", "Colorado sales tax", 2.9m),
            ("CA", null, "GST", 5m), ("GB", null, "VAT", 20m), ("DE", null, "MwSt", 19m), ("FR", null, "TVA", 20m), ("NL", null, "BTW", 21m),
        ];
        foreach (var (country, region, name, rate) in rates)
        {
            _data.TaxRates.Add(new TaxRate { Country = country, Region = region, Name = name, Rate = rate });
        }
    }
}

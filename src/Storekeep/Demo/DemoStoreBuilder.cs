using System.Globalization;
using System.Text;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Demo;

/// <summary>Everything the demo store consists of, built in memory before a single row is written.</summary>
public sealed class DemoDataSet
{
    public required StoreSettings Settings { get; init; }
    public List<Category> Categories { get; } = [];
    public List<Product> Products { get; } = [];
    public List<Warehouse> Warehouses { get; } = [];
    public List<StockLevel> StockLevels { get; } = [];
    public List<StockMovement> Movements { get; } = [];
    public List<ShippingMethod> ShippingMethods { get; } = [];
    public List<TaxRate> TaxRates { get; } = [];
    public List<Customer> Customers { get; } = [];
    public List<Order> Orders { get; } = [];
    public List<OrderAllocation> Allocations { get; } = [];
    public List<Payment> Payments { get; } = [];
    public List<Refund> Refunds { get; } = [];
    public List<Shipment> Shipments { get; } = [];
    public List<ReturnRequest> Returns { get; } = [];

    /// <summary>Where the history ends (midnight UTC of the day the store was seeded).</summary>
    public DateTime HistoryEnd { get; init; }

    public long LastOrderNumber => Orders.Count == 0 ? 1000 : Orders[^1].Number;
    public long LastReturnNumber => Returns.Count == 0 ? 1000 : Returns.Max(r => r.Number);
}

/// <summary>
/// Builds a believable store from a fixed seed: catalog, stock, customers and a year of orders in
/// every state. Orders move through <see cref="Order"/>'s own methods and stock through a simulated
/// ledger whose balances are the sums of its rows, so the aggregate's rules and the inventory
/// invariants hold by construction. History ends at midnight UTC of "today", so the same seed on
/// the same day gives exactly the same data.
/// </summary>
internal sealed class DemoStoreBuilder
{
    public const int DefaultSeed = 20_261_123;
    private const int HistoryDays = 365;
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

    private readonly Random _rng;
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
        builder.BuildCustomers();
        builder.BuildHistory();
        builder.FinishReturns();
        builder.FinishStockLevels();
        return builder._data;
    }

    // ---------------------------------------------------------------- catalog

    private void BuildCatalog()
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var productNumber = 0;
        var barcode = 40_000_000L + _rng.Next(1_000_000);
        foreach (var template in DemoCatalogData.Categories)
        {
            var category = new Category
            {
                Name = template.Name,
                Slug = Slugify(template.Name),
                Description = template.Description,
                CreatedAt = _start.AddDays(-60),
            };
            _data.Categories.Add(category);

            var titles = new HashSet<string>(StringComparer.Ordinal);
            while (titles.Count < ProductsPerCategory)
            {
                var kind = Pick(template.Kinds);
                var title = $"{Pick(template.Qualifiers)} {kind.Noun}";
                if (!titles.Add(title))
                {
                    continue;
                }

                productNumber++;
                var product = NewProduct(template, category, kind, title, productNumber, slugs);
                var options = VariantOptions(kind.Options);
                var basePrice = Math.Floor(kind.MinPrice + (decimal)_rng.NextDouble() * (kind.MaxPrice - kind.MinPrice)) + (_rng.NextDouble() < 0.8 ? 0.99m : 0.5m);
                var onSale = _rng.NextDouble() < 0.18;
                var costShare = 0.35m + (decimal)_rng.NextDouble() * 0.2m;
                for (var i = 0; i < options.Count; i++)
                {
                    var (optionTitle, code, extra, weightFactor) = options[i];
                    var price = basePrice + extra;
                    var variant = new ProductVariant
                    {
                        ProductId = product.Id,
                        Product = product,
                        Sku = code is null ? $"{template.Code}-{productNumber:D3}" : $"{template.Code}-{productNumber:D3}-{code}",
                        Title = optionTitle,
                        Price = price,
                        CompareAtPrice = onSale ? Math.Floor(price * 1.3m) + 0.99m : null,
                        Cost = MinorUnits.Round(price * costShare),
                        WeightGrams = (int)(kind.WeightGrams * weightFactor * (0.9 + (_rng.NextDouble() * 0.2))),
                        Barcode = Ean13($"0{++barcode:D11}"),
                        Position = i,
                    };
                    product.Variants.Add(variant);
                }

                product.RefreshSearchText();
                _data.Products.Add(product);
            }
        }

        MarkFeatured();
    }

    /// <summary>About eight active products spread over the categories, chosen without drawing from the random sequence so the rest of the data stays the same.</summary>
    private void MarkFeatured()
    {
        var active = _data.Products.Where(p => p.Status == ProductStatus.Active).ToList();
        var step = Math.Max(1, active.Count / 8);
        for (var i = 0; i < active.Count && i / step < 8; i += step)
        {
            active[i].Featured = true;
        }
    }

    private Product NewProduct(CategoryTemplate template, Category category, ProductKind kind, string title, int number, HashSet<string> slugs)
    {
        var roll = _rng.NextDouble();
        var status = roll < 0.06 ? ProductStatus.Draft : roll < 0.1 ? ProductStatus.Archived : ProductStatus.Active;
        var created = status switch
        {
            ProductStatus.Draft => _end.AddDays(-_rng.Next(1, 40)),
            _ when _rng.NextDouble() < 0.72 => _start.AddDays(-_rng.Next(5, 200)),
            _ => _end.AddDays(-_rng.Next(20, 330)),
        };
        created = created.AddMinutes(_rng.Next(8 * 60, 18 * 60));
        var slug = Slugify(title);
        if (!slugs.Add(slug))
        {
            slug = $"{slug}-{number}";
            slugs.Add(slug);
        }

        var archivedAt = status == ProductStatus.Archived ? _end.AddDays(-_rng.Next(45, 200)) : (DateTime?)null;
        var firstPitch = _rng.Next(template.Pitches.Length);
        var secondPitch = (firstPitch + 1 + _rng.Next(template.Pitches.Length - 1)) % template.Pitches.Length;
        var description = $"{template.Pitches[firstPitch]} {template.Pitches[secondPitch]}";
        var product = new Product
        {
            Id = Guid.CreateVersion7(created),
            Title = title,
            Slug = slug,
            Description = description,
            CategoryId = category.Id,
            Status = status,
            CreatedAt = created,
            UpdatedAt = archivedAt ?? created,
        };
        var popularity = Math.Exp(Normal() * 0.8) * (kind.MaxPrice > 120m ? 0.6 : 1.0);
        _pendingProducts.Add((product, template, popularity, archivedAt));
        return product;
    }

    private List<(string? Title, string? Code, decimal Extra, double WeightFactor)> VariantOptions(OptionSet set)
    {
        var wanted = PickWeighted([0.15, 0.3, 0.3, 0.25]) + 1;
        switch (set)
        {
            case OptionSet.None:
                return [(null, null, 0m, 1.0)];
            case OptionSet.ApparelSize or OptionSet.ShoeSize:
            {
                var ladder = set == OptionSet.ApparelSize ? DemoCatalogData.ApparelSizes : DemoCatalogData.ShoeSizes;
                var count = Math.Max(set == OptionSet.ShoeSize ? 2 : 1, Math.Min(wanted, ladder.Length));
                var first = _rng.Next(0, ladder.Length - count + 1);
                return Enumerable.Range(first, count)
                    .Select(i => ((string?)ladder[i], (string?)ladder[i], ladder[i] == "XXL" ? 2m : 0m, 0.9 + (i * 0.05)))
                    .ToList();
            }

            case OptionSet.Colour:
                return Distinct(DemoCatalogData.Colours, wanted)
                    .Select(c => ((string?)c, (string?)ColourCode(c), 0m, 1.0)).ToList();
            case OptionSet.ColourAndSize:
            {
                var colours = Distinct(DemoCatalogData.Colours, wanted >= 3 ? 2 : 1);
                var sizeCount = wanted >= 2 ? 2 : 1;
                var first = _rng.Next(1, DemoCatalogData.ApparelSizes.Length - sizeCount);
                var result = new List<(string?, string?, decimal, double)>();
                foreach (var colour in colours)
                {
                    for (var s = first; s < first + sizeCount && result.Count < 4; s++)
                    {
                        var size = DemoCatalogData.ApparelSizes[s];
                        result.Add(($"{colour} / {size}", $"{ColourCode(colour)}-{size}", size == "XXL" ? 2m : 0m, 0.9 + (s * 0.05)));
                    }
                }

                return result;
            }

            default:
            {
                var ladder = set switch
                {
                    OptionSet.Capacity => DemoCatalogData.Capacities,
                    OptionSet.Bag => DemoCatalogData.Bags,
                    OptionSet.PaperSize => DemoCatalogData.PaperSizes,
                    OptionSet.Weight => DemoCatalogData.Weights,
                    OptionSet.PanSize => DemoCatalogData.PanSizes,
                    _ => DemoCatalogData.Lengths,
                };
                var count = Math.Min(wanted, ladder.Length);
                var first = _rng.Next(0, ladder.Length - count + 1);
                return Enumerable.Range(first, count)
                    .Select(i => ((string?)ladder[i].Title, (string?)CodeOf(ladder[i].Title), ladder[i].Extra, 1.0 + (i * 0.4)))
                    .ToList();
            }
        }
    }

    // ---------------------------------------------------------------- stock

    private void BuildWarehousesAndInitialStock()
    {
        _data.Warehouses.Add(new Warehouse { Code = "MAIN", Name = "Main warehouse (Columbus, OH)", Priority = 1, CreatedAt = _start.AddDays(-90) });
        _data.Warehouses.Add(new Warehouse { Code = "WEST", Name = "West coast (Reno, NV)", Priority = 2, CreatedAt = _start.AddDays(-90) });

        foreach (var (product, template, popularity, archivedAt) in _pendingProducts)
        {
            var westCarries = _rng.NextDouble() < 0.75;
            foreach (var variant in product.Variants)
            {
                var share = popularity / Math.Max(1, product.Variants.Count) * 2;
                for (var w = 0; w < 2; w++)
                {
                    var key = (variant.Sku, w);
                    _available[key] = 0;
                    _stockKeys.Add(key);
                    _data.StockLevels.Add(new StockLevel
                    {
                        Sku = variant.Sku,
                        WarehouseId = _data.Warehouses[w].Id,
                        LowStockThreshold = w == 0 ? (popularity > 1.5 ? 15 : 8) : 4,
                    });
                }

                if (product.Status != ProductStatus.Draft || _rng.NextDouble() < 0.5)
                {
                    var receivedAt = Max(product.CreatedAt.AddDays(1), _start.AddDays(-20));
                    Receive(0, variant.Sku, (long)(25 + (_rng.Next(20, 90) * Math.Min(3, share))), receivedAt, "initial stock");
                    if (westCarries)
                    {
                        Receive(1, variant.Sku, (long)(8 + (_rng.Next(8, 40) * Math.Min(3, share))), receivedAt.AddHours(3), "initial stock");
                    }
                }

                if (product.Status != ProductStatus.Draft)
                {
                    var sellable = new SellableVariant(variant, product, template, popularity / product.Variants.Count,
                        product.CreatedAt.AddDays(2), archivedAt, westCarries);
                    _variants.Add(sellable);
                    _variantsBySku[variant.Sku] = sellable;
                }
            }
        }
    }

    private void Receive(int warehouse, string sku, long quantity, DateTime at, string reason)
    {
        _available[(sku, warehouse)] += quantity;
        Move(warehouse, sku, MovementType.Receipt, quantity, 0, reason, PurchasingActor, $"po:PO-{_nextPurchaseOrder++}", at);
    }

    private StockMovement Move(int warehouse, string sku, MovementType type, long onHand, long reserved, string? reason, Actor actor, string? reference, DateTime at)
    {
        var movement = new StockMovement
        {
            Id = Guid.CreateVersion7(at),
            Sku = sku,
            WarehouseId = _data.Warehouses[warehouse].Id,
            Type = type,
            OnHandDelta = onHand,
            ReservedDelta = reserved,
            Reason = reason,
            Actor = actor.Name,
            Reference = reference,
            CreatedAt = at,
        };
        _data.Movements.Add(movement);
        return movement;
    }

    /// <summary>
    /// Weekly purchase orders for what runs low, a monthly transfer west, the odd cycle-count fix.
    /// Stock that arrives is dated before the day's first order, so the ledger never shows more
    /// reserved than on hand at any moment; stock that leaves only ever lowers the simulated
    /// availability, which stays at or below the real one.
    /// </summary>
    private void StockHousekeeping(int daysBack, DateTime day)
    {
        if (daysBack % 7 == 3)
        {
            for (var i = 0; i < _stockKeys.Count; i++)
            {
                var (sku, warehouse) = _stockKeys[i];
                if (_available[(sku, warehouse)] < _data.StockLevels[i].LowStockThreshold * 2 && _rng.NextDouble() < 0.8 && IsSellable(sku, day, warehouse))
                {
                    Receive(warehouse, sku, warehouse == 0 ? _rng.Next(40, 140) : _rng.Next(15, 50), day.AddMinutes(-_rng.Next(10, 300)), "purchase order received");
                }
            }

            for (var i = 0; i < 3; i++)
            {
                var key = _stockKeys[_rng.Next(_stockKeys.Count)];
                var delta = _rng.Next(-3, 3);
                if (delta != 0 && _available[key] + delta >= 0)
                {
                    _available[key] += Math.Min(0, delta);
                    Move(key.Warehouse, key.Sku, MovementType.Adjustment, delta, 0, delta < 0 ? "cycle count: damaged or missing" : "cycle count: found", WarehouseActor, null, day.AddHours(16));
                }
            }
        }

        if (daysBack % 30 == 11)
        {
            foreach (var variant in _variants.Where(v => v.WestCarries).OrderByDescending(v => v.Popularity).Take(6))
            {
                var quantity = _rng.Next(8, 20);
                if (_available[(variant.Variant.Sku, 0)] >= quantity + 20)
                {
                    var reference = $"transfer:{Guid.CreateVersion7(day)}";
                    _available[(variant.Variant.Sku, 0)] -= quantity;
                    _available[(variant.Variant.Sku, 1)] += quantity;
                    Move(0, variant.Variant.Sku, MovementType.TransferOut, -quantity, 0, "rebalance to WEST", WarehouseActor, reference, day.AddHours(-7));
                    Move(1, variant.Variant.Sku, MovementType.TransferIn, quantity, 0, "rebalance from MAIN", WarehouseActor, reference, day.AddMinutes(-20));
                }
            }
        }
    }

    private bool IsSellable(string sku, DateTime day, int warehouse)
    {
        return _variantsBySku.TryGetValue(sku, out var variant) && (warehouse == 0 || variant.WestCarries) && variant.AvailableFrom <= day.AddDays(14) && (variant.ArchivedAt is null || variant.ArchivedAt > day.AddDays(21));
    }

    private void FinishStockLevels()
    {
        var sums = new Dictionary<(string, Guid), (long OnHand, long Reserved)>();
        foreach (var m in _data.Movements)
        {
            sums.TryGetValue((m.Sku, m.WarehouseId), out var sum);
            sums[(m.Sku, m.WarehouseId)] = (sum.OnHand + m.OnHandDelta, sum.Reserved + m.ReservedDelta);
        }

        foreach (var level in _data.StockLevels)
        {
            var sum = sums.GetValueOrDefault((level.Sku, level.WarehouseId));
            level.OnHand = sum.OnHand;
            level.Reserved = sum.Reserved;
        }

        _data.Movements.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
    }

    // ---------------------------------------------------------------- shipping, tax, customers

    private void BuildShippingAndTax()
    {
        _data.ShippingMethods.Add(new ShippingMethod { Code = "standard", Name = "Standard (3-5 business days)", Rate = 5.99m, FreeOver = 75m, Countries = "US,CA,GB,DE", Position = 1 });
        _data.ShippingMethods.Add(new ShippingMethod { Code = "express", Name = "Express (1-2 business days)", Rate = 19.99m, Countries = "US,CA,GB,DE", Position = 2 });
        _data.ShippingMethods.Add(new ShippingMethod { Code = "international", Name = "International (6-14 business days)", Rate = 24.99m, FreeOver = 200m, Countries = "*", Position = 3 });

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

    private void BuildCustomers()
    {
        var emails = new HashSet<string>(StringComparer.Ordinal);
        string[] domains = ["example.com", "example.org", "example.net"];
        var list = new List<(Customer, double, Address)>();
        for (var i = 0; i < CustomerCount; i++)
        {
            var first = Pick(DemoCatalogData.FirstNames);
            var last = Pick(DemoCatalogData.LastNames);
            var local = $"{Ascii(first)}.{Ascii(last)}";
            var email = $"{local}@{domains[i % 3]}";
            for (var n = 2; !emails.Add(email); n++)
            {
                email = $"{local}{n}@{domains[i % 3]}";
            }

            var country = PickCountry();
            var created = _rng.NextDouble() < 0.22
                ? _start.AddDays(-_rng.Next(1, 600))
                : _end.AddDays(-HistoryDays * (1 - Math.Sqrt(_rng.NextDouble())));
            created = created.Date.AddMinutes(_rng.Next(0, 24 * 60));
            var customer = new Customer
            {
                Id = Guid.CreateVersion7(created),
                Email = email,
                FirstName = first,
                LastName = last,
                Company = _rng.NextDouble() < 0.18 ? Pick(DemoCatalogData.Companies) : null,
                Phone = _rng.NextDouble() < 0.4 ? Phone(country) : null,
                Country = country,
                CreatedAt = created,
            };
            list.Add((customer, Math.Exp(Normal()), NewAddress($"{first} {last}", country)));
        }

        list.Sort((a, b) => a.Item1.CreatedAt.CompareTo(b.Item1.CreatedAt));
        _customers.AddRange(list);
        _data.Customers.AddRange(list.Select(c => c.Item1));
        _customerWeights = new double[list.Count];
        var total = 0.0;
        for (var i = 0; i < list.Count; i++)
        {
            total += list[i].Item2;
            _customerWeights[i] = total;
        }
    }

    private Address NewAddress(string name, string country)
    {
        var place = Pick(DemoCatalogData.Places[country]);
        return new Address
        {
            Name = name,
            Line1 = $"{_rng.Next(1, 2400)} {Pick(DemoCatalogData.Streets)}",
            Line2 = _rng.NextDouble() < 0.2 ? $"Apt {_rng.Next(1, 40)}{(char)('A' + _rng.Next(0, 6))}" : null,
            City = place.City,
            Region = place.Region,
            PostalCode = place.Postal,
            Country = country,
        };
    }

    // ---------------------------------------------------------------- orders

    private void BuildHistory()
    {
        var blackFriday = BlackFridays();
        var customersSigned = 0;
        for (var daysBack = HistoryDays; daysBack >= 1; daysBack--)
        {
            var day = _end.AddDays(-daysBack);
            StockHousekeeping(daysBack, day);

            var growth = 6 + (8.0 * (HistoryDays - daysBack) / HistoryDays);
            var lambda = growth * WeekdayFactor[(int)day.DayOfWeek] * MonthFactor[day.Month - 1];
            if (blackFriday.Contains(day))
            {
                lambda *= 2.6;
            }
            else if (blackFriday.Contains(day.AddDays(-3)))
            {
                lambda *= 2.1; // Cyber Monday
            }
            else if (day.Month == 12 && day.Day > 20)
            {
                lambda *= 0.6;
            }

            var times = Enumerable.Range(0, Poisson(lambda))
                .Select(_ => day.AddHours(PickWeighted(HourWeights)).AddSeconds(_rng.Next(0, 3600)))
                .Order()
                .ToList();
            if (times.Count == 0)
            {
                continue;
            }

            var sellable = _variants.Where(v => v.AvailableFrom <= day && (v.ArchivedAt is null || v.ArchivedAt > day)).ToList();
            var weights = new double[sellable.Count];
            var cumulative = 0.0;
            for (var i = 0; i < sellable.Count; i++)
            {
                cumulative += sellable[i].Popularity * (sellable[i].Template.PeakMonths.Contains(day.Month) ? 1.7 : 1.0);
                weights[i] = cumulative;
            }

            foreach (var at in times)
            {
                while (customersSigned < _customers.Count && _customers[customersSigned].Customer.CreatedAt <= at)
                {
                    customersSigned++;
                }

                PlaceOrder(at, sellable, weights, customersSigned);
            }
        }
    }

    private void PlaceOrder(DateTime at, List<SellableVariant> sellable, double[] weights, int customersSigned)
    {
        Customer? customer = null;
        Address address;
        string email;
        if (customersSigned > 0 && _rng.NextDouble() < 0.84)
        {
            var index = Array.BinarySearch(_customerWeights, 0, customersSigned, _rng.NextDouble() * _customerWeights[customersSigned - 1]);
            var chosen = _customers[Math.Min(index < 0 ? ~index : index, customersSigned - 1)];
            customer = chosen.Customer;
            email = customer.Email;
            address = chosen.Address with { }; // an order owns its copy of the address
        }
        else
        {
            var first = Pick(DemoCatalogData.FirstNames);
            var last = Pick(DemoCatalogData.LastNames);
            email = $"{Ascii(first)}{_rng.Next(10, 99)}@example.net";
            address = NewAddress($"{first} {last}", PickCountry());
        }

        // Lines: distinct SKUs, mostly one unit each.
        var lineCount = PickWeighted([55, 28, 12, 5]) + 1;
        var chosenVariants = new List<SellableVariant>();
        for (var attempt = 0; chosenVariants.Count < lineCount && attempt < 12; attempt++)
        {
            var index = Array.BinarySearch(weights, _rng.NextDouble() * weights[^1]);
            var variant = sellable[Math.Min(index < 0 ? ~index : index, sellable.Count - 1)];
            if (!chosenVariants.Contains(variant))
            {
                chosenVariants.Add(variant);
            }
        }

        var taxRate = PriceCalculator.TaxRateFor(_data.TaxRates, address.Country, address.Region);
        var lines = chosenVariants.Select(v =>
        {
            var quantity = PickWeighted([80, 15, 5]) + 1;
            var lineTotal = v.Variant.Price * quantity;
            return new OrderLine
            {
                Id = Guid.CreateVersion7(at),
                VariantId = v.Variant.Id,
                Sku = v.Variant.Sku,
                Title = v.Variant.Title is null ? v.Product.Title : $"{v.Product.Title} - {v.Variant.Title}",
                Quantity = quantity,
                UnitPrice = v.Variant.Price,
                LineTotal = lineTotal,
                TaxAmount = MinorUnits.Round(lineTotal * taxRate / 100m),
            };
        }).ToList();

        var subtotal = lines.Sum(l => l.LineTotal);
        var domestic = address.Country is "US" or "CA" or "GB" or "DE";
        var method = !domestic ? "international" : _rng.NextDouble() < 0.12 ? "express" : "standard";
        var shipping = PriceCalculator.ShippingFor(_data.ShippingMethods.Find(m => m.Code == method), subtotal);

        var order = Order.Place(_nextOrderNumber++, email, customer?.Id, Currency, address, method, lines, shipping,
            lines.Sum(l => l.TaxAmount), pricesIncludeTax: false, cartId: null, at);
        _data.Orders.Add(order);

        var allocations = Reserve(order, at);
        var lifecycle = new OrderLifecycle(this, order, allocations, at);
        lifecycle.Plan();
        lifecycle.Run(_end);
    }

    private List<OrderAllocation> Reserve(Order order, DateTime at)
    {
        var requests = order.Lines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList();
        foreach (var request in requests)
        {
            var available = _available[(request.Sku, 0)] + _available[(request.Sku, 1)];
            if (available < request.Quantity)
            {
                // Out of stock in both warehouses: the buyer had it on back order, a rush PO came in first.
                Receive(0, request.Sku, request.Quantity - available + _rng.Next(30, 90), at.AddHours(-2), "purchase order received (rush)");
            }
        }

        var levels = requests
            .SelectMany(r => new[] { 0, 1 }.Select(w => new InventoryService.LevelSnapshot(r.Sku, _data.Warehouses[w].Id, _data.Warehouses[w].Code, _data.Warehouses[w].Priority, _available[(r.Sku, w)])))
            .ToList();
        var plan = InventoryService.Plan(requests, levels);
        var result = new List<OrderAllocation>();
        foreach (var allocation in plan)
        {
            var warehouse = _data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
            _available[(allocation.Sku, warehouse)] -= allocation.Quantity;
            Move(warehouse, allocation.Sku, MovementType.Reservation, 0, allocation.Quantity, null, Actor.Customer, $"order:{order.Number}", at);
            var line = order.Lines.First(l => l.Sku == allocation.Sku);
            var entity = new OrderAllocation { OrderId = order.Id, OrderLineId = line.Id, WarehouseId = allocation.WarehouseId, Sku = allocation.Sku, Quantity = allocation.Quantity };
            result.Add(entity);
            _data.Allocations.Add(entity);
        }

        return result;
    }

    private void FinishReturns()
    {
        // RMA numbers follow the order in which returns were requested.
        var number = 1001L;
        foreach (var pending in _pendingReturns.OrderBy(p => p.RequestedAt).ThenBy(p => p.Order.Number))
        {
            var request = new ReturnRequest
            {
                Id = Guid.CreateVersion7(pending.RequestedAt),
                Number = number++,
                OrderId = pending.Order.Id,
                Reason = pending.Reason,
                Restock = pending.Restock,
                Status = pending.ReceivedAt is null ? ReturnStatus.Requested : ReturnStatus.Received,
                Actor = SupportActor.Name,
                CreatedAt = pending.RequestedAt,
                ReceivedAt = pending.ReceivedAt,
            };
            foreach (var (sku, quantity, _) in pending.Lines)
            {
                request.Lines.Add(new ReturnLine { ReturnId = request.Id, Sku = sku, Quantity = quantity });
            }

            if (pending.ReceivedAt is { } receivedAt)
            {
                foreach (var (sku, quantity, warehouse) in pending.Lines)
                {
                    if (pending.Restock)
                    {
                        Move(warehouse, sku, MovementType.Return, quantity, 0, "returned to stock", WarehouseActor, $"return:{request.RmaNumber}", receivedAt);
                    }
                    else
                    {
                        Move(warehouse, sku, MovementType.WriteOff, 0, 0, "returned, written off", WarehouseActor, $"return:{request.RmaNumber}", receivedAt);
                    }
                }
            }

            _data.Returns.Add(request);
        }
    }

    /// <summary>One order's life after checkout: payment, shipments, delivery, returns, refunds, or cancellation.</summary>
    private sealed class OrderLifecycle(DemoStoreBuilder builder, Order order, List<OrderAllocation> allocations, DateTime placedAt)
    {
        private readonly List<(DateTime At, int Sequence, Action Apply)> _steps = [];
        private readonly List<Shipment> _shipments = [];
        private Payment _payment = null!;

        private Random Rng => builder._rng;

        public void Plan()
        {
            var country = order.ShippingAddress.Country;
            var roll = Rng.NextDouble();
            var method = roll < 0.08 ? PaymentMethod.BankTransfer
                : roll < 0.14 && country is "US" or "DE" ? PaymentMethod.CashOnDelivery
                : PaymentMethod.Card;
            var brands = new[] { "visa", "mastercard", "amex", "discover" };
            _payment = new Payment
            {
                Id = Guid.CreateVersion7(placedAt),
                OrderId = order.Id,
                Method = method,
                Status = PaymentRecordStatus.Pending,
                Gateway = method == PaymentMethod.Card ? TestPaymentGateway.GatewayName : "manual",
                Amount = order.Total,
                Currency = order.Currency,
                CardBrand = method == PaymentMethod.Card ? brands[builder.PickWeighted([50, 30, 12, 8])] : null,
                Last4 = method == PaymentMethod.Card ? Rng.Next(0, 10000).ToString("D4", CultureInfo.InvariantCulture) : null,
                CreatedAt = placedAt,
                UpdatedAt = placedAt,
            };
            builder._data.Payments.Add(_payment);

            var captureAtCheckout = method == PaymentMethod.Card && Rng.NextDouble() < 0.7;
            if (method == PaymentMethod.Card)
            {
                Step(placedAt.AddSeconds(2), () => Authorize(placedAt.AddSeconds(2)));
                if (captureAtCheckout)
                {
                    Step(placedAt.AddSeconds(3), () => Capture(placedAt.AddSeconds(3)));
                }
            }

            if (Rng.NextDouble() < 0.05)
            {
                PlanCancellation(method, captureAtCheckout);
                return;
            }

            var readyAt = placedAt;
            if (method == PaymentMethod.BankTransfer)
            {
                readyAt = placedAt.AddHours(Rng.Next(10, 70)); // inside the store's 3-day hold on unpaid orders
                Step(readyAt, () => ReceiveManualPayment("Bank transfer received.", readyAt));
            }

            PlanFulfillment(readyAt, method, captureAtCheckout);
        }

        public void Run(DateTime historyEnd)
        {
            // Whatever falls after the end of history has not happened yet: recent orders stay open.
            foreach (var step in _steps.OrderBy(s => s.At).ThenBy(s => s.Sequence).TakeWhile(s => s.At < historyEnd))
            {
                step.Apply();
            }
        }

        private void Step(DateTime at, Action apply) => _steps.Add((at, _steps.Count, apply));

        private void PlanCancellation(PaymentMethod method, bool captured)
        {
            // An unpaid bank transfer is cancelled by the server when the default hold runs out, as
            // UnpaidOrderSweep does in a running store.
            var timedOut = method == PaymentMethod.BankTransfer;
            var cancelAt = timedOut
                ? placedAt.AddMinutes(4320)
                : placedAt.AddMinutes(Rng.Next(20, 60 * 36));
            var reason = timedOut ? "payment_timeout" : builder.Pick(DemoCatalogData.CancelReasons);
            var actor = timedOut ? Actor.System : SupportActor;
            Step(cancelAt, () =>
            {
                order.Cancel(reason, actor, cancelAt);
                foreach (var allocation in allocations)
                {
                    var warehouse = builder._data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
                    allocation.Release(allocation.Outstanding);
                    builder.Move(warehouse, allocation.Sku, MovementType.Release, 0, -allocation.Quantity, "order cancelled", actor, $"order:{order.Number}", cancelAt);
                }
            });
            if (method != PaymentMethod.Card)
            {
                return;
            }

            if (captured)
            {
                Step(cancelAt.AddSeconds(5), () => RefundNow(order.Total, "Order cancelled", cancelAt.AddSeconds(5)));
            }
            else
            {
                Step(cancelAt.AddSeconds(5), () =>
                {
                    _payment.Status = PaymentRecordStatus.Voided;
                    _payment.UpdatedAt = cancelAt.AddSeconds(5);
                    order.MarkPaymentVoided(Actor.System, cancelAt.AddSeconds(5));
                });
            }
        }

        private void PlanFulfillment(DateTime readyAt, PaymentMethod method, bool captured)
        {
            var shipAt = NextWorkingTime(readyAt.AddHours(Rng.Next(4, 50)));
            if (method == PaymentMethod.Card && !captured)
            {
                var captureAt = shipAt.AddMinutes(-5);
                Step(captureAt, () => Capture(captureAt));
            }

            // Parts: one per warehouse; a single-warehouse order is sometimes split (item on a later truck).
            var parts = allocations.GroupBy(a => a.WarehouseId)
                .Select(g => g.Select(a => (Allocation: a, Quantity: a.Quantity)).ToList())
                .ToList();
            if (parts.Count == 1 && parts[0].Sum(p => p.Quantity) >= 2 && Rng.NextDouble() < 0.12)
            {
                var whole = parts[0];
                var first = new List<(OrderAllocation, int)>();
                var second = new List<(OrderAllocation, int)>();
                if (whole.Count >= 2)
                {
                    first.AddRange(whole.Take(whole.Count / 2));
                    second.AddRange(whole.Skip(whole.Count / 2));
                }
                else
                {
                    var (allocation, quantity) = whole[0];
                    first.Add((allocation, quantity / 2));
                    second.Add((allocation, quantity - (quantity / 2)));
                }

                parts = [first, second];
            }

            var country = order.ShippingAddress.Country;
            var express = order.ShippingMethod == "express";
            var lastDelivery = DateTime.MinValue;
            for (var i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                var partShipAt = i == 0 ? shipAt : NextWorkingTime(shipAt.AddHours(Rng.Next(24, 110)));
                var transitDays = express ? Rng.Next(1, 3) : country == "US" ? Rng.Next(2, 6) : country is "CA" or "GB" or "DE" ? Rng.Next(4, 10) : Rng.Next(6, 15);
                var deliverAt = partShipAt.AddDays(transitDays).Date.AddHours(Rng.Next(9, 19)).AddMinutes(Rng.Next(0, 60));
                lastDelivery = Max(lastDelivery, deliverAt);
                var (carrier, tracking) = builder.Carrier(country, express);
                Shipment? shipment = null;
                Step(partShipAt, () => shipment = Ship(part, carrier, tracking, partShipAt));
                Step(deliverAt, () =>
                {
                    shipment!.Status = ShipmentStatus.Delivered;
                    shipment.DeliveredAt = deliverAt;
                    order.MarkDelivered(_shipments.All(s => s.Status == ShipmentStatus.Delivered), new Actor($"carrier:{carrier}"), deliverAt);
                });
            }

            if (method == PaymentMethod.CashOnDelivery)
            {
                Step(lastDelivery.AddMinutes(1), () => ReceiveManualPayment("Cash collected on delivery.", lastDelivery.AddMinutes(1)));
            }

            var roll = Rng.NextDouble();
            if (roll < 0.07)
            {
                PlanReturn(lastDelivery);
            }
            else if (roll < 0.085)
            {
                var at = lastDelivery.AddDays(Rng.Next(1, 6)).AddHours(Rng.Next(1, 8));
                var amount = MinorUnits.Round(order.Subtotal * (0.1m + (Rng.Next(0, 11) / 100m)));
                var reason = builder.Pick(["Late delivery credit", "Damaged packaging goodwill", "Price match"]);
                Step(at, () => RefundNow(amount, reason, at));
            }
        }

        private void PlanReturn(DateTime lastDelivery)
        {
            var requestedAt = lastDelivery.AddDays(Rng.Next(2, 21)).AddHours(Rng.Next(1, 9));
            var receivedAt = NextWorkingTime(requestedAt.AddDays(Rng.Next(4, 11)));
            var everything = Rng.NextDouble() < 0.25;
            var returnLines = everything
                ? order.Lines.Select(l => (l.Sku, l.Quantity)).ToList()
                : [(order.Lines[0].Sku, Rng.Next(1, order.Lines[0].Quantity + 1))];
            var reason = builder.Pick(DemoCatalogData.ReturnReasons);
            var restock = reason is not ("Arrived damaged" or "Item defective") && Rng.NextDouble() < 0.85;
            PendingReturn? pending = null;
            Step(requestedAt, () =>
            {
                var withWarehouses = returnLines.Select(l => (l.Sku, l.Quantity, WarehouseOf(l.Sku))).ToList();
                pending = new PendingReturn(order, reason, restock, requestedAt, withWarehouses);
                builder._pendingReturns.Add(pending);
                order.Note("return_requested", $"Return requested for {returnLines.Sum(l => l.Quantity)} unit(s): {reason}.", SupportActor, requestedAt);
            });
            Step(receivedAt, () =>
            {
                pending!.ReceivedAt = receivedAt;
                order.RecordReturn(returnLines, WarehouseActor, receivedAt);
                if (_payment.CapturedAmount > 0)
                {
                    var amount = everything
                        ? _payment.CapturedAmount - _payment.RefundedAmount
                        : returnLines.Sum(r =>
                        {
                            var line = order.Lines.First(l => l.Sku == r.Sku);
                            return (line.UnitPrice * r.Quantity) + MinorUnits.Round(line.TaxAmount * r.Quantity / line.Quantity);
                        });
                    RefundNow(Math.Min(amount, _payment.CapturedAmount - _payment.RefundedAmount), $"Return: {reason}", receivedAt.AddMinutes(30));
                }
            });
        }

        private int WarehouseOf(string sku)
        {
            var allocation = allocations.Where(a => a.Sku == sku && a.ShippedQuantity > 0).OrderByDescending(a => a.ShippedQuantity).First();
            return builder._data.Warehouses.FindIndex(w => w.Id == allocation.WarehouseId);
        }

        private Shipment Ship(List<(OrderAllocation Allocation, int Quantity)> part, string carrier, string tracking, DateTime at)
        {
            var warehouseId = part[0].Allocation.WarehouseId;
            var warehouse = builder._data.Warehouses.FindIndex(w => w.Id == warehouseId);
            var shipment = new Shipment
            {
                Id = Guid.CreateVersion7(at),
                OrderId = order.Id,
                WarehouseId = warehouseId,
                Carrier = carrier,
                TrackingNumber = tracking,
                Status = ShipmentStatus.Shipped,
                ShippedAt = at,
            };
            var lines = part.GroupBy(p => p.Allocation.Sku).Select(g => (Sku: g.Key, Quantity: g.Sum(p => p.Quantity))).ToList();
            foreach (var (allocation, quantity) in part)
            {
                allocation.Ship(quantity);
                builder.Move(warehouse, allocation.Sku, MovementType.Shipment, -quantity, -quantity, null, WarehouseActor, $"order:{order.Number}", at);
            }

            foreach (var (sku, quantity) in lines)
            {
                shipment.Lines.Add(new ShipmentLine { ShipmentId = shipment.Id, Sku = sku, Quantity = quantity });
            }

            order.RecordShipment(lines, carrier, tracking, WarehouseActor, at);
            _shipments.Add(shipment);
            builder._data.Shipments.Add(shipment);
            return shipment;
        }

        private void Authorize(DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Authorized;
            _payment.GatewayReference = "test_auth_" + builder.Hex(32);
            _payment.UpdatedAt = at;
            order.MarkAuthorized(order.Total, Actor.System, at);
        }

        private void Capture(DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Captured;
            _payment.CapturedAmount = order.Total;
            _payment.UpdatedAt = at;
            order.MarkPaid(order.Total, Actor.System, at);
        }

        private void ReceiveManualPayment(string message, DateTime at)
        {
            _payment.Status = PaymentRecordStatus.Captured;
            _payment.CapturedAmount = order.Total;
            _payment.GatewayReference = _payment.Method == PaymentMethod.BankTransfer ? $"BT-{Rng.Next(100000, 999999)}" : $"COD-{order.Number}";
            _payment.UpdatedAt = at;
            order.Note("payment_received", message, SupportActor, at);
            order.MarkPaid(order.Total, SupportActor, at);
        }

        private void RefundNow(decimal amount, string reason, DateTime at)
        {
            amount = Math.Min(amount, _payment.CapturedAmount - _payment.RefundedAmount);
            if (amount <= 0)
            {
                return;
            }

            _payment.RefundedAmount += amount;
            _payment.Status = _payment.RefundedAmount >= _payment.CapturedAmount ? PaymentRecordStatus.Refunded : PaymentRecordStatus.PartiallyRefunded;
            _payment.UpdatedAt = at;
            builder._data.Refunds.Add(new Refund
            {
                Id = Guid.CreateVersion7(at),
                OrderId = order.Id,
                PaymentId = _payment.Id,
                Amount = amount,
                Reason = reason,
                Status = RefundStatus.Succeeded,
                GatewayReference = _payment.Method == PaymentMethod.Card ? "test_refund_" + builder.Hex(32) : null,
                Actor = SupportActor.Name,
                CreatedAt = at,
            });
            order.ApplyRefund(amount, _payment.RefundedAmount, _payment.CapturedAmount, reason, SupportActor, at);
        }
    }

    private sealed class PendingReturn(Order order, string reason, bool restock, DateTime requestedAt, List<(string Sku, int Quantity, int Warehouse)> lines)
    {
        public Order Order { get; } = order;
        public string Reason { get; } = reason;
        public bool Restock { get; } = restock;
        public DateTime RequestedAt { get; } = requestedAt;
        public List<(string Sku, int Quantity, int Warehouse)> Lines { get; } = lines;
        public DateTime? ReceivedAt { get; set; }
    }

    private sealed record SellableVariant(ProductVariant Variant, Product Product, CategoryTemplate Template, double Popularity, DateTime AvailableFrom, DateTime? ArchivedAt, bool WestCarries);

    // ---------------------------------------------------------------- helpers

    private (string Carrier, string Tracking) Carrier(string country, bool express)
    {
        switch (country)
        {
            case "US" when express:
                return _rng.NextDouble() < 0.5 ? ("FedEx", Digits(12)) : ("UPS", "1Z" + Hex(6).ToUpperInvariant() + Digits(10));
            case "US":
                return _rng.NextDouble() < 0.6 ? ("USPS", "9400" + Digits(18)) : ("UPS", "1Z" + Hex(6).ToUpperInvariant() + Digits(10));
            case "CA":
                return ("Canada Post", Digits(16));
            default:
                return _rng.NextDouble() < 0.6 ? ("DHL Express", Digits(10)) : ("FedEx", Digits(12));
        }
    }

    private static DateTime NextWorkingTime(DateTime at)
    {
        while (at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            at = at.Date.AddDays(1).AddHours(9).AddMinutes(at.Minute);
        }

        return at.Hour < 8 ? at.Date.AddHours(8).AddMinutes(at.Minute) : at;
    }

    private HashSet<DateTime> BlackFridays()
    {
        var result = new HashSet<DateTime>();
        for (var year = _start.Year; year <= _end.Year; year++)
        {
            var november = new DateTime(year, 11, 1, 0, 0, 0, DateTimeKind.Utc);
            var firstThursday = november.AddDays(((int)DayOfWeek.Thursday - (int)november.DayOfWeek + 7) % 7);
            result.Add(firstThursday.AddDays(22));
        }

        return result;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private List<string> Distinct(string[] items, int count) =>
        items.OrderBy(_ => _rng.Next()).Take(Math.Min(count, items.Length)).ToList();

    private int PickWeighted(double[] weights)
    {
        var roll = _rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private string PickCountry()
    {
        var countries = DemoCatalogData.Countries;
        return countries[PickWeighted(countries.Select(c => (double)c.Weight).ToArray())].Country;
    }

    private int Poisson(double lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= _rng.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }

    private double Normal() =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - _rng.NextDouble())) * Math.Cos(2.0 * Math.PI * _rng.NextDouble());

    private string Hex(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append("0123456789abcdef"[_rng.Next(16)]);
        }

        return builder.ToString();
    }

    private string Digits(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)('0' + _rng.Next(10)));
        }

        return builder.ToString();
    }

    private string Phone(string country) => country switch
    {
        "US" or "CA" => $"+1 {_rng.Next(201, 990)} 555-01{_rng.Next(0, 100):D2}",
        "GB" => $"+44 20 7946 0{_rng.Next(0, 1000):D3}",
        _ => $"+{(country == "DE" ? "49" : "33")} 30 {_rng.Next(1000000, 9999999)}",
    };

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static string Ean13(string twelveDigits)
    {
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (twelveDigits[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return twelveDigits + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    private static string ColourCode(string colour) => colour[..3].ToUpperInvariant();

    private static string CodeOf(string title) => title.Replace(" ", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();

    internal static string Slugify(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in Ascii(text))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        return builder.ToString().Trim('-');
    }

    /// <summary>Lower-case ASCII for e-mail local parts and slugs (Müller → muller, O'Brien → obrien).</summary>
    private static string Ascii(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var mapped = c switch
            {
                'ä' or 'á' or 'à' or 'â' => 'a',
                'ö' or 'ó' or 'ô' => 'o',
                'ü' or 'ú' => 'u',
                'é' or 'è' or 'ê' => 'e',
                'í' => 'i',
                'ñ' => 'n',
                '\'' => '\0',
                '&' => ' ',
                _ => c,
            };
            if (mapped != '\0')
            {
                builder.Append(mapped);
            }
        }

        return builder.ToString();
    }
}

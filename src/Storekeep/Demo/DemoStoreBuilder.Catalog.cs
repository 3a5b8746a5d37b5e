using Storekeep.Catalog;
using Storekeep.Inventory;
using Storekeep.Shared;

namespace Storekeep.Demo;

// The demo catalog: categories, products and their variants, warehouses and the stock ledger that fills and refills them.
internal sealed partial class DemoStoreBuilder
{
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

    private sealed record SellableVariant(ProductVariant Variant, Product Product, CategoryTemplate Template, double Popularity, DateTime AvailableFrom, DateTime? ArchivedAt, bool WestCarries);
}

using Storekeep.PriceLists;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>
    /// Two B2B price lists, so the price list pages show something on first start: "Wholesale" with
    /// volume tiers (15 % off from 12 units, 25 % off from 48) on the first 30 SKUs for sale, and "Trade
    /// partners", 10 % off everything. No random draws: the rest of the demo store is unchanged.
    /// </summary>
    private void BuildPriceLists()
    {
        var at = _end.AddDays(-60);
        var wholesale = new PriceList { Name = "Wholesale", Currency = Currency, CreatedAt = at, UpdatedAt = at };
        foreach (var variant in _data.Products.Where(p => p.Status == Catalog.ProductStatus.Active).SelectMany(p => p.Variants).OrderBy(v => v.Sku, StringComparer.Ordinal).Take(30))
        {
            wholesale.Entries.Add(new PriceListEntry { PriceListId = wholesale.Id, Sku = variant.Sku, MinimumQuantity = 12, Price = Off(variant.Price, 15) });
            wholesale.Entries.Add(new PriceListEntry { PriceListId = wholesale.Id, Sku = variant.Sku, MinimumQuantity = 48, Price = Off(variant.Price, 25) });
        }

        _data.PriceLists.Add(wholesale);
        _data.PriceLists.Add(new PriceList { Name = "Trade partners", Currency = Currency, PercentOff = 10m, CreatedAt = at, UpdatedAt = at });

        static decimal Off(decimal price, int percent) => decimal.Round(price * (100 - percent) / 100m, 2, MidpointRounding.AwayFromZero);
    }
}

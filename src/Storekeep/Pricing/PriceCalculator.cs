using Storekeep.Shared;

namespace Storekeep.Checkout;

public sealed record PricedLine(string Sku, decimal UnitPrice, int Quantity, decimal LineTotal, decimal TaxAmount);

public sealed record Totals(
    IReadOnlyList<PricedLine> Lines,
    decimal Subtotal,
    decimal ShippingTotal,
    decimal TaxTotal,
    decimal Total,
    decimal TaxRatePercent,
    bool PricesIncludeTax);

/// <summary>
/// Cart and order totals. The rule (docs/checkout.md): each line's tax is rounded to the cent,
/// half away from zero, and every total is the sum of already-rounded parts, so totals always
/// equal the sum of what the customer sees. Shipping is not taxed.
/// </summary>
public static class Pricing
{
    public static Totals Calculate(
        IReadOnlyList<(string Sku, decimal UnitPrice, int Quantity)> lines,
        ShippingMethod? shipping,
        decimal taxRatePercent,
        bool pricesIncludeTax)
    {
        var priced = new List<PricedLine>(lines.Count);
        foreach (var (sku, unitPrice, quantity) in lines)
        {
            var lineTotal = unitPrice * quantity; // both exact: cents × whole units
            var tax = pricesIncludeTax
                ? lineTotal - MinorUnits.Round(lineTotal / (1 + taxRatePercent / 100m))
                : MinorUnits.Round(lineTotal * taxRatePercent / 100m);
            priced.Add(new PricedLine(sku, unitPrice, quantity, lineTotal, tax));
        }

        var subtotal = priced.Sum(l => l.LineTotal);
        var shippingTotal = ShippingFor(shipping, subtotal);
        var taxTotal = priced.Sum(l => l.TaxAmount);
        var total = subtotal + shippingTotal + (pricesIncludeTax ? 0m : taxTotal);
        return new Totals(priced, subtotal, shippingTotal, taxTotal, total, taxRatePercent, pricesIncludeTax);
    }

    public static decimal ShippingFor(ShippingMethod? method, decimal subtotal) =>
        method is null ? 0m
        : method.FreeOver is { } threshold && subtotal >= threshold ? 0m
        : method.Rate;

    /// <summary>The region's own rate wins over the country's; no rate means no tax.</summary>
    public static decimal TaxRateFor(IEnumerable<TaxRate> rates, string country, string? region)
    {
        var forCountry = rates.Where(r => string.Equals(r.Country, country, StringComparison.OrdinalIgnoreCase)).ToList();
        var regional = region is null ? null
            : forCountry.FirstOrDefault(r => string.Equals(r.Region, region, StringComparison.OrdinalIgnoreCase));
        return (regional ?? forCountry.FirstOrDefault(r => r.Region is null))?.Rate ?? 0m;
    }
}

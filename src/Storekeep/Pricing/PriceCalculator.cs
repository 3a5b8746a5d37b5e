using Storekeep.Shared;

namespace Storekeep.Pricing;

public sealed record PricedLine(string Sku, decimal UnitPrice, int Quantity, decimal LineTotal, decimal TaxAmount);

public sealed record Totals(
    IReadOnlyList<PricedLine> Lines,
    decimal Subtotal,
    decimal ShippingTotal,
    decimal TaxTotal,
    decimal Total,
    decimal TaxRatePercent,
    bool PricesIncludeTax);

/// <summary>What a cart costs delivered to an address, and the shipping method that price uses (none when the store has none).</summary>
public sealed record PriceQuote(Totals Totals, ShippingMethod? Shipping);

/// <summary>
/// The one place a price is computed: cart and order totals (price lists and discounts belong
/// here too). The rule (docs/checkout.md): each line's tax is rounded to the cent, half away from
/// zero, and every total is the sum of already-rounded parts, so totals always equal the sum of
/// what the customer sees. Shipping is not taxed.
/// </summary>
public static class PriceCalculator
{
    /// <summary>
    /// Prices lines for delivery to a country (and region) under the store's rules: picks the
    /// shipping method (the one asked for, else the first serving the country) and the tax rate, then
    /// <see cref="Calculate"/>s.
    /// </summary>
    public static PriceQuote Quote(
        PricingRules rules,
        IReadOnlyList<(string Sku, decimal UnitPrice, int Quantity)> lines,
        string country,
        string? region,
        string? shippingMethodCode,
        bool pricesIncludeTax)
    {
        var shipping = ChooseShipping(rules.ShippingMethods, country, shippingMethodCode);
        var taxRate = TaxRateFor(rules.TaxRates, country, region);
        return new PriceQuote(Calculate(lines, shipping, taxRate, pricesIncludeTax), shipping);
    }

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

    /// <summary>The method asked for (it must serve the country), else the first active one that does; none in a store without methods.</summary>
    public static ShippingMethod? ChooseShipping(IReadOnlyList<ShippingMethod> methods, string country, string? code)
    {
        if (code is not null)
        {
            var chosen = methods.FirstOrDefault(m => string.Equals(m.Code, code, StringComparison.OrdinalIgnoreCase))
                ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["shippingMethod"] = [$"There is no shipping method '{code}'."] });
            return chosen.Serves(country)
                ? chosen
                : throw Errors.Unprocessable("shipping_unavailable", $"'{chosen.Name}' does not ship to {country}.");
        }

        // A store without shipping methods ships free; otherwise the first method serving the country.
        return methods.Count == 0
            ? null
            : methods.FirstOrDefault(m => m.Serves(country))
                ?? throw Errors.Unprocessable("shipping_unavailable", $"The store does not ship to {country}.");
    }
}

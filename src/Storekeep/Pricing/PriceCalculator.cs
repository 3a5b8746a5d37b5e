using Storekeep.Promotions;
using Storekeep.Shared;

namespace Storekeep.Pricing;

/// <summary>
/// A priced line: <see cref="LineTotal"/> is unit price × quantity (before discounts),
/// <see cref="Discount"/> what discounts take from it (<see cref="Allocations"/> per discount), and
/// the tax is on what is left (<see cref="NetTotal"/>).
/// </summary>
public sealed record PricedLine(string Sku, decimal UnitPrice, int Quantity, decimal LineTotal, decimal TaxAmount)
{
    public decimal Discount { get; init; }
    public IReadOnlyList<DiscountAllocation> Allocations { get; init; } = [];
    public decimal NetTotal => LineTotal - Discount;
}

/// <summary>
/// Totals as the contract writes them: <c>Total = Subtotal − DiscountTotal + ShippingTotal + TaxTotal</c>
/// (tax-inclusive prices already hold their tax). <see cref="ShippingTotal"/> is the rate before a
/// free-shipping discount, which is part of <see cref="DiscountTotal"/> (and of <see cref="ShippingDiscount"/>).
/// </summary>
public sealed record Totals(
    IReadOnlyList<PricedLine> Lines,
    decimal Subtotal,
    decimal ShippingTotal,
    decimal TaxTotal,
    decimal Total,
    decimal TaxRatePercent,
    bool PricesIncludeTax)
{
    public decimal DiscountTotal { get; init; }
    public decimal ShippingDiscount { get; init; }

    /// <summary>The engine's answer when discounts were considered: applied discounts and the reasons entered codes did not apply.</summary>
    public PromotionResult? Promotion { get; init; }

    /// <summary>What redeemed loyalty points took off the lines (part of <see cref="DiscountTotal"/>).</summary>
    public decimal LoyaltyDiscount { get; init; }

    /// <summary>What the redeemed points are worth; more than <see cref="LoyaltyDiscount"/> when the cart shrank below it.</summary>
    public decimal LoyaltyRedeemed { get; init; }
}

/// <summary>A line to price: the SKU's categories (ids and slugs) are what category discounts match.</summary>
public sealed record PriceLine(string Sku, decimal UnitPrice, int Quantity, IReadOnlyList<string> Categories, decimal? CompareAtPrice = null);

/// <summary>The discounts a cart may get: every candidate (automatic ones and those of the entered codes), the codes, who buys, and when.</summary>
public sealed record DiscountContext(IReadOnlyList<Discount> Candidates, IReadOnlyList<string> Codes, PromotionCustomer Customer, DateTime Now)
{
    /// <summary>Loyalty points redeemed on the cart, in minor units (Loyalty/LoyaltyRedemptions.cs): taken off after the discounts.</summary>
    public long LoyaltyAmount { get; init; }
}

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
    /// shipping method (the one asked for, else the first serving the country) and the tax rate.
    /// With discounts (docs/promotions.md): the engine applies them in minor units, tax
    /// is computed on the discounted lines, and a shipping method's free-shipping threshold is
    /// measured on the subtotal after line discounts (the engine runs again when that changes the rate).
    /// </summary>
    public static PriceQuote Quote(
        PricingRules rules,
        IReadOnlyList<PriceLine> lines,
        string country,
        string? region,
        string? shippingMethodCode,
        bool pricesIncludeTax,
        DiscountContext discounts)
    {
        var shipping = ChooseShipping(rules.ShippingMethods, country, shippingMethodCode);
        var taxRate = TaxRateFor(rules.TaxRates, country, region);
        return new PriceQuote(Calculate(lines, shipping, taxRate, pricesIncludeTax, discounts), shipping);
    }

    public static Totals Calculate(IReadOnlyList<PriceLine> lines, ShippingMethod? shipping, decimal taxRatePercent, bool pricesIncludeTax, DiscountContext discounts)
    {
        var promotionLines = lines.Select(l => new PromotionLine(
            l.Sku, l.Sku, l.Categories, MinorUnits.ToMinor(l.UnitPrice), l.Quantity, l.CompareAtPrice is { } c ? MinorUnits.ToMinor(c) : null)).ToList();
        var subtotal = lines.Sum(l => l.UnitPrice * l.Quantity);
        PromotionResult Run(decimal rate) => DiscountEngine.Apply(new PromotionRequest(
            new PromotionCart(promotionLines, MinorUnits.ToMinor(rate), discounts.Customer), discounts.Candidates, discounts.Codes, discounts.Now));

        var rate = ShippingFor(shipping, subtotal);
        var result = Run(rate);
        var afterLineDiscounts = subtotal - MinorUnits.FromMinor(result.LineDiscountTotal);
        if (ShippingFor(shipping, afterLineDiscounts) is var discountedRate && discountedRate != rate)
        {
            result = Run(discountedRate);
        }

        // Loyalty: redeemed points are an order-level amount off the lines after the discounts, so
        // tax is on what is left; the free-shipping threshold above is measured before it.
        (result, var loyalty) = WithLoyaltyRedemption(result, discounts.LoyaltyAmount);
        var taxed = PromotionTax.Apply(result, taxRatePercent, pricesIncludeTax);
        var priced = result.Lines.Zip(taxed.Lines, (line, tax) => new PricedLine(
            line.Sku, MinorUnits.FromMinor(line.UnitPrice), line.Quantity, MinorUnits.FromMinor(line.Subtotal), MinorUnits.FromMinor(tax.Tax))
        {
            Discount = MinorUnits.FromMinor(line.DiscountTotal),
            Allocations = line.Allocations,
        }).ToList();
        return new Totals(priced, MinorUnits.FromMinor(taxed.Subtotal), MinorUnits.FromMinor(taxed.ShippingTotal), MinorUnits.FromMinor(taxed.TaxTotal),
            MinorUnits.FromMinor(taxed.Total), taxRatePercent, pricesIncludeTax)
        {
            DiscountTotal = MinorUnits.FromMinor(taxed.DiscountTotal),
            ShippingDiscount = MinorUnits.FromMinor(result.ShippingDiscount),
            Promotion = result,
            LoyaltyDiscount = MinorUnits.FromMinor(loyalty),
            LoyaltyRedeemed = MinorUnits.FromMinor(Math.Max(0, discounts.LoyaltyAmount)),
        };
    }

    /// <summary>
    /// Allocates a loyalty redemption over the lines in proportion to what is left of them after
    /// the discounts (largest remainder, as an order-level fixed amount is), never more than that,
    /// so no line goes negative. It is no discount definition, so it adds no allocation rows.
    /// </summary>
    private static (PromotionResult Result, long Taken) WithLoyaltyRedemption(PromotionResult result, long amount)
    {
        var take = Math.Min(Math.Max(0, amount), result.Lines.Sum(l => l.LineTotal));
        if (take == 0)
        {
            return (result, 0);
        }

        var shares = MinorUnitMath.Allocate(take, result.Lines.Select(l => l.LineTotal).ToList());
        var lines = result.Lines.Select((l, i) => l with { DiscountTotal = l.DiscountTotal + shares[i], LineTotal = l.LineTotal - shares[i] }).ToList();
        return (result with
        {
            Lines = lines,
            LineDiscountTotal = result.LineDiscountTotal + take,
            DiscountTotal = result.DiscountTotal + take,
            TotalBeforeTax = result.TotalBeforeTax - take,
        }, take);
    }

    /// <summary>Prices lines without discounts: the same path as with them (one tax rule, one rounding), with no candidates.</summary>
    public static Totals Calculate(
        IReadOnlyList<(string Sku, decimal UnitPrice, int Quantity)> lines,
        ShippingMethod? shipping,
        decimal taxRatePercent,
        bool pricesIncludeTax) =>
        Calculate(
            lines.Select(l => new PriceLine(l.Sku, l.UnitPrice, l.Quantity, [])).ToList(), shipping, taxRatePercent, pricesIncludeTax,
            new DiscountContext([], [], PromotionCustomer.Guest, DateTime.UnixEpoch));

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

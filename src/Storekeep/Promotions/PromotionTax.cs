namespace Storekeep.Promotions;

/// <summary>A line's taxable amount (its total after discounts) and the tax on it, in minor units.</summary>
public sealed record LineTax(string LineId, long Taxable, long Tax);

/// <summary>The contract's totals once tax is known: <c>Total = Subtotal − DiscountTotal + ShippingTotal + TaxTotal</c> (tax-inclusive prices already hold their tax).</summary>
public sealed record TaxedTotals(IReadOnlyList<LineTax> Lines, long Subtotal, long DiscountTotal, long ShippingTotal, long TaxTotal, long Total, bool PricesIncludeTax);

/// <summary>
/// Tax comes after every discount and is computed on the discounted line amounts, with the rule of
/// <c>PriceCalculator</c> (docs/checkout.md): each line's tax rounded half away from zero, shipping
/// untaxed, totals the sum of rounded parts. The caller picks the rate (the ship-to country's).
/// </summary>
public static class PromotionTax
{
    /// <summary>Each line's amount after discounts: what tax is charged on.</summary>
    public static IReadOnlyList<(string LineId, long Taxable)> TaxableAmounts(PromotionResult result) =>
        result.Lines.Select(l => (l.LineId, l.LineTotal)).ToList();

    public static long TaxOn(long amount, decimal ratePercent, bool pricesIncludeTax) =>
        pricesIncludeTax
            ? amount - decimal.ToInt64(decimal.Round(amount / (1 + ratePercent / 100m), 0, MidpointRounding.AwayFromZero))
            : MinorUnitMath.Percent(amount, ratePercent);

    public static TaxedTotals Apply(PromotionResult result, decimal ratePercent, bool pricesIncludeTax)
    {
        var lines = TaxableAmounts(result).Select(l => new LineTax(l.LineId, l.Taxable, TaxOn(l.Taxable, ratePercent, pricesIncludeTax))).ToList();
        var tax = lines.Sum(l => l.Tax);
        var total = result.Subtotal - result.DiscountTotal + result.ShippingTotal + (pricesIncludeTax ? 0 : tax);
        return new TaxedTotals(lines, result.Subtotal, result.DiscountTotal, result.ShippingTotal, tax, total, pricesIncludeTax);
    }
}

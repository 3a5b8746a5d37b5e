namespace Storekeep.Promotions;

/// <summary>
/// A line as stored with the order: what was captured for it after discounts, without its tax
/// (<see cref="NetAmount"/>; with tax-inclusive prices, the line total less its tax), the tax, and
/// how many of its units were already refunded. <see cref="RefundedNet"/> and <see cref="RefundedTax"/>:
/// what earlier refunds actually gave back, when known; the next refund takes the units' cumulative
/// share less that, so the last unit always closes the line exactly.
/// </summary>
public sealed record CapturedLine(string LineId, string Sku, int Quantity, long NetAmount, long Tax, int RefundedQuantity = 0, long? RefundedNet = null, long? RefundedTax = null)
{
    public int RefundableQuantity => Quantity - RefundedQuantity;
}

/// <summary>Units to refund, by line id or else by SKU (filled from the first line of that SKU with units left).</summary>
public sealed record RefundLineRequest(string? LineId, string? Sku, int Quantity);

public sealed record RefundedLine(string LineId, string Sku, int Quantity, long NetAmount, long Tax)
{
    public long Total => NetAmount + Tax;
}

public sealed record RefundQuote(IReadOnlyList<RefundedLine> Lines, long NetAmount, long Tax, long Total);

/// <summary>
/// Refunds of lines: the stored net amount and tax of the units, never the undiscounted price, and
/// never a discount spread again over what is left. A line's amount is split over its units by
/// largest remainder (the earlier units carry the odd minor units), and a refund takes the next
/// units in turn, so refunding every unit, in any steps, returns exactly what was captured.
/// </summary>
public static class LineRefunds
{
    public static RefundQuote Quote(IReadOnlyList<CapturedLine> captured, IReadOnlyList<RefundLineRequest> requests)
    {
        var refunded = captured.ToDictionary(l => l.LineId, l => l.RefundedQuantity, StringComparer.Ordinal);
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Quantity);
            var candidates = request.LineId is { } id
                ? captured.Where(l => l.LineId == id).ToList()
                : captured.Where(l => string.Equals(l.Sku, request.Sku, StringComparison.OrdinalIgnoreCase)).ToList();
            if (candidates.Count == 0)
            {
                throw new ArgumentException($"The order has no line {request.LineId ?? request.Sku}.", nameof(requests));
            }

            var wanted = request.Quantity;
            foreach (var line in candidates)
            {
                var take = Math.Min(wanted, line.Quantity - refunded[line.LineId]);
                if (take > 0)
                {
                    refunded[line.LineId] += take;
                    taken[line.LineId] = taken.GetValueOrDefault(line.LineId) + take;
                    wanted -= take;
                }
            }

            if (wanted > 0)
            {
                throw new ArgumentException($"Fewer units of {request.LineId ?? request.Sku} are left to refund than asked.", nameof(requests));
            }
        }

        var lines = captured.Where(l => taken.ContainsKey(l.LineId)).Select(l =>
        {
            var units = taken[l.LineId];
            return new RefundedLine(
                l.LineId, l.Sku, units,
                Next(l.NetAmount, l.Quantity, l.RefundedQuantity, units, l.RefundedNet),
                Next(l.Tax, l.Quantity, l.RefundedQuantity, units, l.RefundedTax));
        }).ToList();
        var net = lines.Sum(l => l.NetAmount);
        var tax = lines.Sum(l => l.Tax);
        return new RefundQuote(lines, net, tax, net + tax);
    }

    /// <summary>The share of the next <paramref name="units"/>: the cumulative share through them less what was already given back.</summary>
    private static long Next(long amount, int quantity, int refundedUnits, int units, long? refundedAmount)
    {
        var through = MinorUnitMath.UnitShare(amount, quantity, 0, refundedUnits + units);
        var before = refundedAmount ?? MinorUnitMath.UnitShare(amount, quantity, 0, refundedUnits);
        return Math.Clamp(through - before, 0, amount);
    }

    /// <summary>The lines of a priced cart with their tax, as an order would store them.</summary>
    public static IReadOnlyList<CapturedLine> Capture(PromotionResult result, TaxedTotals taxes) =>
        result.Lines.Select((l, i) => new CapturedLine(
            l.LineId, l.Sku, l.Quantity, taxes.PricesIncludeTax ? l.LineTotal - taxes.Lines[i].Tax : l.LineTotal, taxes.Lines[i].Tax)).ToList();
}

namespace Storekeep.Promotions;

/// <summary>
/// The engine's arithmetic, on whole minor units: a percentage rounded half away from zero, and an
/// amount split in proportion by largest remainder so the parts add up to it exactly.
/// </summary>
public static class MinorUnitMath
{
    /// <summary><paramref name="percent"/> % of <paramref name="amount"/>, rounded half away from zero (25 % of 1999 → 500).</summary>
    public static long Percent(long amount, decimal percent) =>
        decimal.ToInt64(decimal.Round(amount * percent / 100m, 0, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Splits <paramref name="total"/> (0 ≤ total ≤ Σ weights) over the weights in proportion: each
    /// part is first rounded down, then the minor units left go one each to the largest remainders,
    /// ties to the earlier index. No part exceeds its weight, and the parts sum to the total.
    /// </summary>
    public static long[] Allocate(long total, IReadOnlyList<long> weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        var sum = weights.Aggregate(0L, (acc, w) => checked(acc + w));
        if (total > sum || weights.Any(w => w < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(total), "The amount must lie between zero and the sum of non-negative weights.");
        }

        var parts = new long[weights.Count];
        if (total == 0)
        {
            return parts;
        }

        var remainders = new Int128[weights.Count];
        long given = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            // Int128: total × weight can pass long's range for large carts in small currencies.
            var exact = (Int128)total * weights[i];
            parts[i] = (long)(exact / sum);
            remainders[i] = exact % sum;
            given += parts[i];
        }

        var order = Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i);
        foreach (var i in order.Take((int)(total - given)))
        {
            parts[i]++;
        }

        return parts;
    }

    /// <summary>
    /// The share of <paramref name="count"/> units starting at unit <paramref name="from"/> when
    /// <paramref name="amount"/> is split over <paramref name="units"/> equal units by largest
    /// remainder (every remainder is equal, so the earlier units carry the extra minor units).
    /// Shares of consecutive ranges add up, so any sequence of partial refunds ends exactly at the amount.
    /// </summary>
    public static long UnitShare(long amount, int units, int from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        if (from < 0 || count < 0 || from + count > units)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The units lie outside the line.");
        }

        var each = amount / units;
        var extra = amount % units;
        var withExtra = Math.Max(0L, Math.Min(from + count, extra) - from);
        return checked((each * count) + withExtra);
    }

    public static long ToMinor(decimal amount, int exponent = 2)
    {
        var scaled = amount * Scale(exponent);
        return decimal.Truncate(scaled) == scaled
            ? decimal.ToInt64(scaled)
            : throw new ArgumentException($"Amount {amount} has more than {exponent} decimal places.", nameof(amount));
    }

    public static decimal FromMinor(long minor, int exponent = 2) => minor / Scale(exponent);

    private static decimal Scale(int exponent) =>
        exponent is >= 0 and <= 4 ? (decimal)Math.Pow(10, exponent) : throw new ArgumentOutOfRangeException(nameof(exponent));
}

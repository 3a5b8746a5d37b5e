namespace Storekeep.Customers;

/// <summary>
/// The RFM segment of a recency score R and a frequency-monetary score FM = ⌈(F + M) / 2⌉, on the
/// widely used R × FM grid (docs/crm.md has the table).
/// </summary>
public static class RfmSegments
{
    public const string Champions = "champions";
    public const string Loyal = "loyal";
    public const string PotentialLoyalist = "potential_loyalist";
    public const string New = "new";
    public const string Promising = "promising";
    public const string NeedsAttention = "needs_attention";
    public const string AboutToSleep = "about_to_sleep";
    public const string AtRisk = "at_risk";
    public const string CannotLose = "cannot_lose";
    public const string Hibernating = "hibernating";
    public const string Lost = "lost";

    public static readonly IReadOnlyList<string> All =
        [Champions, Loyal, PotentialLoyalist, New, Promising, NeedsAttention, AboutToSleep, AtRisk, CannotLose, Hibernating, Lost];

    public static int FrequencyMonetary(int frequency, int monetary) => (frequency + monetary + 1) / 2;

    public static string Of(int recency, int frequency, int monetary) => OfGrid(recency, FrequencyMonetary(frequency, monetary));

    public static string OfGrid(int r, int fm) => (r, fm) switch
    {
        (5, >= 4) => Champions,
        (3 or 4, >= 4) => Loyal,
        (4 or 5, 2 or 3) => PotentialLoyalist,
        (5, 1) => New,
        (4, 1) => Promising,
        (3, 3) => NeedsAttention,
        (3, 1 or 2) => AboutToSleep,
        (1 or 2, 3 or 4) => AtRisk,
        (1 or 2, 5) => CannotLose,
        (1, 1) => Lost,
        _ => Hibernating, // (1, 2), (2, 1), (2, 2)
    };

    /// <summary>Every (R, F, M) score triple in <paramref name="segment"/>, as R·100 + F·10 + M (for an SQL IN list).</summary>
    public static IReadOnlyList<long> Codes(string segment) =>
        [.. from r in Enumerable.Range(1, 5)
            from f in Enumerable.Range(1, 5)
            from m in Enumerable.Range(1, 5)
            where Of(r, f, m) == segment
            select (long)((r * 100) + (f * 10) + m)];

    public static CustomerRfmView? View(CustomerFigureRow row) =>
        row is { Recency: { } recency, Frequency: { } frequency, MonetaryMinor: { } monetary, RecencyScore: { } r, FrequencyScore: { } f, MonetaryScore: { } m }
            ? new CustomerRfmView((int)recency, (int)frequency, Shared.MinorUnits.FromMinor(monetary), $"{r}{f}{m}", Of((int)r, (int)f, (int)m))
            : null;
}

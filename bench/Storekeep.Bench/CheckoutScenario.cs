namespace Storekeep.Bench;

/// <summary>Checkouts of 3 random SKUs out of 10,000: little contention, measures the path's cost.</summary>
public static class CheckoutScenario
{
    public const string Name = "checkout";

    public static Task<int> RunAsync(bool quick, CancellationToken ct) =>
        CheckoutBench.RunAsync(Name, skuCount: 10_000, stockPerSku: 1_000_000, skus => random => Pick(skus, random), quick, ct);

    public static string[] Pick(IReadOnlyList<string> skus, Random random)
    {
        var picked = new HashSet<string>(StringComparer.Ordinal);
        while (picked.Count < 3)
        {
            picked.Add(skus[random.Next(skus.Count)]);
        }

        return [.. picked];
    }
}

namespace Storekeep.Bench;

/// <summary>
/// Every checkout buys the same SKU: all guarded UPDATEs queue on one stock row, so this measures
/// how long the checkout transaction holds that row lock.
/// </summary>
public static class HotSkuScenario
{
    public const string Name = "hot-sku";

    public static Task<int> RunAsync(bool quick, CancellationToken ct) =>
        CheckoutBench.RunAsync(Name, skuCount: 10_000, stockPerSku: 1_000_000_000, skus => _ => [skus[0]], quick, ct);
}

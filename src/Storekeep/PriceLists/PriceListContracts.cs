namespace Storekeep.PriceLists;

public static class PriceListPermissions
{
    /// <summary>See price lists and what a list charges (sales reps quote from them).</summary>
    public const string Read = "price_lists.read";

    /// <summary>Create and change price lists.</summary>
    public const string Write = "price_lists.write";
}

public sealed record PriceListEntryRequest(string? Sku, decimal? Price, int? MinimumQuantity);

/// <summary>Either <paramref name="Entries"/> or <paramref name="PercentOff"/>. Currency defaults to the store's.</summary>
public sealed record PriceListRequest(string? Name, string? Currency, IReadOnlyList<PriceListEntryRequest?>? Entries, decimal? PercentOff);

public sealed record PriceListEntryView(string Sku, decimal Price, int MinimumQuantity);

public sealed record PriceListView(Guid Id, string Name, string Currency, decimal? PercentOff, IReadOnlyList<PriceListEntryView> Entries, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>One list's listing row: how many entries (tiers) it holds, not the entries.</summary>
public sealed record PriceListSummary(Guid Id, string Name, string Currency, decimal? PercentOff, int Entries, int Skus, DateTime UpdatedAt);

/// <param name="RegularPrice">The variant's own price.</param>
/// <param name="UnitPrice">What one unit costs on this list at <paramref name="Quantity"/>: the best tier that applies, never above the regular price.</param>
/// <param name="Tier">The minimum quantity of the tier used; null when the regular price (or the percentage) applies.</param>
public sealed record PriceListPrice(string Sku, int Quantity, decimal RegularPrice, decimal UnitPrice, int? Tier, decimal LineTotal);

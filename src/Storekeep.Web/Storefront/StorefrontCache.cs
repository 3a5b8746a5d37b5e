using System.Collections.Concurrent;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Storekeep.Catalog;

namespace Storekeep.Web.Storefront;

/// <summary>
/// Catalog pages are cached twice over: whole responses in the output cache (home, categories,
/// search, sitemap, and product pages for guests: nothing personal on them) and page data in memory
/// (product data, which signed-in shoppers' pages are built from too).
/// A <see cref="CatalogChangeSignal"/> after a catalog, price or stock commit on this node drops the
/// list pages (tag <see cref="Tag"/>) and only the product pages it names (tags
/// <see cref="ProductTag"/> and <see cref="SkuTag"/>); one that cannot say which products drops every
/// product page too (<see cref="ProductPagesTag"/>). Entries live at most <see cref="Lifetime"/> (lists)
/// or <see cref="ProductLifetime"/> (product pages), which bounds how stale another node's pages can be.
/// </summary>
public sealed class StorefrontCache
{
    public const string PolicyName = "storefront";
    public const string ProductPolicyName = "product-page";

    /// <summary>List pages (home, categories, search, sitemap, list API) and their data: dropped on every change.</summary>
    public const string Tag = "catalog";

    /// <summary>Every product page: dropped when a change cannot name its products.</summary>
    public const string ProductPagesTag = "product-pages";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Product pages are dropped precisely on this node, so they may live long: with 10,000 products
    /// drawn evenly, a short life would make most requests misses. It bounds other nodes' staleness.
    /// </summary>
    public static readonly TimeSpan ProductLifetime = TimeSpan.FromMinutes(10);

    private readonly IMemoryCache _memory;
    private readonly IOutputCacheStore _outputCache;
    private readonly Lock _evicting = new();

    // When each tag was last evicted, on a clock that ticks once per change. At most one entry per
    // product and SKU ever changed, plus the two store-wide tags: bounded by the catalog's size.
    private readonly ConcurrentDictionary<string, long> _evictedAt = new(StringComparer.Ordinal);
    private long _clock;

    public StorefrontCache(IMemoryCache memory, IOutputCacheStore outputCache, CatalogChangeSignal signal)
    {
        _memory = memory;
        _outputCache = outputCache;
        signal.Subscribe(Invalidate);
    }

    public static string ProductTag(Guid productId) => "product:" + productId.ToString("N");

    public static string SkuTag(string sku) => "sku:" + sku;

    /// <summary>The tags a product page (and its data) carries: its product, each of its SKUs, and all product pages.</summary>
    public static IEnumerable<string> ProductTags(ProductDetail product) =>
        [ProductPagesTag, ProductTag(product.Id), .. product.Variants.Select(v => SkuTag(v.Sku))];

    /// <summary>The moment to take before reading what a cached entry will hold (see <see cref="EvictedSince"/>).</summary>
    public long Now => Volatile.Read(ref _clock);

    /// <summary>
    /// Whether any of <paramref name="tags"/> was evicted after <paramref name="moment"/>: then what was
    /// read since may predate the change, and must not be kept (its eviction has already run).
    /// </summary>
    public bool EvictedSince(long moment, IEnumerable<string> tags)
    {
        foreach (var tag in tags)
        {
            if (_evictedAt.TryGetValue(tag, out var at) && at > moment)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Store-wide data (list pages): kept <see cref="Lifetime"/>, dropped on every change.</summary>
    public Task<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load) => GetOrLoadAsync(key, load, _ => [Tag], Lifetime);

    /// <summary>Data dropped when any of the tags <paramref name="tagsOf"/> gives for it is evicted, or after <paramref name="lifetime"/>.</summary>
    public async Task<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load, Func<T, IEnumerable<string>> tagsOf, TimeSpan lifetime)
    {
        var cacheKey = "storefront:" + key;
        if (_memory.TryGetValue(cacheKey, out Kept<T>? kept) && kept is not null && !EvictedSince(kept.Moment, kept.Tags))
        {
            return kept.Value;
        }

        // Taken before loading: a change that lands while we read makes the entry stale at once.
        var moment = Now;
        var value = await load();
        if (value is not null)
        {
            string[] tags = [.. tagsOf(value)];
            if (!EvictedSince(moment, tags))
            {
                _memory.Set(cacheKey, new Kept<T>(value, moment, tags), new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 });
            }
        }

        return value;
    }

    /// <summary>Drops the list pages and the changed products' pages (every product page when the change cannot name them).</summary>
    public void Invalidate(CatalogChange change)
    {
        List<string> tags = [Tag];
        if (change.Everything)
        {
            tags.Add(ProductPagesTag);
        }
        else
        {
            tags.AddRange(change.ProductIds.Select(ProductTag));
            tags.AddRange(change.Skus.Select(SkuTag));
        }

        lock (_evicting)
        {
            // Tags first, then the clock: a reader that sees the new moment also sees these evictions.
            var at = _clock + 1;
            foreach (var tag in tags)
            {
                _evictedAt[tag] = at;
            }

            Volatile.Write(ref _clock, at);
        }

        foreach (var tag in tags)
        {
            _ = _outputCache.EvictByTagAsync(tag, CancellationToken.None).AsTask();
        }
    }

    public static void AddPolicies(OutputCacheOptions options)
    {
        options.AddPolicy(PolicyName, policy => policy.Expire(Lifetime).Tag(Tag).SetVaryByQuery("*")
            .VaryByValue(http => new KeyValuePair<string, string>("experiment", Experiments.HomeExperimentContent.CacheKey(http))));
        options.AddPolicy(ProductPolicyName, new ProductPageCachePolicy());
    }

    private sealed record Kept<T>(T Value, long Moment, string[] Tags);
}

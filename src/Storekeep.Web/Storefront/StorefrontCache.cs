using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Storekeep.Catalog;

namespace Storekeep.Web.Storefront;

/// <summary>
/// Catalog pages are cached twice over: whole responses in the output cache (home, categories,
/// search, sitemap: nothing personal on them) and page data in memory (product pages, whose
/// add-to-cart form carries the visitor's own antiforgery token and so cannot be shared).
/// Both drop everything when <see cref="CatalogChangeSignal"/> fires after a catalog, price or stock
/// commit on this node; entries live at most <see cref="Lifetime"/>, which bounds how stale another
/// node's pages can be.
/// </summary>
public sealed class StorefrontCache
{
    public const string PolicyName = "storefront";
    public const string Tag = "catalog";
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly IMemoryCache _memory;
    private readonly IOutputCacheStore _outputCache;
    private CancellationTokenSource _generation = new();

    public StorefrontCache(IMemoryCache memory, IOutputCacheStore outputCache, CatalogChangeSignal signal)
    {
        _memory = memory;
        _outputCache = outputCache;
        signal.Subscribe(Invalidate);
    }

    public async Task<T> GetOrLoadAsync<T>(string key, Func<Task<T>> load)
    {
        var cacheKey = "storefront:" + key;
        if (_memory.TryGetValue(cacheKey, out T? cached) && cached is not null)
        {
            return cached;
        }

        // Taken before loading: a change that lands while we read makes this entry born expired.
        var generation = Volatile.Read(ref _generation).Token;
        var value = await load();
        if (value is not null)
        {
            using var entry = _memory.CreateEntry(cacheKey);
            entry.Value = value;
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            entry.Size = 1;
            entry.AddExpirationToken(new CancellationChangeToken(generation));
        }

        return value;
    }

    public void Invalidate()
    {
        var old = Interlocked.Exchange(ref _generation, new CancellationTokenSource());
        // Not disposed: a reader may still be taking its token; it holds no timer, so the GC suffices.
        old.Cancel();
        _ = _outputCache.EvictByTagAsync(Tag, CancellationToken.None).AsTask();
    }

    public static void AddPolicy(OutputCacheOptions options) =>
        options.AddPolicy(PolicyName, policy => policy.Expire(Lifetime).Tag(Tag).SetVaryByQuery("*")
            .VaryByValue(http => new KeyValuePair<string, string>("experiment", Experiments.HomeExperimentContent.CacheKey(http))));
}

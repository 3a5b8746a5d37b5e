namespace Storekeep.Catalog;

/// <summary>
/// What a committed unit of work changed on the storefront: the products it touched (by id, and by
/// SKU for stock, which knows only SKUs), or <see cref="Everything"/> when it cannot say (a category,
/// or a caller that does not know its products).
/// </summary>
public sealed record CatalogChange(IReadOnlyCollection<Guid> ProductIds, IReadOnlyCollection<string> Skus, bool Everything)
{
    public static readonly CatalogChange All = new([], [], true);

    public static CatalogChange Of(IReadOnlyCollection<Guid> productIds, IReadOnlyCollection<string> skus) => new(productIds, skus, false);
}

/// <summary>
/// Raised in-process after a commit that changed what the storefront shows (products, variants and
/// their prices, images, categories, stock), saying which products when it knows. Caches subscribe
/// and drop what they hold of them. Only this node hears it: other nodes' caches expire on their own,
/// which bounds how stale a page can be (docs/scaling.md).
/// </summary>
public sealed class CatalogChangeSignal
{
    private readonly Lock _lock = new();
    private Action<CatalogChange>[] _listeners = [];

    public void Subscribe(Action<CatalogChange> listener)
    {
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    /// <summary>Something changed and the caller cannot say which products: everything is dropped.</summary>
    public void Notify() => Notify(CatalogChange.All);

    public void Notify(CatalogChange change)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener(change);
        }
    }
}

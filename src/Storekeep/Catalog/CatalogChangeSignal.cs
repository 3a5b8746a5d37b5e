namespace Storekeep.Catalog;

/// <summary>
/// Raised in-process after a commit that changed what the storefront shows (products, variants and
/// their prices, images, categories, stock). Caches subscribe and drop what they hold. Only this
/// node hears it: other nodes' caches expire on their own within a short time, which bounds how
/// stale a page can be.
/// </summary>
public sealed class CatalogChangeSignal
{
    private readonly Lock _lock = new();
    private Action[] _listeners = [];

    public void Subscribe(Action listener)
    {
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    public void Notify()
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener();
        }
    }
}

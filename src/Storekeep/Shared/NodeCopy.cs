namespace Storekeep.Shared;

/// <summary>
/// What every request reads and few changes touch (running experiments, automatic discounts), kept
/// by this node for <paramref name="lifetime"/> instead of read per request, one entry per key. The
/// capability that changes it calls <see cref="Clear"/> after the change, so this node sees it at
/// once; other nodes follow within the lifetime.
/// </summary>
public sealed class NodeCopy<TKey, TValue>(TimeProvider clock, TimeSpan lifetime)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, (DateTimeOffset LoadedAt, TValue Value)> _entries = [];

    // Bumped by every clear: a load that began before a change must not be kept after it.
    private long _generation;

    /// <summary>The kept value of <paramref name="key"/>, or <paramref name="load"/>'s when none is fresh; shared, do not change it.</summary>
    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = clock.GetUtcNow();
        long generation;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && now - entry.LoadedAt < lifetime)
            {
                return entry.Value;
            }

            generation = _generation;
        }

        var value = await load();
        lock (_gate)
        {
            if (generation == _generation)
            {
                _entries[key] = (now, value);
            }
        }

        return value;
    }

    /// <summary>Drops every entry: called after a change to what they hold.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
        }
    }
}

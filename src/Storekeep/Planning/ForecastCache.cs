using System.Collections.Concurrent;
using Storekeep.Planning.Forecasting;

namespace Storekeep.Planning;

/// <summary>
/// Forecasts already computed, keyed by the series itself (a hash of every week's units plus the
/// key, the first week and the horizon). The forecaster is pure, so an identical series gives an
/// identical forecast: the cache can never be stale, and it turns the weekly history that only
/// changes once a week into one fit per SKU per week, not one per page load. Bounded: emptied when
/// it grows past <see cref="Capacity"/> entries.
/// </summary>
public sealed class ForecastCache
{
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<(string Key, DateOnly FirstWeek, int Horizon, int Length, long Hash), ForecastOutcome> _outcomes = new();

    public ForecastOutcome Forecast(string key, IReadOnlyList<WeekUnits> weeks, int horizon)
    {
        var units = weeks.Select(w => w.Units).ToArray();
        var hash = 17L;
        foreach (var u in units)
        {
            hash = unchecked((hash * 31) + BitConverter.DoubleToInt64Bits(u));
        }

        var id = (key, weeks.Count > 0 ? weeks[0].WeekStart : default, horizon, units.Length, hash);
        if (_outcomes.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (_outcomes.Count >= Capacity)
        {
            _outcomes.Clear();
        }

        return _outcomes[id] = Forecaster.Forecast(new WeeklySeries(units), horizon);
    }
}

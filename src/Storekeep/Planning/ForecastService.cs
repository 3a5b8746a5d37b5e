using Storekeep.Planning.Forecasting;
using Storekeep.Shared;

namespace Storekeep.Planning;

public sealed record ForecastWeek(DateOnly WeekStart, double Units, double Lo80, double Hi80);

public sealed record ForecastBacktest(double Mase, double MaseSeasonalNaive);

public sealed record GroupForecast(string Key, string Method, IReadOnlyList<WeekUnits> History, IReadOnlyList<ForecastWeek> Forecast, ForecastBacktest? Backtest);

/// <summary>The forecast contract (docs/planning.md): weekly history per SKU or category and the chosen method's forecast.</summary>
public sealed class ForecastService(DemandHistory history, ForecastCache cache, TimeProvider clock)
{
    public const int MaxHorizon = 104;

    public async Task<Page<GroupForecast>> ForecastAsync(string? groupBy, string? sku, string? category, int? horizonWeeks, DateOnly? asOf, int? limit, string? cursor, CancellationToken ct)
    {
        var byCategory = groupBy switch
        {
            null or "sku" => false,
            "category" => true,
            _ => throw Errors.BadRequest("invalid_group_by", "groupBy must be 'sku' or 'category'."),
        };
        var horizon = horizonWeeks ?? 13;
        if (horizon is < 1 or > MaxHorizon)
        {
            throw Errors.BadRequest("invalid_horizon", $"horizonWeeks must be between 1 and {MaxHorizon}.");
        }

        var take = Cursor.Limit(limit);
        var after = Cursor.Decode(cursor);

        // History stops before the week holding asOf (today by default): a partial week is not demand.
        var cutoff = DemandHistory.WeekStart(asOf ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var lastWeek = cutoff.AddDays(-7);
        var daily = await history.DailyAsync(byCategory, sku, category, null, cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), ct);
        var weekly = DemandHistory.Weekly(daily, null, lastWeek);
        var keys = weekly.Keys.Where(k => after is null || string.CompareOrdinal(k, after) > 0).Order(StringComparer.Ordinal).Take(take + 1).ToList();
        var page = new List<GroupForecast>();
        foreach (var key in keys.Take(take))
        {
            var weeks = weekly[key];
            var outcome = cache.Forecast(key, weeks, horizon);
            var f = outcome.Forecast;
            var forecast = Enumerable.Range(0, horizon)
                .Select(h => new ForecastWeek(cutoff.AddDays(7 * h), Round(f.Mean[h]), Round(f.Lo80[h]), Round(f.Hi80[h])))
                .ToList();
            page.Add(new GroupForecast(key, f.Method, weeks, forecast,
                outcome.Backtest is { } b ? new ForecastBacktest(Round(b.Mase), Round(b.MaseSeasonalNaive)) : null));
        }

        return new Page<GroupForecast>(page, keys.Count > take ? Cursor.Encode(keys[take - 1]) : null);
    }

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}

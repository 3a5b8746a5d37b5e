using System.Collections.Concurrent;

namespace Storekeep.Planning.Forecasting;

/// <summary>
/// The weekly demand of a group of series (a SKU's category, a category's store), oldest week first,
/// and its forecasts from any week on. A single SKU sells a few units a week, so its own history
/// hides a season or a trend under noise; summed over the group they stand out, and the group's
/// forecast carries them to the SKU (<see cref="GroupShare"/>). Forecasts of the group are kept per
/// end week: every SKU of the group asks for the same ones at the same backtest origins.
/// </summary>
public sealed class GroupDemand
{
    private readonly ConcurrentDictionary<(int End, int Horizon), double[]> _forecasts = new();

    public GroupDemand(string key, DateOnly firstWeek, double[] units)
    {
        Key = key;
        FirstWeek = firstWeek;
        Units = units;
        var hash = 17L;
        foreach (var u in units)
        {
            hash = unchecked((hash * 31) + BitConverter.DoubleToInt64Bits(u));
        }

        Hash = hash;
    }

    public string Key { get; }

    public DateOnly FirstWeek { get; }

    public double[] Units { get; }

    /// <summary>A hash of every week's units: two groups with the same key, first week and hash forecast alike.</summary>
    public long Hash { get; }

    /// <summary>The week index of <paramref name="week"/> in <see cref="Units"/> (negative before the first).</summary>
    public int IndexOf(DateOnly week) => (week.DayNumber - FirstWeek.DayNumber) / 7;

    /// <summary>
    /// The group's own forecast (chosen as any series' is) of the <paramref name="horizon"/> weeks
    /// after its first <paramref name="end"/> weeks, fitted on those weeks only.
    /// </summary>
    public double[] ForecastFrom(int end, int horizon) =>
        _forecasts.GetOrAdd((end, horizon), k => Forecaster.Forecast(new WeeklySeries(Units[..k.End]), k.Horizon).Forecast.Mean);
}

/// <summary>
/// Top-down forecast from a group: the series' share of its group's demand, exponentially weighted
/// (p = A/B, A ← A + α(y − A), B ← B + α(g − B)), times the group's forecast: ŷ(n+h) = p·ĝ(n+h).
/// The share moves slowly and is all the series has to estimate on its own; the season and the
/// trend come from the group, where they are measured on many times the units. α minimises the
/// in-sample one-step SSE of y(t) − p(t−1)·g(t). The interval is SES's on those one-step errors.
/// </summary>
public sealed class GroupShare(GroupDemand group, int offset) : ForecastMethod
{
    /// <summary>Weeks of the series' own history before the share is trusted.</summary>
    public const int MinimumWeeks = 13;

    public override string Name => "group_share";

    public GroupDemand Group => group;

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength)
    {
        if (history.Length < MinimumWeeks || offset < 0 || offset + history.Length > group.Units.Length)
        {
            return false;
        }

        var sum = 0.0;
        foreach (var g in group.Units.AsSpan(offset, history.Length))
        {
            sum += g;
        }

        return sum > 0;
    }

    /// <summary>The share after <paramref name="y"/> and the one-step SSE against the group's actual weeks.</summary>
    public static (double Share, double Sse, int Count) Run(ReadOnlySpan<double> y, ReadOnlySpan<double> g, double alpha)
    {
        // Started at the first weeks' share, so the early weeks do not decide the smoothing.
        var start = Math.Min(MinimumWeeks, y.Length);
        double a = 0, b = 0;
        for (var t = 0; t < start; t++)
        {
            a += y[t];
            b += g[t];
        }

        a /= start;
        b /= start;
        double sse = 0;
        var count = 0;
        for (var t = 0; t < y.Length; t++)
        {
            if (t >= start)
            {
                var e = y[t] - (b > 0 ? a / b : 0) * g[t];
                sse += e * e;
                count++;
            }

            a += alpha * (y[t] - a);
            b += alpha * (g[t] - b);
        }

        return (b > 0 ? a / b : 0, sse, count);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var g = group.Units.AsSpan(offset, history.Length).ToArray();
        var alpha = Optimizer.Minimize(p => Run(history, g, p[0]).Sse, [0.01], [0.5], gridPoints: 8)[0];
        var (share, sse, count) = Run(history, g, alpha);
        var groupForecast = group.ForecastFrom(offset + history.Length, horizon);
        var mean = new double[horizon];
        for (var h = 0; h < horizon; h++)
        {
            mean[h] = share * groupForecast[h];
        }

        return Build(mean, Sigma(sse, count), _ => alpha, alpha);
    }
}

namespace Storekeep.Planning.Forecasting;

/// <summary>How a forecast is chosen; the defaults are the documented rule (docs/planning.md).</summary>
public sealed record ForecastSettings
{
    /// <summary>Weeks ahead each rolling origin is scored on.</summary>
    public int BacktestHorizon { get; init; } = 13;

    /// <summary>Rolling origins at n − 13, n − 26, … as long as each keeps <see cref="MinimumTrainingWeeks"/>.</summary>
    public int BacktestOrigins { get; init; } = 4;

    /// <summary>
    /// Origins for an intermittent series, whose level methods need little training: with most
    /// weeks at zero, 4 × 13 weeks score the candidates too noisily to tell them apart.
    /// </summary>
    public int IntermittentBacktestOrigins { get; init; } = 8;

    public int MinimumTrainingWeeks { get; init; } = 13;

    /// <summary>
    /// When at least this many of the origins keep two whole seasons of training (what Holt-Winters
    /// needs), only those origins are used: every candidate, Holt-Winters included, is scored on
    /// the same ones. With fewer, the origins go back to <see cref="MinimumTrainingWeeks"/> and
    /// Holt-Winters does not compete.
    /// </summary>
    public int MinimumSeasonalOrigins { get; init; } = 3;

    /// <summary>Average demand interval above which a series is intermittent (Syntetos–Boylan cut-off).</summary>
    public double IntermittentAdi { get; init; } = 1.32;

    /// <summary>How much lower than SES's a method's mean backtest MASE must be for it to be chosen instead.</summary>
    public double RequiredImprovement { get; init; } = 0.05;

    /// <summary>
    /// The share of the backtest weeks (ties left out) in which a method must have the smaller
    /// absolute error than SES for it to be chosen instead: a win in the mean that one lucky origin
    /// made is not a win.
    /// </summary>
    public double RequiredWeekShare { get; init; } = 0.6;

    public static ForecastSettings Default { get; } = new();
}

/// <summary>The rolling-origin score of the chosen method and of seasonal naive (mean MASE over the origins).</summary>
public sealed record BacktestScore(double Mase, double MaseSeasonalNaive, int Origins, IReadOnlyDictionary<string, double> MaseByMethod);

public sealed record ForecastOutcome(MethodForecast Forecast, BacktestScore? Backtest, bool Intermittent);

/// <summary>Chooses a method per series by rolling-origin MASE and forecasts with it. Pure: no database.</summary>
public static class Forecaster
{
    public static readonly ForecastMethod SeasonalNaive = new SeasonalNaive();
    public static readonly ForecastMethod Ses = new SimpleExponentialSmoothing();
    public static readonly ForecastMethod MovingAverage13 = new MovingAverage(13);
    public static readonly ForecastMethod DampedHolt = new DampedHolt();
    public static readonly ForecastMethod HoltWintersAdditive = new HoltWinters(multiplicative: false);
    public static readonly ForecastMethod HoltWintersMultiplicative = new HoltWinters(multiplicative: true);
    public static readonly ForecastMethod Croston = new Croston(sba: false);
    public static readonly ForecastMethod Sba = new Croston(sba: true);
    public static readonly ForecastMethod Tsb = new Tsb();

    /// <summary>
    /// Every method that competes, the reference (SES) first, then simplest first: a tie in backtest
    /// error goes to the simpler one. The 13-week moving average is the fallback for a history too
    /// short to backtest, and a reference in the accuracy tests, not a candidate.
    /// </summary>
    public static readonly IReadOnlyList<ForecastMethod> All =
        [Ses, SeasonalNaive, Croston, Sba, Tsb, DampedHolt, HoltWintersAdditive, HoltWintersMultiplicative];

    private static readonly HashSet<ForecastMethod> IntermittentOnly = [Croston, Sba, Tsb];

    private static readonly HashSet<ForecastMethod> LevelOnly = [Ses, Croston, Sba, Tsb];

    /// <summary>
    /// Methods that may compete on this history: SES always (the reference), seasonal naive only
    /// from one whole season, Holt-Winters from two; Croston's family only on intermittent demand,
    /// where the competition is between level methods only (SES and the family): with most weeks at
    /// zero, a trend or a season found in the backtest is noise, and choosing it costs more than it wins.
    /// </summary>
    public static IReadOnlyList<ForecastMethod> Candidates(double[] history, int seasonLength, bool intermittent) =>
        [.. All.Where(m => (intermittent ? LevelOnly.Contains(m) : !IntermittentOnly.Contains(m))
            && (m != SeasonalNaive || history.Length >= seasonLength)
            && m.AppliesTo(history, seasonLength))];

    public static ForecastOutcome Forecast(WeeklySeries series, int horizon, ForecastSettings? settings = null)
    {
        settings ??= ForecastSettings.Default;
        var y = series.Units;
        var m = series.SeasonLength;
        var intermittent = series.AverageDemandInterval > settings.IntermittentAdi;
        var origins = Origins(y.Length, m, intermittent, settings);
        if (origins.Count == 0)
        {
            // Too short to test anything on held-out weeks: the mean of what there is, or SES from 8 weeks.
            var fallback = y.Length >= 8 ? Ses : MovingAverage13;
            return new ForecastOutcome(fallback.Fit(y, m, horizon), null, intermittent);
        }

        // Scored at every origin (the same origins for all), so a candidate must fit on the shortest training window.
        var candidates = Candidates(y[..origins.Min()], m, intermittent);
        var errors = candidates.ToDictionary(c => c, c => ScaledErrors(c, y, m, origins, settings.BacktestHorizon));
        var scores = candidates.ToDictionary(c => c.Name, c => errors[c].Average());
        var chosen = Choose(candidates, errors, settings);
        var seasonalNaive = scores.TryGetValue(SeasonalNaive.Name, out var s) ? s : MeanMase(SeasonalNaive, y, m, origins, settings.BacktestHorizon);
        return new ForecastOutcome(
            chosen.Fit(y, m, horizon),
            new BacktestScore(scores[chosen.Name], seasonalNaive, origins.Count, scores),
            intermittent);
    }

    /// <summary>
    /// SES, unless another candidate's mean backtest MASE is at least <see cref="ForecastSettings.RequiredImprovement"/>
    /// lower and it has the smaller error in at least <see cref="ForecastSettings.RequiredWeekShare"/> of
    /// the backtest weeks where the two differ; of those, the lowest mean MASE (the simpler on a tie).
    /// </summary>
    internal static ForecastMethod Choose(IReadOnlyList<ForecastMethod> candidates, IReadOnlyDictionary<ForecastMethod, double[]> errors, ForecastSettings settings)
    {
        if (!errors.TryGetValue(Ses, out var reference))
        {
            return candidates.MinBy(c => errors[c].Average())!;
        }

        var chosen = Ses;
        var best = reference.Average();
        var bound = (1 - settings.RequiredImprovement) * best;
        foreach (var candidate in candidates)
        {
            var e = errors[candidate];
            var mean = e.Average();
            if (candidate == Ses || mean > bound || mean >= best)
            {
                continue;
            }

            int wins = 0, losses = 0;
            for (var i = 0; i < e.Length; i++)
            {
                wins += e[i] < reference[i] ? 1 : 0;
                losses += e[i] > reference[i] ? 1 : 0;
            }

            if (wins > 0 && wins >= settings.RequiredWeekShare * (wins + losses))
            {
                chosen = candidate;
                best = mean;
            }
        }

        return chosen;
    }

    /// <summary>
    /// Training lengths of the rolling origins, latest first: 8 for an intermittent series, else 4;
    /// when at least <see cref="ForecastSettings.MinimumSeasonalOrigins"/> of them keep two whole
    /// seasons, only those (so Holt-Winters competes, on the same origins as every other method).
    /// </summary>
    public static IReadOnlyList<int> Origins(int length, int seasonLength, bool intermittent, ForecastSettings settings)
    {
        var count = intermittent ? settings.IntermittentBacktestOrigins : settings.BacktestOrigins;
        if (!intermittent && seasonLength >= 2 && settings.MinimumSeasonalOrigins > 0)
        {
            var seasonal = Origins(length, settings with { MinimumTrainingWeeks = Math.Max(settings.MinimumTrainingWeeks, 2 * seasonLength) }, count);
            if (seasonal.Count >= settings.MinimumSeasonalOrigins)
            {
                return seasonal;
            }
        }

        return Origins(length, settings, count);
    }

    /// <summary>Training lengths of the rolling origins, latest first.</summary>
    public static IReadOnlyList<int> Origins(int length, ForecastSettings settings, int count)
    {
        var origins = new List<int>();
        for (var k = 1; k <= count; k++)
        {
            var origin = length - k * settings.BacktestHorizon;
            if (origin < settings.MinimumTrainingWeeks)
            {
                break;
            }

            origins.Add(origin);
        }

        return origins;
    }

    /// <summary>Mean over the origins of the MASE of <paramref name="method"/> fitted on the weeks before each origin.</summary>
    public static double MeanMase(ForecastMethod method, double[] y, int seasonLength, IReadOnlyList<int> origins, int horizon) =>
        ScaledErrors(method, y, seasonLength, origins, horizon).Average();

    /// <summary>
    /// |actual − forecast| ÷ <see cref="Mase.Scale"/> of each backtest week, origin after origin, of
    /// <paramref name="method"/> fitted on the weeks before each origin. Every origin scores the same
    /// number of weeks (the horizon), so their mean is the mean over the origins of their MASE.
    /// </summary>
    public static double[] ScaledErrors(ForecastMethod method, double[] y, int seasonLength, IReadOnlyList<int> origins, int horizon)
    {
        var errors = new List<double>(origins.Count * horizon);
        foreach (var origin in origins)
        {
            var train = y[..origin];
            var actual = y.AsSpan(origin, Math.Min(horizon, y.Length - origin));
            var forecast = method.Fit(train, seasonLength, actual.Length);
            var scale = Mase.Scale(train, seasonLength);
            for (var h = 0; h < actual.Length; h++)
            {
                errors.Add(Math.Abs(actual[h] - forecast.Mean[h]) / scale);
            }
        }

        return [.. errors];
    }
}

/// <summary>Mean absolute scaled error (Hyndman &amp; Koehler 2006).</summary>
public static class Mase
{
    /// <summary>Mean |actual − forecast| divided by <see cref="Scale"/> of the training weeks.</summary>
    public static double Of(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, ReadOnlySpan<double> train, int seasonLength)
    {
        var error = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            error += Math.Abs(actual[i] - forecast[i]);
        }

        return error / actual.Length / Scale(train, seasonLength);
    }

    /// <summary>
    /// In-sample mean absolute error of seasonal naive (lag m) when the training has two whole seasons,
    /// else of naive (lag 1). A flat series has none: then the mean absolute demand, then 1, so the
    /// ratio stays finite.
    /// </summary>
    public static double Scale(ReadOnlySpan<double> train, int seasonLength)
    {
        if (train.Length >= 2 * seasonLength && MeanAbsDiff(train, seasonLength) is > 0 and var seasonal)
        {
            return seasonal;
        }

        if (train.Length >= 2 && MeanAbsDiff(train, 1) is > 0 and var naive)
        {
            return naive;
        }

        var level = 0.0;
        foreach (var value in train)
        {
            level += Math.Abs(value);
        }

        return level > 0 ? level / train.Length : 1;
    }

    private static double MeanAbsDiff(ReadOnlySpan<double> y, int lag)
    {
        var sum = 0.0;
        for (var t = lag; t < y.Length; t++)
        {
            sum += Math.Abs(y[t] - y[t - lag]);
        }

        return sum / (y.Length - lag);
    }
}

/// <summary>
/// Root mean squared scaled error, the M5 competition's measure (Makridakis et al. 2022): the
/// held-out mean squared error divided by the training's mean squared one-step (naive) difference,
/// square-rooted. Unlike MASE, whose best point forecast is the median (zero for most weeks of a
/// slow seller), it is minimised by the mean, which is what replenishment plans with.
/// </summary>
public static class Rmsse
{
    public static double Of(ReadOnlySpan<double> actual, ReadOnlySpan<double> forecast, ReadOnlySpan<double> train)
    {
        var error = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            error += (actual[i] - forecast[i]) * (actual[i] - forecast[i]);
        }

        return Math.Sqrt(error / actual.Length / Scale(train));
    }

    /// <summary>Mean squared one-step difference of the training; a flat training falls back to its mean square, then 1.</summary>
    public static double Scale(ReadOnlySpan<double> train)
    {
        var sum = 0.0;
        for (var t = 1; t < train.Length; t++)
        {
            sum += (train[t] - train[t - 1]) * (train[t] - train[t - 1]);
        }

        if (train.Length >= 2 && sum > 0)
        {
            return sum / (train.Length - 1);
        }

        var squares = 0.0;
        foreach (var value in train)
        {
            squares += value * value;
        }

        return squares > 0 ? squares / train.Length : 1;
    }
}

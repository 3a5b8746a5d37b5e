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

    /// <summary>Average demand interval above which a series is intermittent (Syntetos–Boylan cut-off).</summary>
    public double IntermittentAdi { get; init; } = 1.32;

    /// <summary>How much lower than the SES/MA13 mean's a method's backtest MASE must be for it to be chosen instead.</summary>
    public double RequiredImprovement { get; init; } = 0.05;

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
    public static readonly ForecastMethod LevelCombination = new LevelCombination();

    /// <summary>Every method, simplest first: a tie in backtest error goes to the simpler one.</summary>
    public static readonly IReadOnlyList<ForecastMethod> All =
        [SeasonalNaive, MovingAverage13, Ses, LevelCombination, Croston, Sba, Tsb, DampedHolt, HoltWintersAdditive, HoltWintersMultiplicative];

    private static readonly HashSet<ForecastMethod> IntermittentOnly = [Croston, Sba, Tsb];

    private static readonly HashSet<ForecastMethod> LevelOnly = [MovingAverage13, Ses, LevelCombination, Croston, Sba, Tsb];

    /// <summary>
    /// Methods that may compete on this history: seasonal naive only from one whole season,
    /// Holt-Winters from two; Croston's family only on intermittent demand, where the competition is
    /// between level methods only (SES, MA13 and the family): with most weeks at zero, a trend or a
    /// season found in four backtest origins is noise, and choosing it costs more than it wins.
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
        var origins = Origins(y.Length, settings, intermittent ? settings.IntermittentBacktestOrigins : settings.BacktestOrigins);
        if (origins.Count == 0)
        {
            // Too short to test anything on held-out weeks: the mean of what there is, or SES from 8 weeks.
            var fallback = y.Length >= 8 ? Ses : MovingAverage13;
            return new ForecastOutcome(fallback.Fit(y, m, horizon), null, intermittent);
        }

        // Scored at every origin, so a candidate must fit on the shortest training window.
        var candidates = Candidates(y[..origins.Min()], m, intermittent);
        var scores = new Dictionary<string, double>();
        foreach (var method in candidates)
        {
            scores[method.Name] = MeanMase(method, y, m, origins, settings.BacktestHorizon);
        }

        var chosen = candidates.MinBy(c => scores[c.Name])!;

        // Parsimony: a small backtest win over the simple level forecast is mostly noise of 4 origins.
        if (scores.TryGetValue(LevelCombination.Name, out var level) && scores[chosen.Name] > (1 - settings.RequiredImprovement) * level)
        {
            chosen = LevelCombination;
        }

        var seasonalNaive = scores.TryGetValue(SeasonalNaive.Name, out var s) ? s : MeanMase(SeasonalNaive, y, m, origins, settings.BacktestHorizon);
        return new ForecastOutcome(
            chosen.Fit(y, m, horizon),
            new BacktestScore(scores[chosen.Name], seasonalNaive, origins.Count, scores),
            intermittent);
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
    public static double MeanMase(ForecastMethod method, double[] y, int seasonLength, IReadOnlyList<int> origins, int horizon)
    {
        var total = 0.0;
        foreach (var origin in origins)
        {
            var train = y[..origin];
            var actual = y.AsSpan(origin, Math.Min(horizon, y.Length - origin));
            var forecast = method.Fit(train, seasonLength, actual.Length);
            total += Mase.Of(actual, forecast.Mean, train, seasonLength);
        }

        return total / origins.Count;
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

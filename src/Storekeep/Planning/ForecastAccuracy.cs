using Storekeep.Planning.Forecasting;
using Storekeep.Shared;

namespace Storekeep.Planning;

/// <summary>Mean MASE over the SKUs scored, on the held-out weeks.</summary>
public sealed record ForecastAccuracyMase(double Chosen, double SeasonalNaive, double Ses, double MovingAverage13);

/// <summary>The chosen forecast ÷ each reference (mean MASE over mean MASE).</summary>
public sealed record ForecastAccuracyRatios(double? ChosenToSeasonalNaive, double? ChosenToSes, double? ChosenToMovingAverage13, double? ChosenToBetterOfSesAndMovingAverage13);

/// <summary>
/// Mean RMSSE over the SKUs scored (M5's measure, minimised by the mean rather than the median), and
/// the chosen forecast ÷ seasonal naive and ÷ the better of SES and MA13 on it. Reported beside the
/// MASE targets, not instead of them.
/// </summary>
public sealed record ForecastAccuracyRmsse(double Chosen, double SeasonalNaive, double Ses, double MovingAverage13, double? ChosenToSeasonalNaive, double? ChosenToBetterOfSesAndMovingAverage13);

/// <summary>How many SKUs' own held-out MASE meets each comparison.</summary>
public sealed record ForecastAccuracyCounts(
    int BeatSeasonalNaiveByTenPercent,
    int NoWorseThanSeasonalNaive,
    int NoWorseThanSes,
    int NoWorseThanMovingAverage13,
    int NoWorseThanSesAndMovingAverage13);

/// <summary>How many SKUs' forecast each method made.</summary>
public sealed record ForecastMethodCount(string Method, int Skus);

/// <param name="HeldOutFrom">The first held-out week (a Monday) of the earliest origin.</param>
/// <param name="HeldOutThrough">The last held-out week (a Monday): the last whole week before asOf.</param>
/// <param name="HeldOutWeeks">13: the horizon scored after each origin.</param>
/// <param name="Skus">SKUs scored: at least <see cref="ForecastAccuracy.MinimumTrainingWeeks"/> weeks before one origin's held-out weeks.</param>
/// <param name="SkippedSkus">SKUs with demand but too little history before every origin.</param>
/// <param name="Mase">Mean over the SKUs scored of each SKU's mean MASE over its origins; empty when there are none.</param>
/// <param name="MeetsSeasonalNaiveTarget">Chosen ≤ 0.9 × seasonal naive (means over the SKUs).</param>
/// <param name="MeetsSimpleTarget">Chosen ≤ the better of SES and MA13 (means over the SKUs).</param>
/// <param name="Methods">SKUs per method chosen at the latest origin.</param>
/// <param name="Rmsse">The same forecasts scored by RMSSE; empty when no SKU is scored.</param>
/// <param name="Origins">Rolling origins: origin k holds out the 13 weeks that end 13 × (k − 1) weeks before asOf's week.</param>
/// <param name="Forecasts">Forecasts scored: one per SKU and origin with enough weeks before it.</param>
public sealed record ForecastAccuracyReport(
    DateOnly HeldOutFrom,
    DateOnly HeldOutThrough,
    int HeldOutWeeks,
    int Skus,
    int SkippedSkus,
    ForecastAccuracyMase? Mase,
    ForecastAccuracyRatios? Ratios,
    bool? MeetsSeasonalNaiveTarget,
    bool? MeetsSimpleTarget,
    ForecastAccuracyCounts Counts,
    IReadOnlyList<ForecastMethodCount> Methods,
    ForecastAccuracyRmsse? Rmsse,
    int Origins,
    int Forecasts);

/// <summary>
/// Forecast accuracy on the store's own history (docs/planning.md, "Accuracy on the store's
/// history"), by rolling origins: for each origin, per SKU, the 13 weeks after it are held out,
/// the method is chosen on the weeks before it exactly as the forecast does, and the chosen
/// forecast, seasonal naive, SES and the 13-week moving average are scored by MASE on the held-out
/// weeks. A SKU's figure is its mean over the origins it has enough history for; the report's is
/// the mean over the SKUs.
/// </summary>
public sealed class ForecastAccuracy(DemandHistory history, ForecastCache cache, TimeProvider clock)
{
    public const int HeldOutWeeks = 13;

    /// <summary>Four origins hold out the last 52 weeks: every season of a year is scored once, and one lucky or unlucky quarter does not decide the figure.</summary>
    public const int DefaultOrigins = 4;

    public const int MaximumOrigins = 8;

    public const string InvalidOriginsCode = "invalid_origins";

    /// <summary>Training weeks a SKU needs before an origin: with fewer there is no rolling origin inside them, so no choice is made.</summary>
    public const int MinimumTrainingWeeks = 26;

    /// <summary>The first target: the chosen method's MASE at most this share of seasonal naive's.</summary>
    public const double SeasonalNaiveTarget = 0.9;

    public async Task<ForecastAccuracyReport> ReportAsync(DateOnly? asOf, int? origins, CancellationToken ct)
    {
        var originCount = origins ?? DefaultOrigins;
        if (originCount is < 1 or > MaximumOrigins)
        {
            throw Errors.BadRequest(InvalidOriginsCode, $"origins must be a whole number from 1 to {MaximumOrigins}.");
        }

        var cutoff = DemandHistory.WeekStart(asOf ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var lastWeek = cutoff.AddDays(-7);
        var heldOutFrom = cutoff.AddDays(-7 * HeldOutWeeks * originCount);
        var daily = await history.DailyAsync(false, null, null, null, cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), ct);
        var weekly = DemandHistory.Weekly(daily, null, lastWeek);

        var keys = weekly.Keys.Order(StringComparer.Ordinal).ToList();
        var eligible = keys.Where(k => weekly[k].Count - HeldOutWeeks >= MinimumTrainingWeeks).ToList();
        var scores = new SkuScore[eligible.Count];
        Parallel.For(0, eligible.Count, new ParallelOptions { CancellationToken = ct }, i => scores[i] = Score(eligible[i], weekly[eligible[i]], originCount));

        var counts = new ForecastAccuracyCounts(
            scores.Count(s => s.Chosen <= SeasonalNaiveTarget * s.SeasonalNaive),
            scores.Count(s => s.Chosen <= s.SeasonalNaive),
            scores.Count(s => s.Chosen <= s.Ses),
            scores.Count(s => s.Chosen <= s.MovingAverage13),
            scores.Count(s => s.Chosen <= Math.Min(s.Ses, s.MovingAverage13)));
        var methods = scores.GroupBy(s => s.Method, StringComparer.Ordinal)
            .Select(g => new ForecastMethodCount(g.Key, g.Count()))
            .OrderByDescending(m => m.Skus).ThenBy(m => m.Method, StringComparer.Ordinal)
            .ToList();
        var forecasts = scores.Sum(s => s.Origins);
        if (scores.Length == 0)
        {
            return new ForecastAccuracyReport(heldOutFrom, lastWeek, HeldOutWeeks, 0, keys.Count, null, null, null, null, counts, methods, null, originCount, 0);
        }

        var chosen = scores.Average(s => s.Chosen);
        var naive = scores.Average(s => s.SeasonalNaive);
        var ses = scores.Average(s => s.Ses);
        var ma = scores.Average(s => s.MovingAverage13);
        var better = Math.Min(ses, ma);
        double rChosen = scores.Average(s => s.Rmsse.Chosen), rNaive = scores.Average(s => s.Rmsse.SeasonalNaive),
            rSes = scores.Average(s => s.Rmsse.Ses), rMa = scores.Average(s => s.Rmsse.MovingAverage13);
        var rmsse = new ForecastAccuracyRmsse(Round(rChosen), Round(rNaive), Round(rSes), Round(rMa), Ratio(rChosen, rNaive), Ratio(rChosen, Math.Min(rSes, rMa)));
        return new ForecastAccuracyReport(
            heldOutFrom, lastWeek, HeldOutWeeks, scores.Length, keys.Count - scores.Length,
            new ForecastAccuracyMase(Round(chosen), Round(naive), Round(ses), Round(ma)),
            new ForecastAccuracyRatios(Ratio(chosen, naive), Ratio(chosen, ses), Ratio(chosen, ma), Ratio(chosen, better)),
            chosen <= SeasonalNaiveTarget * naive,
            chosen <= better,
            counts,
            methods,
            rmsse,
            originCount,
            forecasts);
    }

    /// <summary>A SKU's means over its origins; <see cref="Method"/> is the latest origin's choice.</summary>
    private sealed record SkuScore(string Method, int Origins, double Chosen, double SeasonalNaive, double Ses, double MovingAverage13, SkuRmsse Rmsse);

    private sealed record SkuRmsse(double Chosen, double SeasonalNaive, double Ses, double MovingAverage13);

    private SkuScore Score(string sku, List<WeekUnits> weeks, int originCount)
    {
        var scored = new List<SkuScore>();
        // Origin 1 holds out the latest 13 weeks; origin k the 13 before origin k − 1's.
        for (var k = 1; k <= originCount && weeks.Count - (HeldOutWeeks * k) >= MinimumTrainingWeeks; k++)
        {
            var origin = weeks.Count - (HeldOutWeeks * k);
            var training = weeks.Take(origin).ToList();
            var train = training.Select(w => w.Units).ToArray();
            var actual = weeks.Skip(origin).Take(HeldOutWeeks).Select(w => w.Units).ToArray();
            var m = new WeeklySeries(train).SeasonLength;
            // The same choice GET /planning/forecast makes from this history (and the same cache).
            var outcome = cache.Forecast(sku, training, HeldOutWeeks).Forecast;
            double Of(double[] forecast) => Forecasting.Mase.Of(actual, forecast, train, m);
            double R(double[] forecast) => Forecasting.Rmsse.Of(actual, forecast, train);
            var (naive, ses, ma) = (Forecaster.SeasonalNaive.Fit(train, m, HeldOutWeeks).Mean, Forecaster.Ses.Fit(train, m, HeldOutWeeks).Mean, Forecaster.MovingAverage13.Fit(train, m, HeldOutWeeks).Mean);
            scored.Add(new SkuScore(outcome.Method, 1, Of(outcome.Mean), Of(naive), Of(ses), Of(ma), new SkuRmsse(R(outcome.Mean), R(naive), R(ses), R(ma))));
        }

        return new SkuScore(
            scored[0].Method,
            scored.Count,
            scored.Average(s => s.Chosen),
            scored.Average(s => s.SeasonalNaive),
            scored.Average(s => s.Ses),
            scored.Average(s => s.MovingAverage13),
            new SkuRmsse(scored.Average(s => s.Rmsse.Chosen), scored.Average(s => s.Rmsse.SeasonalNaive), scored.Average(s => s.Rmsse.Ses), scored.Average(s => s.Rmsse.MovingAverage13)));
    }

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    private static double? Ratio(double a, double b) => b > 0 ? Round(a / b) : null;
}

using Storekeep.Planning.Forecasting;

namespace Storekeep.Tests.Planning;

/// <summary>
/// Forecast accuracy on weeks the forecaster never saw: 208 weeks are generated, and at each outer
/// rolling origin (156, 169, 182, 195 weeks; horizon 13) the forecaster chooses its method from the
/// history before the origin only (its own inner rolling origins), exactly as <c>asOf</c> does.
/// The chosen forecast and the reference methods are scored by MASE against the held-out 13 weeks.
/// </summary>
public sealed class ForecastAccuracyTests
{
    private const int Weeks = 208;
    private static readonly int[] OuterOrigins = [156, 169, 182, 195];

    public sealed record Score(double Chosen, double SeasonalNaive, double Ses, double MovingAverage13, string Methods);

    public static Score Evaluate(double[] y)
    {
        double chosen = 0, naive = 0, ses = 0, ma = 0;
        var methods = new List<string>();
        foreach (var origin in OuterOrigins)
        {
            var train = y[..origin];
            var actual = y.AsSpan(origin, 13);
            var outcome = Forecaster.Forecast(new WeeklySeries(train), 13);
            methods.Add(outcome.Forecast.Method);
            chosen += Mase.Of(actual, outcome.Forecast.Mean, train, 52);
            naive += Mase.Of(actual, Forecaster.SeasonalNaive.Fit(train, 52, 13).Mean, train, 52);
            ses += Mase.Of(actual, Forecaster.Ses.Fit(train, 52, 13).Mean, train, 52);
            ma += Mase.Of(actual, Forecaster.MovingAverage13.Fit(train, 52, 13).Mean, train, 52);
        }

        var k = OuterOrigins.Length;
        return new Score(chosen / k, naive / k, ses / k, ma / k, string.Join(",", methods));
    }

    private static List<Score> EvaluateKind(SyntheticDemand.Kind kind, int series)
    {
        var scores = new List<Score>();
        for (var seed = 1; seed <= series; seed++)
        {
            var score = Evaluate(SyntheticDemand.Generate(kind, Weeks, seed * 7919 + (int)kind));
            TestContext.Current.TestOutputHelper?.WriteLine($"{kind} seed {seed}: chosen {score.Chosen:F3} ({score.Methods}) snaive {score.SeasonalNaive:F3} ses {score.Ses:F3} ma13 {score.MovingAverage13:F3}");
            scores.Add(score);
        }

        return scores;
    }

    [Fact]
    public void Seasonal_and_trending_series_beat_seasonal_naive_by_ten_percent_each()
    {
        foreach (var score in EvaluateKind(SyntheticDemand.Kind.SeasonalTrend, 6).Concat(EvaluateKind(SyntheticDemand.Kind.SeasonalMultiplicative, 4)))
        {
            Assert.True(score.Chosen <= 0.9 * score.SeasonalNaive, $"chosen {score.Chosen:F3} vs seasonal naive {score.SeasonalNaive:F3} ({score.Methods})");
            Assert.True(score.Chosen <= Math.Min(score.Ses, score.MovingAverage13), $"chosen {score.Chosen:F3} vs SES {score.Ses:F3}, MA13 {score.MovingAverage13:F3}");
        }
    }

    [Fact]
    public void Over_the_whole_mix_the_chosen_forecast_beats_seasonal_naive_by_ten_percent_and_is_no_worse_than_ses_or_ma13()
    {
        var scores = Enum.GetValues<SyntheticDemand.Kind>().SelectMany(kind => EvaluateKind(kind, 6)).ToList();
        var chosen = scores.Average(s => s.Chosen);
        var naive = scores.Average(s => s.SeasonalNaive);
        var ses = scores.Average(s => s.Ses);
        var ma = scores.Average(s => s.MovingAverage13);
        TestContext.Current.TestOutputHelper?.WriteLine($"all kinds: mean chosen {chosen:F3}, seasonal naive {naive:F3}, SES {ses:F3}, MA13 {ma:F3}");
        Assert.True(chosen <= 0.9 * naive, $"chosen {chosen:F3} vs seasonal naive {naive:F3}");
        Assert.True(chosen <= Math.Min(ses, ma), $"chosen {chosen:F3} vs SES {ses:F3}, MA13 {ma:F3}");
    }

    [Theory]
    [InlineData(SyntheticDemand.Kind.Trend)]
    [InlineData(SyntheticDemand.Kind.Level)]
    [InlineData(SyntheticDemand.Kind.Intermittent)]
    public void Each_kind_beats_seasonal_naive_and_matches_the_better_of_ses_and_ma13_on_average(SyntheticDemand.Kind kind)
    {
        // Per kind, the mean over 16 series. On pure noise (level, intermittent) the choice among
        // near-equal methods costs up to ~1.3% against the better of SES and MA13 picked after the
        // fact (measured 0.714 vs 0.712 and 0.792 vs 0.782): per kind the bound is 2%, strict only
        // over the whole mix (next test).
        var scores = EvaluateKind(kind, 16);
        var chosen = scores.Average(s => s.Chosen);
        var naive = scores.Average(s => s.SeasonalNaive);
        var betterSimple = Math.Min(scores.Average(s => s.Ses), scores.Average(s => s.MovingAverage13));
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: mean chosen {chosen:F3}, seasonal naive {naive:F3}, better of SES/MA13 {betterSimple:F3}");
        Assert.True(chosen <= 0.9 * naive, $"chosen {chosen:F3} vs seasonal naive {naive:F3}");
        Assert.True(chosen <= betterSimple * 1.02, $"chosen {chosen:F3} vs better of SES and MA13 {betterSimple:F3}");
    }
}

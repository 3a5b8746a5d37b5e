using Storekeep.Experiments;

namespace Storekeep.Tests.Experiments;

/// <summary>
/// The statistics against values computed independently: with Python's mpmath at 30 digits (no
/// scipy on the build machine), from the textbook formulas written out again, not from this code.
/// Normal tail = erfc(−x/√2)/2; Student's t tail = I_{ν/(ν+t²)}(ν/2, 1/2)/2 (regularized incomplete
/// beta, mpmath.betainc); quantiles by mpmath.findroot on those; chi-squared upper tail =
/// Γ(k/2, χ²/2)/Γ(k/2) (mpmath.gammainc regularized). The Welch sample is listed below and its
/// mean and variance were computed from the raw values, not from the sums this code uses.
/// </summary>
public sealed class ExperimentStatisticsTests
{
    private static void Near(double expected, double? actual, double tolerance)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual!.Value) <= tolerance, $"expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void Conversion_uses_the_pooled_two_proportion_test_a_wald_interval_and_beta_posteriors()
    {
        var control = new VariantTally("control", 1, 10_000, 500, 0, 0);
        var treatment = new VariantTally("treatment", 1, 10_000, 560, 0, 0);
        var c = ExperimentStatistics.TwoProportion(control, treatment);

        // mpmath: z = 1.89375297563567548…, p = 0.05825780603351614…
        Near(0.006, c.Difference, 1e-15);
        Near(0.12, c.Uplift, 1e-12);
        Near(1.89375297563567548, c.TestStatistic, 1e-12);
        Near(0.0582578060335161419, c.PValue, 1e-12);
        // Difference ± 1.959963984540054 × √(p̂c(1−p̂c)/nc + p̂t(1−p̂t)/nt)
        Near(-0.000209220346228222377, c.ConfidenceInterval95![0], 1e-12);
        Near(0.0122092203462282224, c.ConfidenceInterval95[1], 1e-12);
        // Φ((E[Beta(561, 9441)] − E[Beta(501, 9501)]) / √(Var + Var))
        Near(0.970775963973888073, c.ChanceToBeatControl, 1e-12);
    }

    private static readonly double[] ControlRevenue = [.. Enumerable.Repeat(0.0, 40), 25, 40, 60, 12.5, 80, 33, 0, 45, 20, 99.99];
    private static readonly double[] TreatmentRevenue = [.. Enumerable.Repeat(0.0, 35), 30, 55, 70, 15, 90, 42, 18, 65, 25, 110, 38.5, 0, 47, 22, 61];

    private static VariantTally Tally(string key, double[] revenue) =>
        new(key, 1, revenue.Length, revenue.Count(r => r > 0), revenue.Sum(), revenue.Sum(r => r * r));

    [Fact]
    public void Revenue_per_visitor_uses_welchs_t_test_with_welch_satterthwaite_degrees_of_freedom()
    {
        var control = Tally("control", ControlRevenue);
        var treatment = Tally("treatment", TreatmentRevenue);
        Assert.Equal((415.49, 25893.2501), (control.RevenueSum, Math.Round(control.RevenueSumOfSquares, 6)));
        Assert.Equal((688.5, 44084.25), (treatment.RevenueSum, treatment.RevenueSumOfSquares));

        var w = ExperimentStatistics.Welch(control, treatment);
        // mpmath: t = 1.13158135719585091, ν = 93.7383757801820552, p = 0.260697069050777664,
        // t(0.975; ν) = 1.98559568986954988, interval −4.12086062536452415 … 15.0412606253645241.
        Near(1.13158135719585091, w.TestStatistic, 1e-9);
        Near(93.7383757801820552, w.DegreesOfFreedom, 1e-7);
        Near(0.260697069050777664, w.PValue, 1e-9);
        Near(-4.12086062536452415, w.ConfidenceInterval95![0], 1e-7);
        Near(15.0412606253645241, w.ConfidenceInterval95[1], 1e-7);
        Near(0.657079592769982430, w.Uplift, 1e-12);
        Near(0.871094759236291852, w.ChanceToBeatControl, 1e-9);
    }

    [Theory]
    [InlineData(new long[] { 5000, 5300 }, new double[] { 1, 1 }, 8.7378640776699029, 0.00311669383986686750, false)]
    [InlineData(new long[] { 5000, 5400 }, new double[] { 1, 1 }, 15.384615384615385, 0.0000876994237559023308, true)]
    [InlineData(new long[] { 980, 1010, 2150 }, new double[] { 1, 1, 2 }, 6.6183574879227053, 0.0365461751996920501, false)]
    [InlineData(new long[] { 1000, 1000, 2000 }, new double[] { 1, 1, 2 }, 0, 1, false)]
    public void Sample_ratio_mismatch_is_a_chi_squared_test_against_the_weights(long[] visitors, double[] weights, double chi, double p, bool flagged)
    {
        var tallies = visitors.Select((n, i) => new VariantTally(i == 0 ? "control" : $"v{i}", weights[i], n, 0, 0, 0)).ToList();
        var srm = ExperimentStatistics.SampleRatio(tallies);
        Near(chi, srm.ChiSquared, 1e-9);
        Near(p, srm.PValue, Math.Max(1e-15, p * 1e-9));
        Assert.Equal(visitors.Length - 1, srm.DegreesOfFreedom);
        Assert.Equal(flagged, srm.Flagged);
    }

    [Fact]
    public void Figures_without_enough_data_are_null_and_control_has_no_comparison()
    {
        var analysis = ExperimentStatistics.Analyze([
            new VariantTally("control", 1, 0, 0, 0, 0),
            new VariantTally("treatment", 1, 1, 1, 20, 400),
        ]);
        var control = analysis.Variants[0];
        var treatment = analysis.Variants[1];
        Assert.Null(control.Conversion);
        Assert.Null(control.RevenuePerVisitorTest);
        Assert.Null(treatment.Conversion!.PValue);
        Assert.Null(treatment.Conversion.Uplift); // control's rate is 0
        Assert.Null(treatment.RevenuePerVisitorTest!.PValue); // one visitor has no variance
        Assert.Equal((1.0, 20.0), (treatment.ConversionRate, treatment.RevenuePerVisitor));
        Assert.False(analysis.SampleRatioMismatch.Flagged);
        Assert.Throws<ArgumentException>(() => ExperimentStatistics.Analyze([new VariantTally("a", 1, 1, 0, 0, 0), new VariantTally("b", 1, 1, 0, 0, 0)]));
    }

    [Fact]
    public void Assignment_is_sticky_and_splits_by_weight()
    {
        var experiment = new Experiment { Name = "x", Kind = ExperimentKind.Storefront, Metric = ExperimentMetric.Conversion };
        experiment.Variants.Add(new ExperimentVariant { Key = "control", Weight = 3, Position = 0 });
        experiment.Variants.Add(new ExperimentVariant { Key = "treatment", Weight = 1, Position = 1 });
        var visitors = Enumerable.Range(0, 20_000).Select(i => i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var first = visitors.Select(v => ExperimentAssignment.Assign(experiment, v).Key).ToList();
        Assert.Equal(first, visitors.Select(v => ExperimentAssignment.Assign(experiment, v).Key));

        // 3:1 within sampling error (σ of the share ≈ 0.003 at n = 20,000), and no mismatch alarm.
        var treated = first.Count(k => k == "treatment");
        Assert.InRange(treated / 20_000.0, 0.24, 0.26);
        Assert.False(ExperimentStatistics.SampleRatio([
            new VariantTally("control", 3, 20_000 - treated, 0, 0, 0), new VariantTally("treatment", 1, treated, 0, 0, 0)]).Flagged);
    }
}

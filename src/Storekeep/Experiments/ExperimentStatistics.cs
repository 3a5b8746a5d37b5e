using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Storekeep.Experiments;

/// <summary>
/// One variant's raw counts, the input of <see cref="ExperimentStatistics"/>: visitors exposed,
/// visitors who converted, and the sum and sum of squares of revenue per visitor (a visitor without
/// an order contributes 0 to both). Any source can supply them: exposures and orders for storefront
/// and offer experiments, a campaign's sends and orders for campaign experiments.
/// </summary>
public sealed record VariantTally(string Key, double Weight, long Visitors, long Conversions, double RevenueSum, double RevenueSumOfSquares);

/// <summary>A variant compared with control on one metric. <see cref="ConfidenceInterval95"/> is on the absolute difference (variant − control).</summary>
public sealed record MetricComparison(
    double Difference,
    double? Uplift,
    double[]? ConfidenceInterval95,
    double? PValue,
    double? ChanceToBeatControl,
    double? TestStatistic,
    double? DegreesOfFreedom);

public sealed record VariantStatistics(
    string Key,
    double Weight,
    long Visitors,
    long Conversions,
    double ConversionRate,
    double Revenue,
    double RevenuePerVisitor,
    MetricComparison? Conversion,
    MetricComparison? RevenuePerVisitorTest);

/// <summary>Chi-squared goodness of fit of the visitor counts against the configured weights.</summary>
public sealed record SampleRatioCheck(double ChiSquared, int DegreesOfFreedom, double PValue, bool Flagged);

public sealed record ExperimentAnalysis(IReadOnlyList<VariantStatistics> Variants, SampleRatioCheck SampleRatioMismatch);

/// <summary>
/// The statistics of an experiment's results (docs/marketing.md, "Experiments"), pure: every
/// variant against <see cref="Experiment.ControlKey"/>.
/// <list type="bullet">
/// <item>Conversion: two-proportion z-test with the pooled proportion (two-sided p-value); 95% Wald
/// interval of the absolute difference of rates with unpooled variances; chance to beat control from
/// the Beta(1 + conversions, 1 + visitors − conversions) posteriors, normal approximation of their difference.</item>
/// <item>Revenue per visitor: Welch's t-test (Welch–Satterthwaite degrees of freedom, two-sided
/// p-value from Student's t); 95% interval of the absolute difference of means with the t quantile;
/// chance to beat control Φ(difference / standard error).</item>
/// <item>Uplift: (variant − control) / control of the metric; null when control's is 0.</item>
/// <item>Sample-ratio mismatch: Pearson chi-squared against the weights, df = variants − 1,
/// flagged when p &lt; <see cref="SampleRatioAlarm"/>.</item>
/// </list>
/// Figures that need more data than there is (fewer than 2 visitors in a variant, no variance) are null.
/// </summary>
public static class ExperimentStatistics
{
    public const double SampleRatioAlarm = 0.001;

    /// <summary>The 97.5% quantile of the standard normal distribution.</summary>
    public static readonly double Z975 = Normal.InvCDF(0, 1, 0.975);

    public static ExperimentAnalysis Analyze(IReadOnlyList<VariantTally> tallies, string controlKey = Experiment.ControlKey)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        var control = tallies.FirstOrDefault(t => t.Key == controlKey)
            ?? throw new ArgumentException($"No variant is named '{controlKey}'.", nameof(tallies));
        var variants = tallies.Select(t => new VariantStatistics(
            t.Key, t.Weight, t.Visitors, t.Conversions, Rate(t.Conversions, t.Visitors), t.RevenueSum, Mean(t.RevenueSum, t.Visitors),
            t.Key == controlKey ? null : TwoProportion(control, t),
            t.Key == controlKey ? null : Welch(control, t))).ToList();
        return new ExperimentAnalysis(variants, SampleRatio(tallies));
    }

    private static double Rate(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static double Mean(double sum, long n) => n == 0 ? 0 : sum / n;

    private static double? Uplift(double variant, double control) => control == 0 ? null : (variant - control) / control;

    /// <summary>Two-sided p-value of a standard normal statistic, computed in the tail (no 1 − x cancellation).</summary>
    private static double NormalTwoSided(double z) => Math.Min(1, 2 * Normal.CDF(0, 1, -Math.Abs(z)));

    public static MetricComparison TwoProportion(VariantTally control, VariantTally variant)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variant);
        var (nc, nv) = ((double)control.Visitors, (double)variant.Visitors);
        var pc = Rate(control.Conversions, control.Visitors);
        var pv = Rate(variant.Conversions, variant.Visitors);
        var difference = pv - pc;
        if (nc == 0 || nv == 0)
        {
            return new MetricComparison(difference, Uplift(pv, pc), null, null, null, null, null);
        }

        var pooled = (control.Conversions + variant.Conversions) / (nc + nv);
        var pooledSe = Math.Sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nv));
        double? z = pooledSe > 0 ? difference / pooledSe : null;
        double? p = z is { } zz ? NormalTwoSided(zz) : difference == 0 ? 1 : null;

        var se = Math.Sqrt(pc * (1 - pc) / nc + pv * (1 - pv) / nv);
        double[]? interval = se > 0 ? [difference - Z975 * se, difference + Z975 * se] : null;

        // Beta(1 + x, 1 + n − x) posteriors (uniform prior); their difference approximated as normal.
        var (mc, vc) = BetaMoments(1 + control.Conversions, 1 + control.Visitors - control.Conversions);
        var (mv, vv) = BetaMoments(1 + variant.Conversions, 1 + variant.Visitors - variant.Conversions);
        var chance = Normal.CDF(0, 1, (mv - mc) / Math.Sqrt(vc + vv));
        return new MetricComparison(difference, Uplift(pv, pc), interval, p, chance, z, null);
    }

    private static (double Mean, double Variance) BetaMoments(double a, double b) =>
        (a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));

    /// <summary>The sample variance of revenue per visitor from its sum and sum of squares; null with fewer than 2 visitors.</summary>
    public static double? SampleVariance(VariantTally t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Visitors < 2)
        {
            return null;
        }

        var n = (double)t.Visitors;
        return Math.Max(0, (t.RevenueSumOfSquares - t.RevenueSum * t.RevenueSum / n) / (n - 1));
    }

    public static MetricComparison Welch(VariantTally control, VariantTally variant)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(variant);
        var mc = Mean(control.RevenueSum, control.Visitors);
        var mv = Mean(variant.RevenueSum, variant.Visitors);
        var difference = mv - mc;
        if (SampleVariance(control) is not { } sc || SampleVariance(variant) is not { } sv)
        {
            return new MetricComparison(difference, Uplift(mv, mc), null, null, null, null, null);
        }

        var (qc, qv) = (sc / control.Visitors, sv / variant.Visitors);
        var se = Math.Sqrt(qc + qv);
        if (se == 0)
        {
            return new MetricComparison(difference, Uplift(mv, mc), null, difference == 0 ? 1 : null, null, null, null);
        }

        var df = (qc + qv) * (qc + qv) / (qc * qc / (control.Visitors - 1) + qv * qv / (variant.Visitors - 1));
        var t = difference / se;
        var p = Math.Min(1, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t)));
        var quantile = StudentT.InvCDF(0, 1, df, 0.975);
        var chance = Normal.CDF(0, 1, t);
        return new MetricComparison(difference, Uplift(mv, mc), [difference - quantile * se, difference + quantile * se], p, chance, t, df);
    }

    public static SampleRatioCheck SampleRatio(IReadOnlyList<VariantTally> tallies)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        var df = tallies.Count - 1;
        var total = tallies.Sum(t => (double)t.Visitors);
        var weights = tallies.Sum(t => t.Weight);
        if (total == 0 || df < 1 || weights <= 0)
        {
            return new SampleRatioCheck(0, Math.Max(df, 0), 1, false);
        }

        var chi = tallies.Sum(t =>
        {
            var expected = total * t.Weight / weights;
            return (t.Visitors - expected) * (t.Visitors - expected) / expected;
        });

        // The upper tail Q(df/2, χ²/2) directly: 1 − CDF would round small p-values to 0.
        var p = SpecialFunctions.GammaUpperRegularized(df / 2.0, chi / 2);
        return new SampleRatioCheck(chi, df, p, p < SampleRatioAlarm);
    }
}

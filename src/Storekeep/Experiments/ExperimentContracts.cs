namespace Storekeep.Experiments;

public static class ExperimentPermissions
{
    /// <summary>See experiments and their results.</summary>
    public const string Read = "experiments.read";

    /// <summary>Create, start and stop experiments.</summary>
    public const string Write = "experiments.write";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

/// <param name="Key">Unique within the experiment; one variant must be <c>control</c>.</param>
/// <param name="Weight">A positive whole number; visitors are split in proportion to the weights.</param>
public sealed record ExperimentVariantRequest(string? Key, int? Weight);

/// <summary>A storefront variant's home page text.</summary>
public sealed record VariantContentRequest(string? Headline, string? Banner);

/// <param name="Kind">campaign, storefront or offer.</param>
/// <param name="Metric">conversion or revenue_per_visitor: the metric the headline figures (uplift, interval, p-value, chance) are about.</param>
/// <param name="CampaignId">kind campaign: the campaign whose variants are compared.</param>
/// <param name="DiscountId">kind offer: an automatic discount, shown only to the <c>treatment</c> variant.</param>
/// <param name="Content">kind storefront: per variant key, the home page headline and banner text.</param>
public sealed record CreateExperimentRequest(
    string? Name,
    string? Kind,
    IReadOnlyList<ExperimentVariantRequest?>? Variants,
    string? Metric,
    Guid? CampaignId,
    Guid? DiscountId,
    IReadOnlyDictionary<string, VariantContentRequest?>? Content);

public sealed record ExperimentVariantView(string Key, int Weight, string? Headline, string? Banner);

public sealed record ExperimentView(
    Guid Id,
    string Name,
    string Kind,
    string Metric,
    string Status,
    Guid? CampaignId,
    Guid? DiscountId,
    IReadOnlyList<ExperimentVariantView> Variants,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? StoppedAt);

public sealed record SampleRatioMismatchView(double PValue, bool Flagged, double ChiSquared, int DegreesOfFreedom);

/// <summary>A test of one metric against control; intervals are on the absolute difference (variant − control).</summary>
public sealed record MetricTestView(double Difference, double? Uplift, double[]? ConfidenceInterval95, double? PValue, double? ChanceToBeatControl);

/// <summary>
/// One variant's results. Money in the store currency (major units). The headline figures
/// (<see cref="Uplift"/>, <see cref="ConfidenceInterval95"/>, <see cref="PValue"/>,
/// <see cref="ChanceToBeatControl"/>) are the experiment's metric against control, null for control;
/// <see cref="Conversion"/> and <see cref="RevenuePerVisitorTest"/> give both metrics.
/// </summary>
public sealed record VariantResultView(
    string Key,
    int Weight,
    long Visitors,
    long Conversions,
    double ConversionRate,
    decimal Revenue,
    decimal RevenuePerVisitor,
    double? Uplift,
    double[]? ConfidenceInterval95,
    double? PValue,
    double? ChanceToBeatControl,
    MetricTestView? Conversion,
    MetricTestView? RevenuePerVisitorTest);

public sealed record ExperimentResultsView(
    Guid Id,
    string Name,
    string Kind,
    string Metric,
    string Status,
    string Currency,
    DateTime? StartedAt,
    DateTime? StoppedAt,
    IReadOnlyList<VariantResultView> Variants,
    SampleRatioMismatchView SampleRatioMismatch);

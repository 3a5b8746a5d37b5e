using Storekeep.Promotions;

namespace Storekeep.Experiments;

/// <summary>
/// The storefront visitor of the current request (the <c>storekeep.vid</c> cookie), set by the web
/// layer; null for API callers without the cookie.
/// </summary>
public sealed class ExperimentVisitor
{
    public string? VisitorId { get; set; }
}

/// <summary>
/// Offer experiments: a running one's automatic discount is for its <c>treatment</c> visitors only.
/// When a cart is priced for a visitor, the visitor is assigned (and the exposure recorded) and
/// control visitors have the discount withheld. A shopper without a visitor id (an API caller) is in
/// no experiment and sees the control experience: no discount.
/// </summary>
public sealed class OfferExperimentAudience(ExperimentExposures exposures, ExperimentVisitor visitor) : IAutomaticDiscountAudience
{
    public async Task<IReadOnlySet<Guid>> WithheldAsync(IReadOnlyCollection<Guid> automaticDiscountIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(automaticDiscountIds);
        var running = (await exposures.RunningAsync(ExperimentKind.Offer, ct))
            .Where(e => e.DiscountId is { } id && automaticDiscountIds.Contains(id)).ToList();
        var withheld = new HashSet<Guid>();
        foreach (var experiment in running)
        {
            var variant = visitor.VisitorId is { } id ? await exposures.ExposeAsync(experiment, id, ct) : null;
            if (variant?.Key != Experiment.TreatmentKey)
            {
                withheld.Add(experiment.DiscountId!.Value);
            }
        }

        return withheld;
    }
}

namespace Storekeep.Promotions;

/// <summary>
/// Holds automatic discounts back from the current shopper (an offer experiment shows its discount
/// to the treatment variant only). Asked by <see cref="PromotionCandidates"/> with the active
/// automatic discounts; answers the ids this shopper must not get.
/// </summary>
public interface IAutomaticDiscountAudience
{
    Task<IReadOnlySet<Guid>> WithheldAsync(IReadOnlyCollection<Guid> automaticDiscountIds, CancellationToken ct);
}

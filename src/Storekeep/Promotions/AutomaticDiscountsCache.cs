using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>
/// The active automatic discounts, kept per node for <see cref="Lifetime"/>: every cart view and
/// checkout prices with them, and they change rarely, so a read per pricing was work done per
/// request that belongs to the change. <see cref="Discounts"/> clears this node's copy after each
/// change; other nodes follow within <see cref="Lifetime"/>, as with running experiments. What a
/// stale copy could get wrong is bounded by checkout itself: the order's transaction re-reads each
/// applied discount's status and limits under lock (<see cref="DiscountUsage"/>), and limited
/// discounts' counts are read fresh on every pricing (<see cref="PromotionCandidates"/>).
/// </summary>
public sealed class AutomaticDiscountsCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly NodeCopy<bool, IReadOnlyList<DiscountDefinition>> _copy = new(clock, Lifetime);

    /// <summary>The kept discounts, or <paramref name="load"/>'s when none are fresh; shared, do not change them.</summary>
    public Task<IReadOnlyList<DiscountDefinition>> GetAsync(Func<Task<IReadOnlyList<DiscountDefinition>>> load) => _copy.GetAsync(true, load);

    /// <summary>Drops this node's copy: called after a discount is created, edited or deactivated.</summary>
    public void Clear() => _copy.Clear();
}

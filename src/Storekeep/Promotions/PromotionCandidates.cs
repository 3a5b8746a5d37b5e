using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Pricing;

namespace Storekeep.Promotions;

/// <summary>
/// What the engine considers for a cart: every active automatic discount (this node's copy, see
/// <see cref="AutomaticDiscountsCache"/>), and the discounts of the codes entered on it (whatever
/// their status, so an expired code says so rather than "unknown"), with the uses left overall and
/// for this shopper.
/// </summary>
public sealed class PromotionCandidates(
    StorekeepDbContext db, TimeProvider clock, AutomaticDiscountsCache automaticDiscounts, IEnumerable<IAutomaticDiscountAudience> audiences, Segments.Segments segments)
{
    /// <summary>The codes entered on a cart, in the order they were entered.</summary>
    public async Task<IReadOnlyList<string>> CodesOfCartAsync(Guid cartId, CancellationToken ct) =>
        await db.Set<CartDiscountCode>().AsNoTracking().Where(c => c.CartId == cartId)
            .OrderBy(c => c.AddedAt).ThenBy(c => c.Code).Select(c => c.Code).ToListAsync(ct);

    /// <summary>The discount context for these codes and this shopper (email, lower case; null before checkout knows it).</summary>
    public async Task<DiscountContext> ForAsync(IReadOnlyList<string> codes, string? email, CancellationToken ct)
    {
        var keys = codes.Select(DiscountDefinition.KeyOf).OfType<string>().Distinct().ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        bool Current(DiscountDefinition d) => d.Status == DiscountStatus.Active && (d.EndsAt == null || d.EndsAt > now);
        var active = (await automaticDiscounts.GetAsync(async () => await db.Set<DiscountDefinition>().AsNoTracking()
                .Where(d => d.CodeKey == null && d.Status == DiscountStatus.Active && (d.EndsAt == null || d.EndsAt > now))
                .ToListAsync(ct)))
            .Where(Current).ToList();

        // Read now rather than from the node's copy: the entered codes, and the limited automatic
        // discounts (a used-up one must stop applying at once, not answer 409 at checkout).
        var counted = active.Where(d => d.UsageLimit is not null).Select(d => d.Id).ToList();
        List<DiscountDefinition> fresh = keys.Count == 0 && counted.Count == 0 ? [] : await db.Set<DiscountDefinition>().AsNoTracking()
            .Where(d => (d.CodeKey != null && keys.Contains(d.CodeKey)) || counted.Contains(d.Id))
            .ToListAsync(ct);
        var definitions = active.Where(d => d.UsageLimit is null).Concat(fresh.Where(d => d.CodeKey != null || Current(d))).ToList();

        // Automatic discounts an audience holds back from this shopper (an offer experiment's control variant).
        var automatic = definitions.Where(d => d.CodeKey == null).Select(d => d.Id).ToList();
        foreach (var audience in automatic.Count == 0 ? [] : audiences)
        {
            var withheld = await audience.WithheldAsync(automatic, ct);
            definitions.RemoveAll(d => d.CodeKey == null && withheld.Contains(d.Id));
        }

        var customer = CustomerKey(email);
        var uses = new Dictionary<Guid, int>();
        var limited = definitions.Where(d => d.UsageLimitPerCustomer is not null).Select(d => d.Id).ToList();
        if (customer is not null && limited.Count > 0)
        {
            uses = await db.Set<DiscountCustomerUse>().AsNoTracking()
                .Where(u => u.Customer == customer && limited.Contains(u.DiscountId))
                .ToDictionaryAsync(u => u.DiscountId, u => u.Uses, ct);
        }

        var candidates = definitions.OrderBy(d => d.Id).Select(d => Discounts.ToEngine(d, uses.GetValueOrDefault(d.Id))).ToList();
        var memberOf = await SegmentsOfAsync(customer, candidates.SelectMany(c => c.Customers.Segments).Distinct().ToList(), ct);
        return new DiscountContext(candidates, keys, new PromotionCustomer(null, customer, []) { Segments = memberOf }, now);
    }

    /// <summary>
    /// Which of these segments the shopper is in now, evaluated in SQL on their customer record; a
    /// shopper without one (a first order) is in none, and so is everyone for a segment since deleted.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> SegmentsOfAsync(string? email, IReadOnlyList<Guid> wanted, CancellationToken ct)
    {
        if (email is null || wanted.Count == 0)
        {
            return [];
        }

        var customerId = await db.Customers.AsNoTracking().Where(c => c.Email == email).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (customerId is not { } id)
        {
            return [];
        }

        var existing = await db.Set<Segments.Segment>().AsNoTracking().Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        var members = new List<Guid>();
        foreach (var segment in existing)
        {
            if (await (await segments.MemberIdsAsync(segment, ct)).AnyAsync(m => m == id, ct))
            {
                members.Add(segment);
            }
        }

        return members;
    }

    /// <summary>Who a use is counted against: the shopper's email in lower case.</summary>
    public static string? CustomerKey(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();
}

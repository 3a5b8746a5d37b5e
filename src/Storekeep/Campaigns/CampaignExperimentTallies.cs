using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Experiments;
using Storekeep.Store;

namespace Storekeep.Campaigns;

/// <summary>
/// A campaign experiment's counts, from the campaign's own variants: visitors are the variant's
/// recipients, a conversion is a recipient with at least one attributed order (within 7 days of
/// their first click, as the campaign's own results count), revenue those orders' totals.
/// </summary>
public sealed class CampaignExperimentTallies(StorekeepDbContext db, StoreSettingsService store) : IExperimentTallySource
{
    public bool Handles(Experiment experiment) => experiment.Kind == ExperimentKind.Campaign && experiment.CampaignId is not null;

    public async Task<IReadOnlyList<VariantCount>> TallyAsync(Experiment experiment, CancellationToken ct)
    {
        var id = experiment.CampaignId!.Value;
        var currency = (await store.GetAsync(ct)).Currency;
        var recipients = db.Set<CampaignRecipient>().AsNoTracking().Where(r => r.CampaignId == id);
        var counts = await recipients.GroupBy(r => r.VariantKey).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var orders = await CampaignAttribution.OrdersAsync(db, id, currency, ct);
        var perRecipient = orders.GroupBy(o => (o.RecipientId, o.VariantKey)).Select(g => (g.Key.VariantKey, Minor: (long)Math.Round(g.Sum(o => o.Total) * 100m))).ToList();
        return [.. experiment.Variants.Select(v =>
        {
            var mine = perRecipient.Where(r => r.VariantKey == v.Key).ToList();
            return new VariantCount(v.Key, counts.FirstOrDefault(c => c.Key == v.Key)?.Count ?? 0, mine.Count, mine.Sum(r => r.Minor), mine.Sum(r => (double)r.Minor * r.Minor));
        })];
    }
}

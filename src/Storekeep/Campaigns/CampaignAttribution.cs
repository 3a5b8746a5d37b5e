using Microsoft.EntityFrameworkCore;
using Storekeep.Analytics;
using Storekeep.Data;

namespace Storekeep.Campaigns;

/// <summary>One order attributed to a campaign recipient: placed within 7 days after their first click.</summary>
public sealed record AttributedOrder(Guid RecipientId, string VariantKey, decimal Total);

/// <summary>
/// The one definition of a campaign's attributed orders (docs/marketing.md), shared by the
/// campaign's results and by campaign experiments so the two can never disagree.
/// </summary>
public static class CampaignAttribution
{
    public static Task<List<AttributedOrder>> OrdersAsync(StorekeepDbContext db, Guid campaignId, string currency, CancellationToken ct)
    {
        var window = CampaignSettings.AttributionWindow.TotalDays;
        return db.Set<CampaignRecipient>().AsNoTracking()
            .Where(r => r.CampaignId == campaignId && r.ClickedAt != null)
            .Join(ReportMath.CountedOrders(db, currency), r => r.CustomerId, o => o.CustomerId, (r, o) => new { r.Id, r.VariantKey, r.ClickedAt, o.CreatedAt, o.Total })
            .Where(x => x.CreatedAt >= x.ClickedAt && x.CreatedAt < x.ClickedAt!.Value.AddDays(window))
            .Select(x => new AttributedOrder(x.Id, x.VariantKey, x.Total))
            .ToListAsync(ct);
    }
}

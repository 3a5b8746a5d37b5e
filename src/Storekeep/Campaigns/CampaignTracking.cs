using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Messaging;

namespace Storekeep.Campaigns;

/// <summary>
/// The recipient's side of a campaign, reached by the token in its links (no sign-in): the open
/// pixel, the click redirect and one-click unsubscribe. Each is recorded once: the first open,
/// the first click (which also counts as an open: many clients block images), the unsubscribe.
/// </summary>
public sealed class CampaignTracking(StorekeepDbContext db, CustomerProfiles profiles, TimeProvider clock)
{
    public const string UnsubscribeSource = UnsubscribeLinks.Source;

    public async Task OpenAsync(string token, CancellationToken ct)
    {
        if (!Plausible(token))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.Set<CampaignRecipient>().Where(r => r.Token == token && r.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct);
    }

    /// <summary>Records the click and returns the link's address; null when the token or link number is unknown.</summary>
    public async Task<string?> ClickAsync(string token, int link, CancellationToken ct)
    {
        if (!Plausible(token) || link < 0)
        {
            return null;
        }

        var recipient = await db.Set<CampaignRecipient>().AsNoTracking()
            .Where(r => r.Token == token)
            .Join(db.Set<Campaign>().AsNoTracking(), r => r.CampaignId, c => c.Id, (r, c) => new { r.VariantKey, Campaign = c })
            .FirstOrDefaultAsync(ct);
        if (recipient is null)
        {
            return null;
        }

        var variant = Campaigns.VariantsOf(recipient.Campaign).FirstOrDefault(v => v.Key == recipient.VariantKey);
        var links = CampaignRenderer.LinksIn(variant?.Body ?? recipient.Campaign.Body);
        if (link >= links.Count)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.Set<CampaignRecipient>().Where(r => r.Token == token && r.ClickedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClickedAt, now), ct);
        await db.Set<CampaignRecipient>().Where(r => r.Token == token && r.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct);
        return links[link];
    }

    public async Task<UnsubscribeTarget?> FindAsync(string token, CancellationToken ct)
    {
        if (!Plausible(token))
        {
            return null;
        }

        return await db.Set<CampaignRecipient>().AsNoTracking()
            .Where(r => r.Token == token)
            .Join(db.Set<Campaign>().AsNoTracking(), r => r.CampaignId, c => c.Id, (r, c) => new { c.Channel, r.Address, r.CustomerId })
            .Join(db.Customers.AsNoTracking(), x => x.CustomerId, c => c.Id, (x, c) => new UnsubscribeTarget(x.Channel, x.Address, x.Channel == MessageChannels.Sms ? !c.AcceptsSms : !c.AcceptsEmail))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Withdraws the customer's consent for the campaign's channel at once and marks the recipient
    /// unsubscribed; repeating it changes nothing. False when the token is unknown.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        if (!Plausible(token))
        {
            return false;
        }

        var recipient = await db.Set<CampaignRecipient>().AsNoTracking()
            .Where(r => r.Token == token)
            .Join(db.Set<Campaign>().AsNoTracking(), r => r.CampaignId, c => c.Id, (r, c) => new { r.CustomerId, c.Channel })
            .FirstOrDefaultAsync(ct);
        if (recipient is null)
        {
            return false;
        }

        await profiles.WithdrawConsentAsync(recipient.CustomerId, email: recipient.Channel != MessageChannels.Sms, UnsubscribeSource, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Set<CampaignRecipient>().Where(r => r.Token == token && r.UnsubscribedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UnsubscribedAt, now), ct);
        return true;
    }

    private static bool Plausible(string token) => token.Length == CampaignRecipient.TokenLength && token.All(char.IsAsciiHexDigitLower);
}

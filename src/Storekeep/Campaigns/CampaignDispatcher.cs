using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Messaging;

namespace Storekeep.Campaigns;

/// <summary>Wakes this node's campaign dispatcher at once (after a send begins) instead of at the next poll.</summary>
public sealed class CampaignSignal : Storekeep.Shared.WakeUpSignal;

/// <summary>
/// Hands campaign recipients to the outbox at <c>Campaigns:RatePerSecond</c>. A round starts
/// scheduled campaigns that fell due, then, for each campaign being sent, claims the next
/// recipients its rate allows with one guarded UPDATE (only pending ones; PostgreSQL locks them with
/// SKIP LOCKED, so two nodes never claim the same recipient), and in the same
/// transaction writes their messages, whose unique dedupe key is a second guard. The rate counts
/// from the start of sending over all nodes: the allowance is rate × elapsed time minus what was
/// already handed over, so two nodes together overshoot by at most one round's claim.
/// </summary>
public sealed partial class CampaignDispatcher(IServiceScopeFactory scopes, CampaignSettings settings, TimeProvider clock, ILogger<CampaignDispatcher> logger)
{
    /// <summary>One round; returns how many recipients this node handed to the outbox.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        List<Guid> due, sending;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            due = await db.Set<Campaign>().AsNoTracking()
                .Where(c => c.Status == CampaignStatus.Scheduled && c.ScheduledAt <= now)
                .Select(c => c.Id).ToListAsync(ct);
            foreach (var id in due)
            {
                if (await scope.ServiceProvider.GetRequiredService<Campaigns>().StartAsync(id, ct))
                {
                    LogStarted(id);
                }
            }

            sending = await db.Set<Campaign>().AsNoTracking()
                .Where(c => c.Status == CampaignStatus.Sending)
                .OrderBy(c => c.StartedAt)
                .Select(c => c.Id).ToListAsync(ct);
        }

        var handed = 0;
        foreach (var id in sending)
        {
            handed += await DispatchAsync(id, ct);
        }

        return handed;
    }

    /// <summary>Hands the campaign's next recipients to the outbox, as many as its rate allows now.</summary>
    public async Task<int> DispatchAsync(Guid campaignId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var campaigns = scope.ServiceProvider.GetRequiredService<Campaigns>();
        var queue = scope.ServiceProvider.GetRequiredService<MessageQueue>();
        var campaign = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId && c.Status == CampaignStatus.Sending, ct);
        if (campaign?.StartedAt is not { } started)
        {
            return 0;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var allowed = (long)Math.Floor(settings.RatePerSecond * ((now - started).TotalSeconds + 1)) - campaign.Dispatched;
        var take = (int)Math.Min(settings.BatchSize, Math.Max(0, allowed));
        if (take == 0)
        {
            return 0;
        }

        var variants = Campaigns.VariantsOf(campaign).ToDictionary(v => v.Key);
        var store = await campaigns.StoreValuesAsync(ct);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claim = Guid.NewGuid();
            var recipients = db.Set<CampaignRecipient>();
            var claimed = await ClaimAsync(db, campaignId, claim, now, take, ct);
            if (claimed == 0)
            {
                // Nothing pending: every recipient is in the outbox (or another node just took the last ones).
                var done = !await recipients.AnyAsync(r => r.CampaignId == campaignId && r.Status == RecipientStatus.Pending, ct);
                if (done)
                {
                    await db.Set<Campaign>().Where(c => c.Id == campaignId && c.Status == CampaignStatus.Sending)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sent).SetProperty(c => c.FinishedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
                }

                await tx.CommitAsync(ct);
                return 0;
            }

            var batch = await recipients.AsNoTracking()
                .Where(r => r.ClaimId == claim)
                .Join(db.Customers.AsNoTracking(), r => r.CustomerId, c => c.Id, (r, c) => new { r.Id, r.CustomerId, r.Address, r.Token, r.VariantKey, c.FirstName, c.LastName, c.Email })
                .ToListAsync(ct);
            foreach (var r in batch)
            {
                var variant = variants.GetValueOrDefault(r.VariantKey) ?? variants.Values.First();
                var audience = new CampaignAudience(r.FirstName, r.LastName, r.Email);
                var dedupe = $"campaign:{campaignId:N}:{r.CustomerId:N}";
                if (campaign.Channel == MessageChannels.Sms)
                {
                    queue.QueueCampaignMessage(new CampaignMessage(MessageChannels.Sms, r.Address, campaign.Name, "", CampaignRenderer.RenderSms(variant.Body, audience, store, r.Token), dedupe, campaignId, null) { Id = r.Id });
                }
                else
                {
                    var rendered = CampaignRenderer.RenderEmail(variant.Subject ?? campaign.Subject ?? campaign.Name, variant.Body, audience, store, r.Token);
                    queue.QueueCampaignMessage(new CampaignMessage(MessageChannels.Email, r.Address, rendered.Subject, rendered.Html, rendered.Text, dedupe, campaignId,
                        CampaignRenderer.UnsubscribeLink(store.PublicUrl, r.Token)) { Id = r.Id });
                }
            }

            await db.SaveChangesAsync(ct);
            await db.Set<Campaign>().Where(c => c.Id == campaignId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Dispatched, c => c.Dispatched + claimed), ct);
            await tx.CommitAsync(ct);
            return claimed;
        });
    }

    /// <summary>
    /// Marks the next pending recipients queued under <paramref name="claim"/>; returns how many.
    /// On PostgreSQL the pending rows are locked in the subquery (SKIP LOCKED: nodes claim side by
    /// side, and a row another claim just took is re-checked and left out) and the outer UPDATE
    /// reaches them only by primary key. A guard repeated outside let the planner, with statistics
    /// not yet taken of the rows sending just wrote, read the campaign's pending rows for each
    /// claimed one: 7.8 s a claim of 500 at 100,000 recipients, until autovacuum analysed the table.
    /// SQLite runs the same statement without SKIP LOCKED: it has one writer at a time.
    /// </summary>
    private static Task<int> ClaimAsync(StorekeepDbContext db, Guid campaignId, Guid claim, DateTime now, int take, CancellationToken ct)
    {
        var skipLocked = db.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        var sql = $$"""
            UPDATE campaign_recipients SET status = 'queued', claim_id = {0}, queued_at = {1}
            WHERE id IN (SELECT id FROM campaign_recipients WHERE campaign_id = {2} AND status = 'pending'
                         ORDER BY id LIMIT {3}{{skipLocked}})
            """;
        return db.Database.ExecuteSqlRawAsync(sql, [claim, now, campaignId, take], ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled campaign {CampaignId} fell due: sending began.")]
    private partial void LogStarted(Guid campaignId);
}

/// <summary>This node's campaign loop: dispatch, then sleep for the poll interval or until a send begins.</summary>
public sealed class CampaignDispatchService(CampaignDispatcher dispatcher, CampaignSignal signal, CampaignSettings settings, ILogger<CampaignDispatchService> logger)
    : Storekeep.Shared.WakeUpLoop(signal, logger)
{
    protected override string LoopName => "campaign dispatcher";

    protected override bool Enabled => settings.DispatcherEnabled;

    protected override TimeSpan PollInterval => settings.PollInterval;

    protected override async Task<bool> RunRoundAsync(CancellationToken ct) =>
        await dispatcher.DispatchDueAsync(ct) >= settings.BatchSize;
}

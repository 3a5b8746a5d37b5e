using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Messaging;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Campaigns;

/// <summary>
/// Campaigns: drafting, previews and test sends, and sending. Sending writes every recipient at
/// once (one row per consenting segment member, unique per customer) in the transaction that moves
/// the campaign to <c>sending</c>, so a second send, a retry or another node finds it already
/// sending; the <see cref="CampaignDispatcher"/> then hands recipients to the outbox at the rate.
/// </summary>
public sealed partial class Campaigns(
    StorekeepDbContext db,
    Segments.Segments segments,
    StoreSettingsService store,
    EmailSettings email,
    MessageQueue queue,
    TimeProvider clock)
{
    /// <summary>The variant every recipient gets when a campaign has no variants.</summary>
    public const string DefaultVariant = "default";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CampaignView> CreateAsync(CampaignRequest request, CancellationToken ct)
    {
        var valid = await ValidateAsync(request, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var campaign = new Campaign
        {
            Name = valid.Name,
            Channel = valid.Channel,
            SegmentId = valid.SegmentId,
            Subject = valid.Subject,
            Body = valid.Body,
            Variants = JsonSerializer.Serialize(valid.Variants, Json),
            ScheduledAt = valid.ScheduledAt,
            Status = CampaignStatus.Draft,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Add(campaign);
        await db.SaveChangesAsync(ct);
        return await GetAsync(campaign.Id, ct);
    }

    /// <summary>Replaces a draft's or scheduled campaign's content; 409 <c>campaign_not_editable</c> once sending began.</summary>
    public async Task<CampaignView> UpdateAsync(Guid id, CampaignRequest request, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var valid = await ValidateAsync(request, ct);
        if (valid.Channel != campaign.Channel)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["channel"] = ["A campaign's channel cannot change; create a new campaign instead."] });
        }

        var changed = await db.Set<Campaign>()
            .Where(c => c.Id == id && (c.Status == CampaignStatus.Draft || c.Status == CampaignStatus.Scheduled))
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Name, valid.Name)
                .SetProperty(c => c.SegmentId, valid.SegmentId)
                .SetProperty(c => c.Subject, valid.Subject)
                .SetProperty(c => c.Body, valid.Body)
                .SetProperty(c => c.Variants, JsonSerializer.Serialize(valid.Variants, Json))
                .SetProperty(c => c.ScheduledAt, valid.ScheduledAt)
                .SetProperty(c => c.UpdatedAt, clock.GetUtcNow().UtcDateTime), ct);
        if (changed == 0)
        {
            throw Errors.Conflict("campaign_not_editable", $"The campaign is {Snake(campaign.Status)}: only drafts and scheduled campaigns can change.");
        }

        return await GetAsync(id, ct);
    }

    public async Task<Page<CampaignSummary>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeGuid(cursor);
        var query = db.Set<Campaign>().AsNoTracking();
        if (before is { } b)
        {
            query = query.Where(c => c.Id.CompareTo(b) < 0);
        }

        var rows = await query.OrderByDescending(c => c.Id).Take(take + 1)
            .Select(c => new CampaignSummary(c.Id, c.Name, c.Channel, c.SegmentId, c.Status, c.ScheduledAt, c.StartedAt, c.Recipients, c.Dispatched, c.CreatedAt))
            .ToListAsync(ct);
        var items = rows.Take(take).ToList();
        return new Page<CampaignSummary>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>The campaign with its results, overall and per variant (docs/marketing.md).</summary>
    public async Task<CampaignView> GetAsync(Guid id, CancellationToken ct)
    {
        var c = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var currency = (await store.GetAsync(ct)).Currency;
        var recipients = db.Set<CampaignRecipient>().AsNoTracking().Where(r => r.CampaignId == id);
        var counts = await recipients
            .GroupBy(r => r.VariantKey)
            .Select(g => new
            {
                Variant = g.Key,
                Recipients = g.Count(),
                Opened = g.Count(r => r.OpenedAt != null),
                Clicked = g.Count(r => r.ClickedAt != null),
                Unsubscribed = g.Count(r => r.UnsubscribedAt != null),
            })
            .ToListAsync(ct);
        var delivery = await recipients
            .Join(db.Messages.AsNoTracking(), r => r.Id, m => m.Id, (r, m) => new { r.VariantKey, m.Status })
            .GroupBy(x => new { x.VariantKey, x.Status })
            .Select(g => new { g.Key.VariantKey, g.Key.Status, Count = g.Count() })
            .ToListAsync(ct);
        var orders = await CampaignAttribution.OrdersAsync(db, id, currency, ct);

        var variants = VariantsOf(c);
        CampaignVariantView Results(CampaignVariant v)
        {
            var n = counts.FirstOrDefault(x => x.Variant == v.Key);
            int Delivered(MessageStatus s) => delivery.Where(d => d.VariantKey == v.Key && d.Status == s).Sum(d => d.Count);
            var mine = orders.Where(o => o.VariantKey == v.Key).ToList();
            return new CampaignVariantView(v.Key, v.Subject, v.Body, v.Weight, n?.Recipients ?? 0, Delivered(MessageStatus.Sent), Delivered(MessageStatus.Failed),
                n?.Opened ?? 0, n?.Clicked ?? 0, n?.Unsubscribed ?? 0, mine.Count, mine.Sum(o => o.Total));
        }

        var views = variants.Select(Results).ToList();
        return new CampaignView(c.Id, c.Name, c.Channel, c.SegmentId, c.Subject, c.Body, c.Status, c.ScheduledAt, c.StartedAt, c.FinishedAt,
            c.Recipients, c.Dispatched, views.Sum(v => v.Sent), views.Sum(v => v.Failed), views.Sum(v => v.Opened), views.Sum(v => v.Clicked),
            views.Sum(v => v.Unsubscribed), views.Sum(v => v.Orders), views.Sum(v => v.Revenue), currency,
            c.Variants == "[]" ? [] : views, c.CreatedAt, c.UpdatedAt);
    }

    /// <summary>
    /// <c>POST /campaigns/{id}/send</c>: with <c>scheduledAt</c> in the future the campaign waits for
    /// it; otherwise sending begins now. 409 <c>campaign_already_sent</c> when it was sent, is sending or was cancelled.
    /// </summary>
    public async Task<CampaignView> SendAsync(Guid id, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var now = clock.GetUtcNow().UtcDateTime;
        if (campaign.ScheduledAt > now)
        {
            var scheduled = await db.Set<Campaign>()
                .Where(c => c.Id == id && c.Status == CampaignStatus.Draft)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Scheduled).SetProperty(c => c.UpdatedAt, now), ct);
            if (scheduled == 0 && campaign.Status != CampaignStatus.Scheduled)
            {
                throw AlreadySent(campaign.Status);
            }
        }
        else if (!await StartAsync(id, ct))
        {
            throw AlreadySent((await db.Set<Campaign>().AsNoTracking().SingleAsync(c => c.Id == id, ct)).Status);
        }

        return await GetAsync(id, ct);
    }

    /// <summary>
    /// Begins sending: in one transaction, moves the campaign from draft or scheduled to sending (a
    /// guarded update: only one caller wins) and writes a recipient for every member of the segment
    /// whose consent allows the channel and who has an address for it. False when another caller won.
    /// </summary>
    public async Task<bool> StartAsync(Guid id, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var won = await db.Set<Campaign>()
                .Where(c => c.Id == id && (c.Status == CampaignStatus.Draft || c.Status == CampaignStatus.Scheduled))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending).SetProperty(c => c.StartedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
            if (won == 0)
            {
                return false;
            }

            var campaign = await db.Set<Campaign>().AsNoTracking().SingleAsync(c => c.Id == id, ct);
            var variants = VariantsOf(campaign);
            var members = await segments.MemberIdsAsync(campaign.SegmentId, ct);
            var customers = db.Customers.AsNoTracking().Where(c => members.Contains(c.Id));
            var sms = campaign.Channel == MessageChannels.Sms;
            var audience = sms
                ? await customers.Where(c => c.AcceptsSms && c.Phone != null).Select(c => new { c.Id, Address = c.Phone! }).ToListAsync(ct)
                : await customers.Where(c => c.AcceptsEmail).Select(c => new { c.Id, Address = c.Email }).ToListAsync(ct);
            var recipients = audience
                .Select(a => (a.Id, Address: sms ? PhoneNumber(a.Address) : a.Address))
                .Where(a => a.Address is not null)
                .Select(a => new CampaignRecipient
                {
                    CampaignId = id,
                    CustomerId = a.Id,
                    Address = a.Address!,
                    VariantKey = Assign(id, a.Id, variants),
                    Status = RecipientStatus.Pending,
                })
                .ToList();
            if (db.Database.IsNpgsql())
            {
                await PostgresBulkCopy.WriteAsync(db, recipients, ct);
            }
            else
            {
                foreach (var chunk in recipients.Chunk(2000))
                {
                    db.AddRange(chunk);
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                }
            }

            var finished = recipients.Count == 0;
            await db.Set<Campaign>().Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Recipients, recipients.Count)
                .SetProperty(c => c.Status, finished ? CampaignStatus.Sent : CampaignStatus.Sending)
                .SetProperty(c => c.FinishedAt, finished ? now : null), ct);
            await tx.CommitAsync(ct);
            return true;
        });
    }

    /// <summary>Stops a campaign: recipients not yet handed to the outbox get nothing. 409 once sent or cancelled.</summary>
    public async Task<CampaignView> CancelAsync(Guid id, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var strategy = db.Database.CreateExecutionStrategy();
        var cancelled = await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var changed = await db.Set<Campaign>()
                .Where(c => c.Id == id && (c.Status == CampaignStatus.Draft || c.Status == CampaignStatus.Scheduled || c.Status == CampaignStatus.Sending))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Cancelled).SetProperty(c => c.FinishedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
            await db.Set<CampaignRecipient>().Where(r => r.CampaignId == id && r.Status == RecipientStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RecipientStatus.Cancelled), ct);
            await tx.CommitAsync(ct);
            return changed > 0;
        });
        if (!cancelled)
        {
            throw Errors.Conflict("campaign_finished", $"The campaign is {Snake(campaign.Status)}: there is nothing left to cancel.");
        }

        return await GetAsync(id, ct);
    }

    /// <summary>The message as one customer (or a sample customer) would get it.</summary>
    public async Task<CampaignPreview> PreviewAsync(Guid id, CampaignPreviewRequest request, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var variant = VariantNamed(campaign, request.Variant);
        var audience = new CampaignAudience("Alex", "Sample", "alex@example.com");
        if (request.CustomerId is { } customerId)
        {
            audience = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => new CampaignAudience(c.FirstName, c.LastName, c.Email)).FirstOrDefaultAsync(ct)
                ?? throw Errors.Unprocessable("unknown_customer", $"No customer has the id {customerId}.");
        }

        var values = await StoreValuesAsync(ct);
        const string SampleToken = "preview";
        if (campaign.Channel == MessageChannels.Sms)
        {
            return new CampaignPreview(variant.Key, null, "", CampaignRenderer.RenderSms(variant.Body, audience, values, SampleToken));
        }

        // Without the open pixel: the back office shows the HTML, and a preview is not an open.
        var rendered = CampaignRenderer.RenderEmail(variant.Subject ?? "", variant.Body, audience, values, SampleToken, openPixel: false);
        return new CampaignPreview(variant.Key, rendered.Subject, rendered.Html, rendered.Text);
    }

    /// <summary>Queues one copy to <c>to</c> (an email address, or a phone number for SMS); it is logged with the campaign but never counted in its results.</summary>
    public async Task<MessageView> TestAsync(Guid id, CampaignTestRequest request, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Errors.NotFound("Campaign", id.ToString());
        var sms = campaign.Channel == MessageChannels.Sms;
        var v = new Validation();
        var to = sms ? v.Required("to", request.To, 40) : v.Email("to", request.To);
        var phone = sms && to is not null ? PhoneNumber(to) : null;
        if (sms && to is not null && phone is null)
        {
            v.Add("to", "'to' must be a phone number in international form, such as +14155550100.");
        }

        v.ThrowIfInvalid();
        var variant = VariantNamed(campaign, request.Variant);
        var values = await StoreValuesAsync(ct);
        var audience = new CampaignAudience("Test", "Recipient", sms ? "test@example.com" : to!);
        const string TestToken = "test";
        var message = sms
            ? queue.QueueCampaignMessage(new CampaignMessage(MessageChannels.Sms, phone!, $"{campaign.Name} (test)", "", CampaignRenderer.RenderSms(variant.Body, audience, values, TestToken), null, id, null))
            : TestEmail(campaign, variant, audience, values, to!, TestToken);
        await db.SaveChangesAsync(ct);
        return MessageView.Of(message);
    }

    private Message TestEmail(Campaign campaign, CampaignVariant variant, CampaignAudience audience, CampaignStoreValues values, string to, string token)
    {
        var rendered = CampaignRenderer.RenderEmail(variant.Subject ?? "", variant.Body, audience, values, token);
        return queue.QueueCampaignMessage(new CampaignMessage(MessageChannels.Email, to, "[Test] " + rendered.Subject, rendered.Html, rendered.Text, null, campaign.Id,
            CampaignRenderer.UnsubscribeLink(values.PublicUrl, token)));
    }

    internal async Task<CampaignStoreValues> StoreValuesAsync(CancellationToken ct)
    {
        var settings = await store.GetAsync(ct);
        return new CampaignStoreValues(settings.Name, settings.Address ?? "", email.PublicUrl);
    }

    /// <summary>The variants a campaign sends: its own, or one "default" variant of its subject and body.</summary>
    public static IReadOnlyList<CampaignVariant> VariantsOf(Campaign campaign)
    {
        var variants = JsonSerializer.Deserialize<List<CampaignVariant>>(campaign.Variants, Json) ?? [];
        return variants.Count > 0 ? variants : [new CampaignVariant(DefaultVariant, campaign.Subject, campaign.Body, 1)];
    }

    private static CampaignVariant VariantNamed(Campaign campaign, string? key)
    {
        var variants = VariantsOf(campaign);
        return key is null ? variants[0] : variants.FirstOrDefault(v => v.Key == key)
            ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["variant"] = [$"The campaign has no variant '{ReportRange.Shorten(key)}'; it has {string.Join(", ", variants.Select(v => v.Key))}."] });
    }

    /// <summary>
    /// A customer's variant: a stable hash of campaign and customer, placed on the variants'
    /// cumulative weights. The same customer always lands in the same variant of a campaign.
    /// </summary>
    public static string Assign(Guid campaignId, Guid customerId, IReadOnlyList<CampaignVariant> variants)
    {
        if (variants.Count == 1)
        {
            return variants[0].Key;
        }

        Span<byte> input = stackalloc byte[32];
        campaignId.TryWriteBytes(input[..16]);
        customerId.TryWriteBytes(input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var point = (double)(BitConverter.ToUInt64(hash[..8]) >> 11) / (1UL << 53) * variants.Sum(v => v.Weight);
        foreach (var variant in variants)
        {
            point -= variant.Weight;
            if (point < 0)
            {
                return variant.Key;
            }
        }

        return variants[^1].Key;
    }

    /// <summary>A phone number in E.164 form, or null (the customers' normaliser: see <see cref="PhoneNumbers"/>).</summary>
    public static string? PhoneNumber(string phone) => Phones.E164(phone);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex VariantKey();

    private sealed record ValidCampaign(string Name, string Channel, Guid SegmentId, string? Subject, string Body, List<CampaignVariant> Variants, DateTime? ScheduledAt);

    private async Task<ValidCampaign> ValidateAsync(CampaignRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, Campaign.NameMaxLength);
        var channel = request.Channel?.Trim().ToLowerInvariant();
        if (channel is not (MessageChannels.Email or MessageChannels.Sms))
        {
            v.Add("channel", "'channel' must be email or sms.");
        }

        var sms = channel == MessageChannels.Sms;
        var bodyMax = sms ? Campaign.SmsBodyMaxLength : Campaign.BodyMaxLength;
        if (request.SegmentId is null)
        {
            v.Add("segmentId", "'segmentId' is required: the segment the campaign goes to.");
        }

        var variants = new List<CampaignVariant>();
        var requested = request.Variants ?? [];
        if (requested.Count == 1 || requested.Count > Campaign.MaxVariants)
        {
            v.Add("variants", $"A campaign has no variants or 2 to {Campaign.MaxVariants}.");
        }

        string? subject = null;
        string body;
        if (requested.Count == 0)
        {
            subject = sms ? null : v.Required("subject", request.Subject, Campaign.SubjectMaxLength);
            body = v.MultilineText("body", request.Body, bodyMax, required: true) ?? "";
            Placeholders(v, "body", subject, body);
        }
        else
        {
            subject = sms ? null : v.Text("subject", request.Subject, Campaign.SubjectMaxLength);
            body = v.MultilineText("body", request.Body, bodyMax, required: false) ?? "";
            for (var i = 0; i < requested.Count; i++)
            {
                var r = requested[i];
                var field = $"variants[{i}]";
                if (r is null)
                {
                    v.Add(field, "A variant is an object {key, subject?, body, weight}.");
                    continue;
                }

                var key = r.Key?.Trim() ?? "";
                if (!VariantKey().IsMatch(key))
                {
                    v.Add($"{field}.key", "A variant's key is 1–32 lower-case letters, digits, '-' or '_'.");
                }
                else if (variants.Any(x => x.Key == key))
                {
                    v.Add($"{field}.key", $"The key '{key}' is used twice.");
                }

                var variantSubject = sms ? null : v.Text($"{field}.subject", r.Subject, Campaign.SubjectMaxLength) ?? subject;
                if (!sms && variantSubject is null)
                {
                    v.Add($"{field}.subject", "Each variant needs a subject, its own or the campaign's.");
                }

                var variantBody = v.MultilineText($"{field}.body", r.Body, bodyMax, required: true) ?? "";
                var weight = r.Weight ?? 1;
                if (weight is < 1 or > 1000)
                {
                    v.Add($"{field}.weight", "A variant's weight is a whole number from 1 to 1000.");
                }

                Placeholders(v, $"{field}.body", variantSubject, variantBody);
                variants.Add(new CampaignVariant(key, variantSubject, variantBody, weight));
            }

            if (body.Length == 0 && variants.Count > 0)
            {
                body = variants[0].Body;
                subject ??= variants[0].Subject;
            }
        }

        var scheduledAt = request.ScheduledAt?.UtcDateTime;
        v.ThrowIfInvalid();
        if (!await db.Set<Segments.Segment>().AnyAsync(s => s.Id == request.SegmentId, ct))
        {
            throw Errors.Unprocessable("unknown_segment", $"No segment has the id {request.SegmentId}.");
        }

        return new ValidCampaign(name, channel!, request.SegmentId!.Value, subject, body, variants, scheduledAt);
    }

    private static void Placeholders(Validation v, string field, string? subject, string? body)
    {
        var unknown = TemplateRenderer.PlaceholdersIn(subject, body).Where(p => !CampaignRenderer.Placeholders.Contains(p, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            v.Add(field, $"Unknown placeholders: {string.Join(", ", unknown.Select(p => "{{" + p + "}}"))}. A campaign may use: {string.Join(", ", CampaignRenderer.Placeholders.Select(p => "{{" + p + "}}"))}.");
        }
    }

    private static StorekeepException AlreadySent(CampaignStatus status) =>
        Errors.Conflict("campaign_already_sent", $"The campaign is {Snake(status)}: a campaign is sent once.");

    private static string Snake(CampaignStatus status) => status.ToString().ToLowerInvariant();
}

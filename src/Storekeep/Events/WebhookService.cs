using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Events;

public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Events, bool Active, DateTime CreatedAt)
{
    internal static WebhookView From(Webhook w) => new(w.Id, w.Url, w.Events.Split(','), w.IsActive, w.CreatedAt);
}

/// <summary>The one response that shows the signing secret in full.</summary>
public sealed record CreatedWebhook(Guid Id, string Url, IReadOnlyList<string> Events, bool Active, string Secret, DateTime CreatedAt);

public sealed record DeliveryView(
    Guid Id,
    Guid EventId,
    string EventType,
    DeliveryStatus Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTime NextAttemptAt,
    DateTime? DeliveredAt,
    DateTime CreatedAt);

/// <summary>Webhook subscriptions and their delivery log.</summary>
public sealed class WebhookService(StorekeepDbContext db, TimeProvider clock, OutboxSignal signal, WebhookAddressPolicy addresses)
{
    public const string AllEvents = "*";
    public const int MaxUrlLength = 2000;

    public async Task<CreatedWebhook> CreateAsync(string? url, IReadOnlyList<string?>? events, CancellationToken ct)
    {
        var validation = new Validation();
        var checkedUrl = ValidUrl(validation, url);
        var types = ValidEventTypes(validation, events);
        validation.ThrowIfInvalid();
        await addresses.EnsureAllowedAsync(new Uri(checkedUrl), ct);

        var webhook = new Webhook
        {
            Url = checkedUrl,
            Events = string.Join(',', types),
            Secret = WebhookSignature.NewSecret(),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(ct);
        return new CreatedWebhook(webhook.Id, webhook.Url, types, webhook.IsActive, webhook.Secret, webhook.CreatedAt);
    }

    /// <summary>Active webhooks, oldest first.</summary>
    public async Task<Page<WebhookView>> ListAsync(int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var query = db.Webhooks.AsNoTracking().Where(w => w.IsActive);
        if (after is { } afterId)
        {
            query = query.Where(w => w.Id.CompareTo(afterId) > 0);
        }

        var rows = await query.OrderBy(w => w.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(WebhookView.From).ToList();
        return new Page<WebhookView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<WebhookView> GetAsync(Guid id, CancellationToken ct) => WebhookView.From(await FindActiveAsync(id, ct));

    /// <summary>
    /// Deactivates the webhook (its delivery log stays for the record) and fails its pending
    /// deliveries so nothing more is sent to it.
    /// </summary>
    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        await db.InTransactionAsync(async token =>
        {
            var webhook = await FindActiveAsync(id, token);
            webhook.IsActive = false;
            await db.WebhookDeliveries.Where(d => d.WebhookId == id && d.Status == DeliveryStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Failed).SetProperty(d => d.LastError, "The webhook was deleted."), token);
        }, ct);
    }

    /// <summary>The webhook's deliveries, newest first.</summary>
    public async Task<Page<DeliveryView>> DeliveriesAsync(Guid webhookId, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeGuid(cursor);
        await FindActiveAsync(webhookId, ct);
        var deliveries = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId);
        if (before is { } beforeId)
        {
            deliveries = deliveries.Where(d => d.Id.CompareTo(beforeId) < 0);
        }

        var rows = await (
            from d in deliveries.OrderByDescending(d => d.Id).Take(take + 1)
            join e in db.OutboxEvents on d.EventId equals e.Id
            orderby d.Id descending
            select new DeliveryView(d.Id, d.EventId, e.Type, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.DeliveredAt, d.CreatedAt))
            .ToListAsync(ct);
        var items = rows.Take(take).ToList();
        return new Page<DeliveryView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>
    /// Makes a delivery due now, whatever its state (a receiver may have lost a succeeded one too).
    /// Attempts are kept, so a delivery that had given up gets one more attempt per manual retry.
    /// </summary>
    public async Task<DeliveryView> RetryAsync(Guid webhookId, Guid deliveryId, CancellationToken ct)
    {
        await FindActiveAsync(webhookId, ct);
        var before = await (
            from d in db.WebhookDeliveries.AsNoTracking()
            where d.Id == deliveryId && d.WebhookId == webhookId
            join e in db.OutboxEvents on d.EventId equals e.Id
            select new DeliveryView(d.Id, d.EventId, e.Type, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.DeliveredAt, d.CreatedAt))
            .SingleOrDefaultAsync(ct) ?? throw Errors.NotFound("Delivery", deliveryId.ToString());

        // The lease is left alone: an attempt in flight finishes and records its own outcome.
        var now = clock.GetUtcNow().UtcDateTime;
        await db.WebhookDeliveries.Where(d => d.Id == deliveryId)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, now), ct);
        signal.Notify();

        // What the retry did, not a re-read that may already show the new attempt.
        return before with { Status = DeliveryStatus.Pending, NextAttemptAt = now };
    }

    private async Task<Webhook> FindActiveAsync(Guid id, CancellationToken ct) =>
        await db.Webhooks.SingleOrDefaultAsync(w => w.Id == id && w.IsActive, ct) ?? throw Errors.NotFound("Webhook", id.ToString());

    private static string ValidUrl(Validation validation, string? url)
    {
        var text = validation.Required("url", url, MaxUrlLength);
        if (text.Length > 0 && text.Length <= MaxUrlLength &&
            !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0))
        {
            validation.Add("url", "'url' must be an absolute http or https URL.");
        }

        return text;
    }

    private static List<string> ValidEventTypes(Validation validation, IReadOnlyList<string?>? events)
    {
        if (events is null || events.Count == 0)
        {
            validation.Add("events", $"'events' must list at least one event type, or \"{AllEvents}\".");
            return [];
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not { } type || (type != AllEvents && !EventTypes.All.Contains(type, StringComparer.Ordinal)))
            {
                validation.Add($"events[{i}]", $"'{events[i]}' is not an event type; use one of: {string.Join(", ", EventTypes.All)}, or \"{AllEvents}\".");
            }
        }

        return events.Contains(AllEvents) ? [AllEvents] : events.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
    }
}

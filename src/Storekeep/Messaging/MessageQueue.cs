using Microsoft.EntityFrameworkCore;
using MimeKit;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Messaging;

/// <summary>
/// Queues a message in the caller's unit of work: it is rendered now and added to the scoped
/// <see cref="StorekeepDbContext"/> without saving, so it commits with the change that justifies it
/// or not at all. The deliverer sends it after that commit.
/// </summary>
public sealed class MessageQueue(StorekeepDbContext db, StoreSettingsService storeSettings, EmailSettings settings, UnsubscribeLinks unsubscribeLinks, TimeProvider clock)
{
    private readonly Dictionary<string, MessageTemplate?> _stored = new(StringComparer.Ordinal);

    /// <summary>Dedupe keys <see cref="CheckDedupeKeysAsync"/> found unsaved, not yet queued.</summary>
    private readonly HashSet<string> _checkedAbsent = new(StringComparer.Ordinal);

    /// <summary>
    /// Renders <paramref name="type"/>'s template (the store's override, or the built-in default)
    /// with <paramref name="values"/> and the store's own values (<c>store.name</c>, <c>store.address</c>,
    /// <c>store.url</c>), and adds the message to the current unit of work. With a
    /// <paramref name="dedupeKey"/> already queued (saved or in this unit of work), returns that
    /// message and adds nothing: the same fact never queues two messages.
    /// </summary>
    /// <exception cref="ArgumentException">The type is not one of <see cref="MessageTypes"/>.</exception>
    /// <exception cref="StorekeepException"><c>invalid_recipient</c> (422) when <paramref name="to"/> is not a plain email address.</exception>
    public async Task<Message> QueueAsync(string type, string to, IReadOnlyDictionary<string, string?> values, string? dedupeKey, CancellationToken ct)
    {
        var definition = BuiltInTemplates.Find(type) ?? throw new ArgumentException($"'{type}' is not a message type.", nameof(type));
        var recipient = ValidRecipient(to);
        if (dedupeKey is not null)
        {
            if (dedupeKey.Length > Message.MaxDedupeKeyLength)
            {
                throw new ArgumentException($"A dedupe key is at most {Message.MaxDedupeKeyLength} characters.", nameof(dedupeKey));
            }

            var queued = db.ChangeTracker.Entries<Message>().Select(e => e.Entity).FirstOrDefault(m => m.DedupeKey == dedupeKey)
                ?? (_checkedAbsent.Remove(dedupeKey) ? null : await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.DedupeKey == dedupeKey, ct));
            if (queued is not null)
            {
                return queued;
            }
        }

        var id = Ids.NewId();
        string? unsubscribe = null;
        if (MessageTypes.Marketing.Contains(type))
        {
            // Marketing: the link is shown in the body and sent as the List-Unsubscribe headers.
            unsubscribe = unsubscribeLinks.For(id);
            values = new Dictionary<string, string?>(values, StringComparer.Ordinal) { [MessageTypes.UnsubscribeUrlValue] = unsubscribe };
        }

        var rendered = await RenderAsync(definition, values, ct);
        if (unsubscribe is not null)
        {
            rendered = WithUnsubscribeLink(rendered, unsubscribe);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var message = new Message
        {
            Id = id,
            To = recipient,
            Type = type,
            Subject = Cap(rendered.Subject, Message.MaxSubjectLength),
            HtmlBody = Cap(rendered.Html, Message.MaxHtmlLength),
            TextBody = Cap(rendered.Text, Message.MaxTextLength),
            Status = MessageStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            DedupeKey = dedupeKey,
            OrderId = values.TryGetValue(OrderIdValue, out var orderId) && Guid.TryParse(orderId, out var order) ? order : null,
            UnsubscribeUrl = unsubscribe,
            ReplyTo = values.TryGetValue(ReplyToValue, out var replyTo) && !string.IsNullOrWhiteSpace(replyTo) ? ValidRecipient(replyTo) : null,
        };
        db.Messages.Add(message);
        return message;
    }

    /// <summary>
    /// Checks <paramref name="dedupeKeys"/> against the saved messages in one query (per 500), so a
    /// batch's <see cref="QueueAsync"/> calls need not each ask: a key found absent is not asked
    /// again by the next QueueAsync with it (which adds its message, or finds it in this unit of work).
    /// </summary>
    public async Task CheckDedupeKeysAsync(IReadOnlyCollection<string> dedupeKeys, CancellationToken ct)
    {
        foreach (var chunk in dedupeKeys.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var saved = await db.Messages.AsNoTracking().Where(m => m.DedupeKey != null && chunk.Contains(m.DedupeKey)).Select(m => m.DedupeKey!).ToListAsync(ct);
            _checkedAbsent.UnionWith(chunk.Except(saved, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Adds an already rendered campaign message to the current unit of work. The caller (a campaign's
    /// dispatcher) has claimed the recipient in the same transaction, and <paramref name="dedupeKey"/> is
    /// unique, so a recipient gets one message however often dispatch is retried or on how many nodes.
    /// </summary>
    public Message QueueCampaignMessage(CampaignMessage composed)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new Message
        {
            Id = composed.Id ?? Storekeep.Shared.Ids.NewId(),
            Channel = composed.Channel,
            To = composed.Channel == MessageChannels.Sms ? composed.To : composed.To.ToLowerInvariant(),
            Type = MessageTypes.Campaign,
            Subject = Cap(composed.Subject, Message.MaxSubjectLength),
            HtmlBody = Cap(composed.Html, Message.MaxHtmlLength),
            TextBody = Cap(composed.Text, Message.MaxTextLength),
            Status = MessageStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            DedupeKey = composed.DedupeKey,
            CampaignId = composed.CampaignId,
            UnsubscribeUrl = composed.UnsubscribeUrl,
        };
        db.Messages.Add(message);
        return message;
    }

    /// <summary>A value that is not a placeholder: links the message to its order in the log.</summary>
    public const string OrderIdValue = "_orderId";

    /// <summary>A value that is not a placeholder: the message's <c>Reply-To</c> address.</summary>
    public const string ReplyToValue = "_replyTo";

    /// <summary>Renders the template the store uses for <paramref name="definition"/> (override or default).</summary>
    public async Task<RenderedMessage> RenderAsync(TemplateDefinition definition, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        // Read once per unit of work: a batch of order emails renders the same template many times.
        if (!_stored.TryGetValue(definition.Key, out var stored))
        {
            stored = await db.MessageTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == definition.Key, ct);
            _stored[definition.Key] = stored;
        }

        return await RenderAsync(stored?.Subject ?? definition.Subject, stored?.Html ?? definition.Html, stored?.Text ?? definition.Text, values, ct);
    }

    /// <summary>Renders the given template text with <paramref name="values"/> plus the store's values.</summary>
    public async Task<RenderedMessage> RenderAsync(string subject, string html, string text, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        var store = await storeSettings.GetAsync(ct);
        var all = new Dictionary<string, string?>(values, StringComparer.Ordinal)
        {
            [BuiltInTemplates.StoreName] = store.Name,
            [BuiltInTemplates.StoreAddress] = store.Address ?? "",
            [BuiltInTemplates.StoreUrl] = settings.PublicUrl,
        };
        return TemplateRenderer.Render(subject, html, text, all);
    }

    /// <summary>A link into the storefront (<c>Store:PublicUrl</c> + path).</summary>
    public string Link(string path) => settings.PublicUrl + (path.StartsWith('/') ? path : "/" + path);

    internal static string ValidRecipient(string? to)
    {
        var address = to?.Trim() ?? "";
        if (address.Length == 0 || address.Length > Message.MaxToLength || address.Any(char.IsControl) ||
            !MailboxAddress.TryParse(address, out var mailbox) || !string.Equals(mailbox.Address, address, StringComparison.Ordinal) || !address.Contains('@', StringComparison.Ordinal))
        {
            throw Errors.Unprocessable("invalid_recipient", "The recipient is not a plain email address.");
        }

        // One spelling per address, so the log filters by recipient reliably.
        return address.ToLowerInvariant();
    }

    /// <summary>A store's own version of a marketing template may leave out <c>{{unsubscribe_url}}</c>: the link is then added at the foot, as it must be visible.</summary>
    private static RenderedMessage WithUnsubscribeLink(RenderedMessage rendered, string url)
    {
        var html = rendered.Html;
        if (!html.Contains(url, StringComparison.Ordinal))
        {
            var footer = $"<p style=\"color:#777;font-size:12px\"><a href=\"{System.Net.WebUtility.HtmlEncode(url)}\">Unsubscribe</a> with one click.</p>\n";
            var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
            html = end < 0 ? html + footer : html.Insert(end, footer);
        }

        var text = rendered.Text.Contains(url, StringComparison.Ordinal) ? rendered.Text : rendered.Text + "\nUnsubscribe: " + url + "\n";
        return rendered with { Html = html, Text = text };
    }

    private static string Cap(string text, int max) => text.Length <= max ? text : text[..max];
}

/// <summary>A campaign's message to one recipient, rendered by the Campaigns capability.</summary>
public sealed record CampaignMessage(
    string Channel,
    string To,
    string Subject,
    string Html,
    string Text,
    string? DedupeKey,
    Guid CampaignId,
    string? UnsubscribeUrl)
{
    /// <summary>The message's id: a campaign uses its recipient's id, so delivery outcomes join without another key.</summary>
    public Guid? Id { get; init; }
}

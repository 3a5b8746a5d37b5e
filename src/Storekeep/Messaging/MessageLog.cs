using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Messaging;

/// <summary>One message in the log (without its bodies).</summary>
public sealed record MessageView(
    Guid Id,
    string Channel,
    string To,
    string Type,
    string Subject,
    MessageStatus Status,
    int Attempts,
    DateTime? SentAt,
    Guid? CampaignId,
    Guid? OrderId,
    string? LastError,
    DateTime NextAttemptAt,
    DateTime CreatedAt)
{
    /// <summary>The projection, usable in queries and on a message in hand.</summary>
    public static readonly Expression<Func<Message, MessageView>> Projection = m =>
        new MessageView(m.Id, m.Channel, m.To, m.Type, m.Subject, m.Status, m.Attempts, m.SentAt, m.CampaignId, m.OrderId, m.LastError, m.NextAttemptAt, m.CreatedAt);

    private static readonly Func<Message, MessageView> Compiled = Projection.Compile();

    public static MessageView Of(Message message) => Compiled(message);
}

/// <summary>One message with its bodies; <see cref="BodyHidden"/> when they hold a reset or verification link.</summary>
public sealed record MessageDetailView(
    Guid Id,
    string Channel,
    string To,
    string Type,
    string Subject,
    MessageStatus Status,
    int Attempts,
    DateTime? SentAt,
    Guid? CampaignId,
    Guid? OrderId,
    string? LastError,
    DateTime NextAttemptAt,
    DateTime CreatedAt,
    string? HtmlBody,
    string? TextBody,
    bool BodyHidden);

/// <summary>The message log: what was queued, sent, logged or failed, and a manual retry.</summary>
public sealed class MessageLog(StorekeepDbContext db, TimeProvider clock, MessageSignal signal)
{
    /// <summary>Newest first, filtered by recipient, type and status.</summary>
    public async Task<Page<MessageView>> ListAsync(string? to, string? type, string? status, int? limit, string? cursor, CancellationToken ct)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeGuid(cursor);
        var v = new Validation();
        var recipient = v.Text("to", to, Message.MaxToLength)?.ToLowerInvariant();
        var messageType = v.Text("type", type, 64);
        if (messageType is not null && !MessageTypes.IsKnown(messageType))
        {
            v.Add("type", $"'type' must be one of: {string.Join(", ", MessageTypes.Logged)}.");
        }

        MessageStatus? wanted = null;
        if (v.Text("status", status, 32) is { } statusText)
        {
            wanted = ParseStatus(statusText);
            if (wanted is null)
            {
                v.Add("status", "'status' must be one of: pending, sent, failed, logged.");
            }
        }

        v.ThrowIfInvalid();
        var query = db.Messages.AsNoTracking();
        if (recipient is not null)
        {
            query = query.Where(m => m.To == recipient);
        }

        if (messageType is not null)
        {
            query = query.Where(m => m.Type == messageType);
        }

        if (wanted is { } s)
        {
            query = query.Where(m => m.Status == s);
        }

        if (before is { } beforeId)
        {
            query = query.Where(m => m.Id.CompareTo(beforeId) < 0);
        }

        var rows = await query.OrderByDescending(m => m.Id).Take(take + 1)
            .Select(MessageView.Projection)
            .ToListAsync(ct);
        var items = rows.Take(take).ToList();
        return new Page<MessageView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<MessageDetailView> GetAsync(Guid id, CancellationToken ct)
    {
        var m = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw Errors.NotFound("Message", id.ToString());
        var hidden = MessageTypes.HoldsSecrets.Contains(m.Type);
        return new MessageDetailView(
            m.Id, m.Channel, m.To, m.Type, m.Subject, m.Status, m.Attempts, m.SentAt, m.CampaignId, m.OrderId, m.LastError, m.NextAttemptAt, m.CreatedAt,
            hidden ? null : m.HtmlBody, hidden ? null : m.TextBody, hidden);
    }

    /// <summary>
    /// Makes a failed or logged message (or a pending one waiting for its next attempt) due now.
    /// A sent message is never sent again: 409 <c>message_already_sent</c>.
    /// </summary>
    public async Task<MessageView> RetryAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;

        // Guarded: a message the deliverer marks sent meanwhile stays sent. The lease is left alone,
        // so an attempt in flight finishes and records its own outcome.
        var changed = await db.Messages.Where(m => m.Id == id && m.Status != MessageStatus.Sent)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Pending).SetProperty(m => m.NextAttemptAt, now), ct);
        var view = await db.Messages.AsNoTracking().Where(m => m.Id == id)
            .Select(MessageView.Projection)
            .SingleOrDefaultAsync(ct) ?? throw Errors.NotFound("Message", id.ToString());
        if (changed == 0)
        {
            throw Errors.Conflict("message_already_sent", "This message was already sent; it is never sent twice.");
        }

        signal.Notify();
        return view;
    }

    internal static MessageStatus? ParseStatus(string text) => text switch
    {
        "pending" => MessageStatus.Pending,
        "sent" => MessageStatus.Sent,
        "failed" => MessageStatus.Failed,
        "logged" => MessageStatus.Logged,
        _ => null,
    };
}

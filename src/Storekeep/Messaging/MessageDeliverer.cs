using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Storekeep.Data;
using Storekeep.Store;

namespace Storekeep.Messaging;

/// <summary>
/// Sends due messages. A batch is claimed by one guarded UPDATE that sets a lease, so two nodes never
/// send the same message at once; each message renews that lease as its attempt begins, and the outcome is written back only while that lease is still ours.
/// No transaction stays open across the SMTP conversation. A node that dies after the SMTP server
/// accepted a message but before recording it lets the lease expire, and the message is sent again:
/// the stable Message-Id (from the message id) lets mail systems recognise that rare duplicate.
/// With no SMTP server configured, a due message is written to the log and kept as <c>logged</c>.
/// </summary>
public sealed partial class MessageDeliverer(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    EmailSettings settings,
    ISmsSender sms,
    SmtpConnections connections,
    ILogger<MessageDeliverer> logger)
{
    private const string NoSms = "No SMS provider is configured (Sms:Provider is log): the message was written to the log instead.";
    private const string NoSmtp = "No SMTP server is configured (Email:Smtp:Host): the message was written to the log instead. Configure SMTP and retry it to send it.";

    private readonly MailboxAddress _from = ParseFrom(settings.From);

    /// <summary>Attempts the messages due now, a few at a time; returns how many this node attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> claimed;
        DateTime claim;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            claim = Shared.Retries.LeaseToken(now + settings.Lease);
            claimed = await Shared.Retries.ClaimDueAsync(db, "messages", null, now, claim, settings.BatchSize, ct);
        }

        return await Shared.Retries.AttemptEachAsync(claimed, settings.Concurrency, (id, token) => DeliverAsync(id, claim, token), ct);
    }

    /// <summary>Sends and records one message this node claimed; false when its claim ran out and another node has it.</summary>
    private async Task<bool> DeliverAsync(Guid messageId, DateTime claim, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;

        // The attempt's own lease, taken only while the batch's claim still holds (see
        // Retries.RenewLeaseAsync); the statement that renews it also answers the message.
        var lease = Shared.Retries.LeaseToken(now + settings.Lease);
        var renewed = await db.Messages
            .FromSqlRaw("UPDATE messages SET lease_until = {0} WHERE id = {1} AND lease_until = {2} RETURNING *", lease, messageId, claim)
            .AsNoTracking().ToListAsync(ct);
        if (renewed is not [var message])
        {
            return false;
        }

        var mine = db.Messages.Where(m => m.Id == messageId && m.LeaseUntil == lease);
        var isSms = message.Channel == MessageChannels.Sms;
        if (isSms ? !sms.Sends : settings.SmtpHost is null)
        {
            LogWithoutSmtp(message.Id, message.Type, message.To, message.Subject, message.TextBody);
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Logged)
                .SetProperty(m => m.LastError, isSms ? NoSms : NoSmtp)
                .SetProperty(m => m.LeaseUntil, (DateTime?)null), CancellationToken.None);
            return true;
        }

        var attempts = message.Attempts + 1;
        (string? Error, bool Permanent) outcome;
        try
        {
            if (isSms)
            {
                var sent = await sms.SendAsync(message.To, message.TextBody, ct);
                outcome = (sent.Error, sent.Permanent);
            }
            else
            {
                var storeName = (await scope.ServiceProvider.GetRequiredService<StoreSettingsService>().GetAsync(ct)).Name;
                outcome = await SendAsync(ToMime(message, storeName), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: hand the message back at once instead of waiting for the lease to expire.
            await mine.ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, (DateTime?)null), CancellationToken.None);
            throw;
        }

        var finished = clock.GetUtcNow().UtcDateTime;
        if (outcome.Error is null)
        {
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Sent)
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.SentAt, finished)
                .SetProperty(m => m.LeaseUntil, (DateTime?)null), CancellationToken.None);
            return true;
        }

        var givesUp = outcome.Permanent || attempts >= settings.MaxAttempts;
        var next = finished + settings.RetryDelay(attempts);
        var error = outcome.Error.Length > Message.MaxErrorLength ? outcome.Error[..Message.MaxErrorLength] : outcome.Error;
        await mine.ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Status, givesUp ? MessageStatus.Failed : MessageStatus.Pending)
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LeaseUntil, (DateTime?)null), CancellationToken.None);
        if (givesUp)
        {
            LogGaveUp(messageId, message.To, attempts, error);
        }
        else
        {
            LogFailed(messageId, message.To, attempts, error, next);
        }

        return true;
    }

    /// <summary>The MIME form of a message; its Message-Id is derived from the message id, so a resend carries the same one.</summary>
    public MimeMessage ToMime(Message message, string storeName)
    {
        var from = new MailboxAddress(string.IsNullOrEmpty(_from.Name) ? storeName : _from.Name, _from.Address);
        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Date = message.CreatedAt;
        mime.MessageId = $"{message.Id:N}@{from.Domain}";
        if (message.ReplyTo is { } replyTo)
        {
            mime.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        mime.Body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody }.ToMessageBody();
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058: mail clients show an unsubscribe button that POSTs to this address, no sign-in.
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return mime;
    }

    private async Task<(string? Error, bool Permanent)> SendAsync(MimeMessage mime, CancellationToken ct)
    {
        try
        {
            await connections.SendAsync(mime, ct);
            return (null, false);
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)e.StatusCode >= 500)
        {
            // The server refuses this address for good: retrying cannot help.
            return ($"The SMTP server refused the recipient: {e.Message}", true);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure to reach or talk to the SMTP server is recorded and retried.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ($"{e.GetType().Name}: {e.Message}", false);
        }
    }

    private static MailboxAddress ParseFrom(string from) =>
        MailboxAddress.TryParse(from, out var address) && address.Address.Contains('@', StringComparison.Ordinal)
            ? address
            : throw new InvalidOperationException($"Email:From must be an email address, optionally with a name (\"Shop <shop@example.com>\"); it is '{from}'.");


    [LoggerMessage(Level = LogLevel.Information, Message = "No SMTP server configured; message {MessageId} ({Type}) to {To} kept as logged. Subject: {Subject}\n{TextBody}")]
    private partial void LogWithoutSmtp(Guid messageId, string type, string to, string subject, string textBody);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} to {To} failed (attempt {Attempts}): {Error} Next attempt at {NextAttemptAt:O}.")]
    private partial void LogFailed(Guid messageId, string to, int attempts, string error, DateTime nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} to {To} failed {Attempts} times and is marked failed: {Error} It can be retried by hand.")]
    private partial void LogGaveUp(Guid messageId, string to, int attempts, string error);
}

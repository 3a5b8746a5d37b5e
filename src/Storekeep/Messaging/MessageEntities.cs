using Storekeep.Shared;

namespace Storekeep.Messaging;

public enum MessageStatus
{
    /// <summary>Waiting to be sent (first attempt or a retry after a failure).</summary>
    Pending,

    /// <summary>Handed to the SMTP server.</summary>
    Sent,

    /// <summary>Gave up after <c>Email:MaxAttempts</c>; a manual retry makes it pending again.</summary>
    Failed,

    /// <summary>No SMTP server was configured when it fell due: written to the log and kept.</summary>
    Logged,
}

/// <summary>Where a message goes out: email over SMTP, or SMS through the configured provider.</summary>
public static class MessageChannels
{
    public const string Email = "email";
    public const string Sms = "sms";
}

/// <summary>
/// One outgoing message, rendered when queued and written in the same transaction as the change
/// that justifies it. The deliverer sends it after that commit; the row is also the message log.
/// </summary>
public sealed class Message
{
    public const int MaxToLength = 320;
    public const int MaxSubjectLength = 300;
    public const int MaxHtmlLength = 200_000;
    public const int MaxTextLength = 100_000;
    public const int MaxDedupeKeyLength = 200;
    public const int MaxErrorLength = 2000;
    public const int MaxUrlLength = 500;

    public Guid Id { get; init; } = Ids.NewId();
    public string Channel { get; init; } = MessageChannels.Email;
    public required string To { get; init; }

    /// <summary>The template key (see <see cref="MessageTypes"/>).</summary>
    public required string Type { get; init; }

    public required string Subject { get; init; }
    public required string HtmlBody { get; init; }
    public required string TextBody { get; init; }
    public MessageStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }

    /// <summary>While set in the future, one node owns this message; others skip it.</summary>
    public DateTime? LeaseUntil { get; set; }

    public string? LastError { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? SentAt { get; set; }

    /// <summary>
    /// The business fact this message is about (e.g. <c>order_confirmation:&lt;event id&gt;</c>).
    /// Unique, so the same fact can never queue two messages.
    /// </summary>
    public string? DedupeKey { get; init; }

    public Guid? CampaignId { get; init; }
    public Guid? OrderId { get; init; }

    /// <summary>
    /// Marketing email only: the one-click unsubscribe address, sent as the RFC 8058
    /// <c>List-Unsubscribe</c> and <c>List-Unsubscribe-Post</c> headers.
    /// </summary>
    public string? UnsubscribeUrl { get; init; }

    /// <summary>Where replies go (<c>Reply-To</c>), when not to the sender: a support ticket's own address.</summary>
    public string? ReplyTo { get; init; }
}

/// <summary>A store's own version of a built-in template; deleting it restores the default.</summary>
public sealed class MessageTemplate
{
    public const int MaxSubjectLength = 300;
    public const int MaxHtmlLength = 100_000;
    public const int MaxTextLength = 50_000;

    public required string Key { get; init; }
    public required string Subject { get; set; }
    public required string Html { get; set; }
    public required string Text { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// An inbound SMS (Twilio's MessageSid) that was acted on: Twilio retries webhooks, and a replayed
/// STOP must not withdraw consent the customer gave again in between. Table <c>inbound_sms</c>.
/// </summary>
public sealed class InboundSms
{
    public const int MaxSidLength = 64;

    /// <summary>How long a handled MessageSid is kept: Twilio retries a webhook within hours, never weeks later.</summary>
    public const int KeptDays = 30;

    public required string MessageSid { get; init; }
    public DateTime ReceivedAt { get; init; }
}

using System.Security.Cryptography;
using Storekeep.Shared;

namespace Storekeep.Campaigns;

/// <summary>Where a campaign stands: drafted, waiting for its time, being sent, sent, or cancelled.</summary>
public enum CampaignStatus
{
    Draft,
    Scheduled,
    Sending,
    Sent,
    Cancelled,
}

/// <summary>
/// One message to a segment, by email or SMS, optionally in weighted variants (an A/B test of
/// subject and body). Sending writes one <see cref="CampaignRecipient"/> per consenting member at
/// once, then the dispatcher turns them into messages at the configured rate.
/// </summary>
public sealed class Campaign
{
    public const int NameMaxLength = 200;
    public const int SubjectMaxLength = 300;
    public const int BodyMaxLength = 100_000;
    public const int SmsBodyMaxLength = 1_600;
    public const int MaxVariants = 5;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Name { get; set; }

    /// <summary><c>email</c> or <c>sms</c> (see <see cref="Messaging.MessageChannels"/>).</summary>
    public required string Channel { get; init; }

    public Guid SegmentId { get; set; }

    /// <summary>The email subject (none for SMS).</summary>
    public string? Subject { get; set; }

    /// <summary>The text, with <c>{{placeholders}}</c>; for email, light markup: paragraphs by blank lines and links as written.</summary>
    public required string Body { get; set; }

    /// <summary>The variants as JSON (<see cref="CampaignVariant"/>); none means everyone gets the subject and body above.</summary>
    public string Variants { get; set; } = "[]";

    public CampaignStatus Status { get; set; }
    public DateTime? ScheduledAt { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>When sending began (the recipients were written); the rate counts from here.</summary>
    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Consenting members of the segment when sending began.</summary>
    public int Recipients { get; set; }

    /// <summary>Recipients handed to the outbox so far (the dispatcher's progress).</summary>
    public int Dispatched { get; set; }
}

/// <summary>One variant of a campaign: its key, its share of recipients, and its own subject and body.</summary>
public sealed record CampaignVariant(string Key, string? Subject, string Body, int Weight);

public enum RecipientStatus
{
    /// <summary>Written when sending began; not yet handed to the outbox.</summary>
    Pending,

    /// <summary>Its message is in the outbox (table <c>messages</c>, same id).</summary>
    Queued,

    /// <summary>The campaign was cancelled before this recipient's turn.</summary>
    Cancelled,
}

/// <summary>
/// One customer a campaign goes to, at most once (unique per campaign and customer). Its id is
/// also its message's id, so the outcome of delivery joins without another key; its token is the
/// unguessable part of its open pixel, click and unsubscribe links.
/// </summary>
public sealed class CampaignRecipient
{
    public const int TokenLength = 32;

    public Guid Id { get; init; } = Ids.NewId();
    public Guid CampaignId { get; init; }
    public Guid CustomerId { get; init; }
    public required string VariantKey { get; init; }

    /// <summary>The email address or E.164 phone number it goes to.</summary>
    public required string Address { get; init; }

    public string Token { get; init; } = NewToken();
    public RecipientStatus Status { get; set; }

    /// <summary>The dispatcher's claim while it writes this recipient's message.</summary>
    public Guid? ClaimId { get; set; }

    public DateTime? QueuedAt { get; set; }
    public DateTime? OpenedAt { get; set; }
    public DateTime? ClickedAt { get; set; }
    public DateTime? UnsubscribedAt { get; set; }

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenLength / 2));
}

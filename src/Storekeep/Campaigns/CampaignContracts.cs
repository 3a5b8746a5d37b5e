namespace Storekeep.Campaigns;

public static class CampaignPermissions
{
    /// <summary>See campaigns and their results.</summary>
    public const string Read = "campaigns.read";

    /// <summary>Create, change, test, send and cancel campaigns.</summary>
    public const string Write = "campaigns.write";
}

public sealed record CampaignVariantRequest(string? Key, string? Subject, string? Body, int? Weight);

/// <summary><c>POST /campaigns</c> and <c>PUT /campaigns/{id}</c> (while a draft or scheduled).</summary>
public sealed record CampaignRequest(
    string? Name,
    string? Channel,
    Guid? SegmentId,
    string? Subject,
    string? Body,
    IReadOnlyList<CampaignVariantRequest?>? Variants,
    DateTimeOffset? ScheduledAt);

/// <summary><c>POST /campaigns/{id}/test</c>: one copy to an address of the marketer's choosing, not counted in the results.</summary>
public sealed record CampaignTestRequest(string? To, string? Variant);

/// <summary><c>POST /campaigns/{id}/preview</c>: as a given customer would get it (or with sample values).</summary>
public sealed record CampaignPreviewRequest(Guid? CustomerId, string? Variant);

public sealed record CampaignPreview(string Variant, string? Subject, string Html, string Text);

/// <summary>
/// A variant's text and results (definitions in docs/marketing.md): recipients written when sending
/// began; sent and failed delivery outcomes; recipients who opened, clicked or unsubscribed at least
/// once; orders and revenue placed by a recipient within 7 days after their first click.
/// </summary>
public sealed record CampaignVariantView(
    string Key,
    string? Subject,
    string Body,
    int Weight,
    int Recipients,
    int Sent,
    int Failed,
    int Opened,
    int Clicked,
    int Unsubscribed,
    int Orders,
    decimal Revenue);

public sealed record CampaignView(
    Guid Id,
    string Name,
    string Channel,
    Guid SegmentId,
    string? Subject,
    string Body,
    CampaignStatus Status,
    DateTime? ScheduledAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    int Recipients,
    int Dispatched,
    int Sent,
    int Failed,
    int Opened,
    int Clicked,
    int Unsubscribed,
    int Orders,
    decimal Revenue,
    string Currency,
    IReadOnlyList<CampaignVariantView> Variants,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A line of the campaign list: what it is and how far it got (results on the campaign itself).</summary>
public sealed record CampaignSummary(
    Guid Id,
    string Name,
    string Channel,
    Guid SegmentId,
    CampaignStatus Status,
    DateTime? ScheduledAt,
    DateTime? StartedAt,
    int Recipients,
    int Dispatched,
    DateTime CreatedAt);

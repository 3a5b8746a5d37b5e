namespace Storekeep.Payments;

/// <summary>A Stripe event we accepted, keyed by Stripe's event id so a redelivery is acknowledged, not applied twice.</summary>
public sealed class StripeWebhookEvent
{
    public const int MaxIdLength = 255;
    public const int MaxTypeLength = 128;

    /// <summary>Stripe's event id (<c>evt_…</c>).</summary>
    public required string Id { get; init; }

    public required string Type { get; init; }
    public DateTime ReceivedAt { get; init; }
}

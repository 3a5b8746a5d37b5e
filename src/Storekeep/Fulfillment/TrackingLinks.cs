namespace Storekeep.Fulfillment;

/// <summary>Carriers' public tracking pages: one list for the shipping email and the shopper's order page.</summary>
public static class TrackingLinks
{
    /// <summary>The tracking page for a number, or null for a carrier we do not know (the number is shown alone).</summary>
    public static string? For(string carrier, string trackingNumber)
    {
        var number = Uri.EscapeDataString(trackingNumber);
        return carrier.Trim().ToLowerInvariant() switch
        {
            "ups" => $"https://www.ups.com/track?tracknum={number}",
            "usps" => $"https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            "fedex" => $"https://www.fedex.com/fedextrack/?trknbr={number}",
            "dhl" => $"https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
            "royal mail" or "royalmail" => $"https://www.royalmail.com/track-your-item#/tracking-results/{number}",
            "dpd" => $"https://www.dpd.com/tracking/?parcelNumber={number}",
            _ => null,
        };
    }
}

namespace Storekeep.Customers;

public static class CustomerPermissions
{
    /// <summary>Create customers and change their profile: names, phone, tags, note, consent.</summary>
    public const string Write = "customers.write";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error;
// on PATCH a missing (null) field is left as it is.

/// <param name="Accepted">True: consent given; false: withdrawn.</param>
/// <param name="Source">Where the answer came from (checkout, phone call, import…); "staff" when omitted.</param>
public sealed record ConsentChange(bool? Accepted, string? Source);

public sealed record ConsentRequest(ConsentChange? Email, ConsentChange? Sms);

public sealed record CustomerCreateRequest(
    string? Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? Company,
    string? Country,
    IReadOnlyList<string?>? Tags,
    string? Note,
    ConsentRequest? Consent);

/// <param name="Tags">Replaces every tag when present.</param>
/// <param name="Note">Replaces the note when present; "" clears it.</param>
public sealed record CustomerPatchRequest(
    string? FirstName,
    string? LastName,
    string? Phone,
    string? Company,
    IReadOnlyList<string?>? Tags,
    string? Note,
    ConsentRequest? Consent);

/// <summary>A consent answer: accepted or not, when and where it was last given or withdrawn (null time: never asked).</summary>
public sealed record ConsentView(bool Accepted, DateTime? At, string? Source);

public sealed record CustomerConsentView(ConsentView Email, ConsentView Sms);

/// <summary>
/// The customer's RFM figures (docs/crm.md): <paramref name="Recency"/> days since their last paid
/// order in the window, <paramref name="Frequency"/> paid orders in it, <paramref name="Monetary"/>
/// their net spend, <paramref name="Score"/> the three 1–5 scores ("545") and the segment name.
/// </summary>
public sealed record CustomerRfmView(int Recency, int Frequency, decimal Monetary, string Score, string Segment);

/// <summary>Points balance and tier, read from the Loyalty capability.</summary>
public sealed record CustomerLoyaltySummary(long Points, string? Tier);

/// <summary>A marketing touch that brought the customer: the first touch of their first attributed order, the last of their latest (docs/marketing.md).</summary>
/// <summary>The customer's first and last touch: of their earliest and latest attributed orders (docs/crm.md).</summary>
public sealed record CustomerAcquisitionView(Attribution.TouchView? FirstTouch, Attribution.TouchView? LastTouch)
{
    public static readonly CustomerAcquisitionView None = new(null, null);

    public static CustomerAcquisitionView Of(Attribution.AcquisitionView? acquisition) =>
        acquisition is null ? None : new(acquisition.FirstTouch, acquisition.LastTouch);
}

using Storekeep.Shared;

namespace Storekeep.Customers;

public sealed class Customer
{
    public const int NoteMaxLength = 4000;

    public Guid Id { get; init; } = Ids.NewId();
    public required string Email { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Phone { get; set; }
    public string? Company { get; set; }
    public string? Country { get; set; }
    public DateTime CreatedAt { get; init; }

    /// <summary>The business account the customer buys for, when a buyer (set through <see cref="CustomerRegistry.SetCompanyAsync"/>).</summary>
    public Guid? CompanyId { get; private set; }

    /// <summary>Staff's free-text note about the customer.</summary>
    public string? Note { get; set; }

    public DateTime? NoteUpdatedAt { get; set; }

    /// <summary>Email marketing consent: the latest answer, when and where it was given or withdrawn (never given: false, no time).</summary>
    public bool AcceptsEmail { get; private set; }

    public DateTime? EmailConsentAt { get; private set; }
    public string? EmailConsentSource { get; private set; }

    public bool AcceptsSms { get; private set; }
    public DateTime? SmsConsentAt { get; private set; }
    public string? SmsConsentSource { get; private set; }

    /// <summary>Records a consent answer; a repeated identical answer keeps the original time and source (the proof of when it was given).</summary>
    public void SetEmailConsent(bool accepted, string source, DateTime now)
    {
        if (EmailConsentAt is not null && AcceptsEmail == accepted)
        {
            return;
        }

        (AcceptsEmail, EmailConsentAt, EmailConsentSource) = (accepted, now, source);
    }

    public void SetSmsConsent(bool accepted, string source, DateTime now)
    {
        if (SmsConsentAt is not null && AcceptsSms == accepted)
        {
            return;
        }

        (AcceptsSms, SmsConsentAt, SmsConsentSource) = (accepted, now, source);
    }
}

/// <summary>One tag on a customer (table <c>customer_tags</c>); tags are lower-case so matching is exact in SQL.</summary>
public sealed class CustomerTag
{
    public const int MaxLength = 50;
    public const int MaxPerCustomer = 50;

    public Guid CustomerId { get; init; }
    public required string Tag { get; init; }
}

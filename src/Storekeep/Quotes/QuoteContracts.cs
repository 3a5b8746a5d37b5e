using Storekeep.Checkout;
using Storekeep.Data;

namespace Storekeep.Quotes;

/// <param name="UnitPrice">A negotiated price per unit; omitted: the company's price-list price for the quantity (else the regular price).</param>
public sealed record SalesQuoteLineRequest(string? Sku, int? Quantity, decimal? UnitPrice);

/// <summary><c>POST /sales/quotes</c>: to a company (its first buyer unless <see cref="Email"/> names one) or to an email.</summary>
public sealed record CreateSalesQuoteRequest(Guid? CompanyId, string? Email, Guid? DealId, IReadOnlyList<SalesQuoteLineRequest?>? Lines, DateOnly? ValidUntil, string? Note);

/// <summary><c>PUT /sales/quotes/{id}</c>: omitted fields stay; lines replace the current version's. A sent quote gets a new version.</summary>
public sealed record UpdateSalesQuoteRequest(string? Email, IReadOnlyList<SalesQuoteLineRequest?>? Lines, DateOnly? ValidUntil, string? Note);

/// <summary>How the buyer takes the quote: where it ships and how it is paid (card, a manual method the store takes, or the company's terms).</summary>
public sealed record AcceptSalesQuoteRequest(AddressRequest? ShippingAddress, string? ShippingMethod, PaymentRequest? Payment);

public sealed record SalesQuoteLineView(string Sku, string Title, int Quantity, decimal RegularPrice, decimal UnitPrice, bool Negotiated, decimal LineTotal);

/// <param name="Status">draft, sent, accepted, expired or declined.</param>
/// <param name="Total">Σ line totals, before shipping and tax (added at acceptance for the delivery address).</param>
/// <param name="AcceptUrl">The buyer's acceptance page (secret: whoever holds it may accept).</param>
public sealed record SalesQuoteView(
    Guid Id,
    string Number,
    int Version,
    string Status,
    Guid? CompanyId,
    string? CompanyName,
    string Email,
    Guid? DealId,
    DateOnly ValidUntil,
    string? Note,
    string Currency,
    decimal Total,
    string AcceptUrl,
    Guid? OrderId,
    long? OrderNumber,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? SentAt,
    DateTime? ClosedAt,
    IReadOnlyList<SalesQuoteLineView> Lines)
{
    /// <summary>Every version's number and total, oldest first (read one with <c>?version=</c>).</summary>
    public IReadOnlyList<SalesQuoteVersionView> Versions { get; init; } = [];

    /// <summary>The version whose lines are shown (the current one unless asked for another).</summary>
    public int LinesVersion { get; init; }
}

public sealed record SalesQuoteVersionView(int Version, decimal Total, int Lines);

public sealed record SalesQuoteSummary(Guid Id, string Number, int Version, string Status, Guid? CompanyId, string? CompanyName, string Email, Guid? DealId, DateOnly ValidUntil, decimal Total, string Currency, Guid? OrderId, DateTime CreatedAt);

/// <summary>What accepting a quote made: the order (and the quote as it now stands).</summary>
public sealed record SalesQuoteAcceptance(Guid OrderId, long OrderNumber, decimal OrderTotal, string PaymentStatus, SalesQuoteView Quote);

public static class QuoteNames
{
    public static string Name(QuoteStatus status) => StorekeepDbContext.ToSnakeCase(status.ToString());
}

using System.Text.Json.Serialization;

namespace Storekeep.Invoices;

public static class InvoicePermissions
{
    public const string Read = "invoices.read";
    public const string Write = "invoices.write";
}

/// <summary>The JSON names of an invoice's status, <c>overdue</c> derived (see docs/sales.md, "Terms and invoices").</summary>
public static class InvoiceStatuses
{
    public const string Open = "open";
    public const string PartiallyPaid = "partially_paid";
    public const string Paid = "paid";
    public const string Overdue = "overdue";
    public const string Void = "void";

    public static readonly IReadOnlyList<string> All = [Open, PartiallyPaid, Paid, Overdue, Void];
}

/// <summary>The methods an invoice payment may name.</summary>
public static class InvoicePaymentMethods
{
    public static readonly IReadOnlyList<string> All = ["bank_transfer", "check", "cash", "card", "other"];
}

public sealed record InvoicePaymentRequest(decimal? Amount, string? Method, string? Reference);

public sealed record InvoicePaymentView(Guid Id, decimal Amount, string Method, string? Reference, string RecordedBy, DateTime RecordedAt);

/// <param name="Status">open, partially_paid, paid, overdue (open or partially paid past dueAt) or void.</param>
/// <param name="DaysPastDue">Whole days past due, rounded up (0 when not yet due, paid or void).</param>
/// <param name="Payments">Only when one invoice is read; null in lists.</param>
public sealed record InvoiceView(
    Guid Id,
    string Number,
    Guid OrderId,
    long OrderNumber,
    Guid CompanyId,
    string CompanyName,
    string Currency,
    DateTime IssuedAt,
    DateTime DueAt,
    decimal Total,
    decimal AmountPaid,
    decimal AmountDue,
    string Status,
    int DaysPastDue,
    DateTime? VoidedAt,
    DateTime? ReminderSentAt,
    IReadOnlyList<InvoicePaymentView>? Payments);

/// <summary>Amount due by days past due (docs/sales.md, "Aging").</summary>
public sealed record AgingBuckets(
    decimal Current,
    [property: JsonPropertyName("1_30")] decimal Days1To30,
    [property: JsonPropertyName("31_60")] decimal Days31To60,
    [property: JsonPropertyName("61_90")] decimal Days61To90,
    [property: JsonPropertyName("over_90")] decimal Over90,
    decimal Total);

public sealed record CompanyAging(Guid CompanyId, string CompanyName, decimal? CreditLimit, decimal Outstanding, AgingBuckets Buckets);

public sealed record AgingReport(DateTime AsOf, string Currency, IReadOnlyList<CompanyAging> Companies, AgingBuckets Totals);

/// <summary>An order's line as the printed invoice shows it.</summary>
public sealed record InvoicePrintLine(string Sku, string Title, int Quantity, decimal UnitPrice, decimal Total);

public sealed record InvoicePrint(
    InvoiceView Invoice,
    string StoreName,
    string? StoreAddress,
    string BillTo,
    string? ShipToName,
    IReadOnlyList<InvoicePrintLine> Lines,
    decimal Subtotal,
    decimal DiscountTotal,
    decimal ShippingTotal,
    decimal TaxTotal,
    bool PricesIncludeTax);

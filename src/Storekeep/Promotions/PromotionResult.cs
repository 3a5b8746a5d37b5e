namespace Storekeep.Promotions;

/// <summary>A discount's share of one line (or of shipping), in minor units: what is stored with the order.</summary>
public sealed record DiscountAllocation(Guid DiscountId, long Amount);

/// <summary>A line after discounts: <see cref="LineTotal"/> = <see cref="Subtotal"/> − <see cref="DiscountTotal"/>, never below zero.</summary>
public sealed record DiscountedLine(
    string LineId,
    string Sku,
    long UnitPrice,
    int Quantity,
    long? CompareAtPrice,
    long Subtotal,
    IReadOnlyList<DiscountAllocation> Allocations,
    long DiscountTotal,
    long LineTotal);

/// <summary>A discount the cart got, and how much it saved in all.</summary>
public sealed record AppliedDiscount(Guid DiscountId, string Title, string? Code, DiscountType Type, DiscountClass Class, long Amount);

/// <summary>Why an entered code did not apply.</summary>
public enum DiscountRejection
{
    CodeUnknown,
    NotActive,
    UsageLimitReached,
    MinimumNotMet,
    NotCombinable,
}

/// <summary>An entered code that did not apply, with the contract's reason.</summary>
public sealed record RejectedCode(string Code, DiscountRejection Reason)
{
    /// <summary>The contract's machine-readable code, e.g. <c>discount_minimum_not_met</c>.</summary>
    public string ReasonCode => DiscountRejections.ContractName(Reason);
}

public static class DiscountRejections
{
    // The API will answer these as 422 problem codes once the Promotions module declares them.
    public static string ContractName(DiscountRejection reason) => reason switch
    {
        DiscountRejection.CodeUnknown => "discount_code_unknown",
        DiscountRejection.NotActive => "discount_not_active",
        DiscountRejection.UsageLimitReached => "discount_usage_limit_reached",
        DiscountRejection.MinimumNotMet => "discount_minimum_not_met",
        _ => "discount_not_combinable",
    };
}

/// <summary>
/// The priced cart before tax. <see cref="ShippingTotal"/> is the shipping rate before discounts and
/// <see cref="DiscountTotal"/> includes the shipping discount, so
/// <c>TotalBeforeTax = Subtotal − DiscountTotal + ShippingTotal</c>, and with tax computed afterwards
/// on <see cref="DiscountedLine.LineTotal"/>s the contract's <c>total = subtotal − discountTotal + shippingTotal + taxTotal</c>.
/// </summary>
public sealed record PromotionResult(
    IReadOnlyList<DiscountedLine> Lines,
    long Subtotal,
    long LineDiscountTotal,
    long ShippingTotal,
    IReadOnlyList<DiscountAllocation> ShippingAllocations,
    long ShippingDiscount,
    long DiscountTotal,
    long TotalBeforeTax,
    IReadOnlyList<AppliedDiscount> Applied,
    IReadOnlyList<RejectedCode> Rejected)
{
    /// <summary>What shipping costs the shopper after its discount.</summary>
    public long ShippingCharged => ShippingTotal - ShippingDiscount;
}

namespace Storekeep.Promotions;

public static class PromotionsPermissions
{
    /// <summary>See discounts and their usage.</summary>
    public const string Read = "discounts.read";

    /// <summary>Create, change and deactivate discounts.</summary>
    public const string Write = "discounts.write";
}

// Request properties are nullable so a missing field is a validation error, not a JSON error.

/// <summary><c>{all: true}</c>, <c>{skus: []}</c> or <c>{categories: []}</c> (category ids or slugs).</summary>
public sealed record DiscountTargetDto(bool? All, IReadOnlyList<string>? Skus, IReadOnlyList<string>? Categories);

public sealed record BuyRuleDto(int? Quantity, IReadOnlyList<string>? Skus, IReadOnlyList<string>? Categories);

public sealed record GetRuleDto(int? Quantity, IReadOnlyList<string>? Skus, IReadOnlyList<string>? Categories, decimal? PercentOff);

public sealed record CombinesWithDto(bool? ProductDiscounts, bool? OrderDiscounts, bool? ShippingDiscounts);

/// <summary>Who may use the discount until segments exist: customers with one of these emails (none = everyone).</summary>
public sealed record DiscountCustomersDto(IReadOnlyList<string>? Emails);

/// <param name="Type">percentage, fixed_amount, free_shipping or buy_x_get_y.</param>
/// <param name="Value">Percent off (0–100, two decimals) for percentage; the amount off for fixed_amount.</param>
/// <param name="Status">active (default), draft or inactive.</param>
public sealed record DiscountRequest(
    string? Title,
    string? Code,
    string? Type,
    decimal? Value,
    DiscountTargetDto? AppliesTo,
    decimal? MinimumSubtotal,
    int? MinimumQuantity,
    BuyRuleDto? Buy,
    GetRuleDto? Get,
    DateTime? StartsAt,
    DateTime? EndsAt,
    int? UsageLimit,
    int? UsageLimitPerCustomer,
    CombinesWithDto? CombinesWith,
    Guid? SegmentId,
    DiscountCustomersDto? Customers,
    string? Status);

public sealed record DiscountView(
    Guid Id,
    string Title,
    string? Code,
    string Type,
    decimal? Value,
    DiscountTargetDto AppliesTo,
    decimal? MinimumSubtotal,
    int? MinimumQuantity,
    BuyRuleDto? Buy,
    GetRuleDto? Get,
    DateTime? StartsAt,
    DateTime? EndsAt,
    int? UsageLimit,
    int? UsageLimitPerCustomer,
    CombinesWithDto CombinesWith,
    Guid? SegmentId,
    DiscountCustomersDto Customers,
    string Status,
    int UsageCount,
    int OrdersCount,
    decimal Revenue,
    decimal DiscountedAmount,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record DiscountCodeRequest(string? Code);

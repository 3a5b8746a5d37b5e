using Storekeep.Promotions;

namespace Storekeep.Web.Admin.Discounts;

/// <summary>Which lines a discount, or a buy/get rule, concerns in the editor.</summary>
public enum TargetKind
{
    All,
    Skus,
    Categories,
}

/// <summary>
/// The discount editor's fields, as the staff member types them (lists as comma-separated text),
/// and the contract's <see cref="DiscountRequest"/> they make. The service validates it.
/// </summary>
public sealed class DiscountForm
{
    public string? Title { get; set; }
    public string? Code { get; set; }
    public string Type { get; set; } = "percentage";
    public decimal? Value { get; set; }
    public TargetKind AppliesTo { get; set; } = TargetKind.All;
    public string? AppliesToList { get; set; }
    public decimal? MinimumSubtotal { get; set; }
    public int? MinimumQuantity { get; set; }
    public int? BuyQuantity { get; set; } = 2;
    public TargetKind BuyTarget { get; set; } = TargetKind.All;
    public string? BuyList { get; set; }
    public int? GetQuantity { get; set; } = 1;
    public TargetKind GetTarget { get; set; } = TargetKind.All;
    public string? GetList { get; set; }
    public decimal? GetPercentOff { get; set; } = 100m;
    public DateTime? StartsAt { get; set; }
    public DateTime? EndsAt { get; set; }
    public int? UsageLimit { get; set; }
    public int? UsageLimitPerCustomer { get; set; }
    public bool CombinesWithProduct { get; set; }
    public bool CombinesWithOrder { get; set; }
    public bool CombinesWithShipping { get; set; }
    public string? CustomerEmails { get; set; }

    public Guid? SegmentId { get; set; }
    public string Status { get; set; } = "active";

    public bool IsBuyXGetY => Type == "buy_x_get_y";

    public bool HasValue => Type is "percentage" or "fixed_amount";

    public DiscountRequest ToRequest() => new(
        Title,
        string.IsNullOrWhiteSpace(Code) ? null : Code.Trim(),
        Type,
        HasValue ? Value : null,
        AppliesTo switch
        {
            TargetKind.Skus => new DiscountTargetDto(null, Split(AppliesToList), null),
            TargetKind.Categories => new DiscountTargetDto(null, null, Split(AppliesToList)),
            _ => new DiscountTargetDto(true, null, null),
        },
        MinimumSubtotal,
        MinimumQuantity,
        IsBuyXGetY ? new BuyRuleDto(BuyQuantity, BuyTarget == TargetKind.Skus ? Split(BuyList) : null, BuyTarget == TargetKind.Categories ? Split(BuyList) : null) : null,
        IsBuyXGetY ? new GetRuleDto(GetQuantity, GetTarget == TargetKind.Skus ? Split(GetList) : null, GetTarget == TargetKind.Categories ? Split(GetList) : null, GetPercentOff) : null,
        StartsAt is { } start ? DateTime.SpecifyKind(start, DateTimeKind.Utc) : null,
        EndsAt is { } end ? DateTime.SpecifyKind(end, DateTimeKind.Utc) : null,
        UsageLimit,
        UsageLimitPerCustomer,
        new CombinesWithDto(CombinesWithProduct, CombinesWithOrder, CombinesWithShipping),
        SegmentId,
        new DiscountCustomersDto(Split(CustomerEmails) ?? []),
        Status);

    public static DiscountForm From(DiscountView d) => new()
    {
        Title = d.Title,
        Code = d.Code,
        Type = d.Type,
        Value = d.Value,
        AppliesTo = Kind(d.AppliesTo.Skus, d.AppliesTo.Categories),
        AppliesToList = Join(d.AppliesTo.Skus, d.AppliesTo.Categories),
        MinimumSubtotal = d.MinimumSubtotal,
        MinimumQuantity = d.MinimumQuantity,
        BuyQuantity = d.Buy?.Quantity ?? 2,
        BuyTarget = Kind(d.Buy?.Skus, d.Buy?.Categories),
        BuyList = Join(d.Buy?.Skus, d.Buy?.Categories),
        GetQuantity = d.Get?.Quantity ?? 1,
        GetTarget = Kind(d.Get?.Skus, d.Get?.Categories),
        GetList = Join(d.Get?.Skus, d.Get?.Categories),
        GetPercentOff = d.Get?.PercentOff ?? 100m,
        StartsAt = d.StartsAt,
        EndsAt = d.EndsAt,
        UsageLimit = d.UsageLimit,
        UsageLimitPerCustomer = d.UsageLimitPerCustomer,
        CombinesWithProduct = d.CombinesWith.ProductDiscounts ?? false,
        CombinesWithOrder = d.CombinesWith.OrderDiscounts ?? false,
        CombinesWithShipping = d.CombinesWith.ShippingDiscounts ?? false,
        CustomerEmails = d.Customers.Emails is { Count: > 0 } emails ? string.Join(", ", emails) : null,
        SegmentId = d.SegmentId,
        Status = d.Status,
    };

    /// <summary>"a, b ,c" → [a, b, c]; nothing → null.</summary>
    public static IReadOnlyList<string>? Split(string? text)
    {
        var items = (text ?? "").Split([',', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length == 0 ? null : items;
    }

    private static TargetKind Kind(IReadOnlyList<string>? skus, IReadOnlyList<string>? categories) =>
        skus is { Count: > 0 } ? TargetKind.Skus : categories is { Count: > 0 } ? TargetKind.Categories : TargetKind.All;

    private static string? Join(IReadOnlyList<string>? skus, IReadOnlyList<string>? categories) =>
        skus is { Count: > 0 } ? string.Join(", ", skus) : categories is { Count: > 0 } ? string.Join(", ", categories) : null;
}

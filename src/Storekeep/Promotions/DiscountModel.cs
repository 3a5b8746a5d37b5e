namespace Storekeep.Promotions;

/// <summary>
/// The inputs of the discount engine (docs/promotions.md). Every amount is in minor units of the
/// cart's currency (cents for an exponent of 2), so the engine never rounds money it did not mean to.
/// </summary>
public sealed record PromotionLine(string LineId, string Sku, IReadOnlyList<string> Categories, long UnitPrice, int Quantity, long? CompareAtPrice = null)
{
    /// <summary>The line before any discount: exact, whole minor units times whole units.</summary>
    public long Subtotal => checked(UnitPrice * Quantity);
}

/// <summary>Who is buying, for discounts limited to customer tags or an email list (segments come later).</summary>
public sealed record PromotionCustomer(string? Id, string? Email, IReadOnlyList<string> Tags)
{
    /// <summary>The segments the customer belongs to, among those the candidate discounts are limited to.</summary>
    public IReadOnlyList<Guid> Segments { get; init; } = [];

    public static PromotionCustomer Guest { get; } = new(null, null, []);
}

/// <summary>A cart as the engine sees it: its lines, the shipping it would pay, and whose it is.</summary>
public sealed record PromotionCart(IReadOnlyList<PromotionLine> Lines, long Shipping, PromotionCustomer Customer, int CurrencyExponent = 2);

/// <summary>
/// One evaluation: the cart, the candidate discounts (every active automatic discount plus the
/// discounts found for the entered codes; a code's discount not among <see cref="EnteredCodes"/>
/// is ignored), the codes the shopper entered, and the time the dates are checked against.
/// </summary>
public sealed record PromotionRequest(PromotionCart Cart, IReadOnlyList<Discount> Candidates, IReadOnlyList<string> EnteredCodes, DateTime Now);

public enum DiscountType
{
    Percentage,
    FixedAmount,
    FreeShipping,
    BuyXGetY,
}

public enum DiscountStatus
{
    Active,
    Draft,
    Inactive,
}

/// <summary>The combination classes of the contract's <c>combinesWith</c>.</summary>
public enum DiscountClass
{
    Product,
    Order,
    Shipping,
}

/// <summary>
/// Which lines a discount (or a buy/get rule) concerns: every line, or lines whose SKU is listed, or
/// lines in one of the listed categories. SKUs and categories compare case-insensitively.
/// </summary>
public sealed record DiscountTarget(bool All, IReadOnlyList<string> Skus, IReadOnlyList<string> Categories)
{
    public static DiscountTarget Everything { get; } = new(true, [], []);

    public static DiscountTarget ForSkus(params string[] skus) => new(false, skus, []);

    public static DiscountTarget ForCategories(params string[] categories) => new(false, [], categories);

    public bool Matches(PromotionLine line) =>
        All
        || Skus.Contains(line.Sku, StringComparer.OrdinalIgnoreCase)
        || line.Categories.Any(c => Categories.Contains(c, StringComparer.OrdinalIgnoreCase));
}

/// <summary>The "buy" half of buy X get Y: how many units of which items must be bought (at full price) per use.</summary>
public sealed record BuyRule(int Quantity, DiscountTarget Items);

/// <summary>The "get" half: how many units of which items get <see cref="PercentOff"/> (100 = free) per use.</summary>
public sealed record GetRule(int Quantity, DiscountTarget Items, decimal PercentOff);

/// <summary>Which classes a discount may be applied together with; nothing by default, so the best single discount wins.</summary>
public sealed record CombinesWith(bool ProductDiscounts, bool OrderDiscounts, bool ShippingDiscounts)
{
    public static CombinesWith Nothing { get; } = new(false, false, false);

    public static CombinesWith Everything { get; } = new(true, true, true);

    public bool Allows(DiscountClass other) => other switch
    {
        DiscountClass.Product => ProductDiscounts,
        DiscountClass.Order => OrderDiscounts,
        _ => ShippingDiscounts,
    };
}

/// <summary>Who may use a discount: anyone, or customers with one of the tags, on the email list or in the segment (any one allows).</summary>
public sealed record CustomerEligibility(IReadOnlyList<string> Tags, IReadOnlyList<string> Emails, IReadOnlyList<Guid> Segments)
{
    public static CustomerEligibility Everyone { get; } = new([], [], []);

    public bool Allows(PromotionCustomer customer) =>
        Tags.Count == 0 && Emails.Count == 0 && Segments.Count == 0
        || customer.Tags.Any(t => Tags.Contains(t, StringComparer.OrdinalIgnoreCase))
        || customer.Email is { } email && Emails.Contains(email.Trim(), StringComparer.OrdinalIgnoreCase)
        || customer.Segments.Any(Segments.Contains);
}

/// <summary>
/// A discount as the contract defines it. <see cref="PercentOff"/> is used by <c>percentage</c>
/// (0–100), <see cref="AmountOff"/> (minor units) by <c>fixed_amount</c>, <see cref="Buy"/> and
/// <see cref="Get"/> by <c>buy_x_get_y</c>. Usage limits come in as what is left
/// (<c>null</c> = unlimited): the database enforces them with a guarded update at checkout; the
/// engine only refuses a code that is already used up.
/// </summary>
public sealed record Discount
{
    public required Guid Id { get; init; }
    public required string Title { get; init; }

    /// <summary>No code: automatic, applied without the shopper doing anything.</summary>
    public string? Code { get; init; }

    public required DiscountType Type { get; init; }
    public decimal PercentOff { get; init; }
    public long AmountOff { get; init; }
    public DiscountTarget AppliesTo { get; init; } = DiscountTarget.Everything;
    public BuyRule? Buy { get; init; }
    public GetRule? Get { get; init; }
    public long? MinimumSubtotal { get; init; }
    public int? MinimumQuantity { get; init; }
    public DateTime? StartsAt { get; init; }
    public DateTime? EndsAt { get; init; }
    public int? RemainingUses { get; init; }
    public int? RemainingUsesForCustomer { get; init; }
    public CombinesWith CombinesWith { get; init; } = CombinesWith.Nothing;
    public CustomerEligibility Customers { get; init; } = CustomerEligibility.Everyone;
    public DiscountStatus Status { get; init; } = DiscountStatus.Active;

    public bool IsAutomatic => Code is null;

    /// <summary>
    /// The contract's classes: a discount on chosen products (by SKU or category, and every buy X
    /// get Y) is a product discount; a percentage or fixed amount on every line is an order
    /// discount; free shipping is a shipping discount.
    /// </summary>
    public DiscountClass Class => Type switch
    {
        DiscountType.FreeShipping => DiscountClass.Shipping,
        DiscountType.BuyXGetY => DiscountClass.Product,
        _ => AppliesTo.All ? DiscountClass.Order : DiscountClass.Product,
    };

    /// <summary>Two discounts stack only when each allows the other's class.</summary>
    public bool CombinesWithDiscount(Discount other) => CombinesWith.Allows(other.Class) && other.CombinesWith.Allows(Class);
}

using Storekeep.Promotions;

namespace Storekeep.Demo;

/// <summary>
/// The demo store's discounts: a welcome code, a fixed amount over a minimum, automatic free
/// shipping over a threshold, a buy-2-get-1 on a category, and one that has expired. They are
/// written as the back office would create them (rules as the service stores them); no demo order
/// used them, so their usage starts at zero.
/// </summary>
internal sealed partial class DemoStoreBuilder
{
    /// <summary>The demo's automatic free shipping: from this subtotal, below the standard method's own 75.00.</summary>
    public const decimal DemoFreeShippingFrom = 60m;

    private void BuildPromotions()
    {
        var coffee = _data.Categories.FirstOrDefault(c => c.Name == "Coffee & Tea")?.Slug ?? "coffee-tea";
        var created = _end.AddDays(-45).AddHours(9);

        Add("Welcome: 10 % off your order", "WELCOME10", DiscountType.Percentage, 10m, Rules(),
            startsAt: _start, usageLimitPerCustomer: 1);
        Add("25.00 off orders over 150.00", "SUMMER25", DiscountType.FixedAmount, 25m, Rules(),
            minimumSubtotal: 150m, startsAt: _end.AddDays(-30), endsAt: _end.AddDays(60), usageLimit: 500);
        Add($"Free shipping over {DemoFreeShippingFrom:0}", null, DiscountType.FreeShipping, null,
            Rules(combines: new CombinesWithDto(true, true, false)), minimumSubtotal: DemoFreeShippingFrom, startsAt: _end.AddDays(-14));
        Add("Coffee & tea: buy 2, get 1 free", "BREW3FOR2", DiscountType.BuyXGetY, null,
            Rules(buy: new BuyRuleDto(2, null, [coffee]), get: new GetRuleDto(1, null, [coffee], 100m), target: new DiscountTargetDto(null, null, [coffee])),
            startsAt: _end.AddDays(-20));
        Add("Black Friday: 20 % off", "BLACKFRIDAY", DiscountType.Percentage, 20m, Rules(),
            startsAt: _end.AddDays(-40), endsAt: _end.AddDays(-36));

        DiscountRules Rules(BuyRuleDto? buy = null, GetRuleDto? get = null, CombinesWithDto? combines = null, DiscountTargetDto? target = null) =>
            new(target ?? new DiscountTargetDto(true, null, null), buy, get, combines ?? new CombinesWithDto(false, false, false), null, []);

        void Add(string title, string? code, DiscountType type, decimal? value, DiscountRules rules,
            decimal? minimumSubtotal = null, DateTime? startsAt = null, DateTime? endsAt = null, int? usageLimit = null, int? usageLimitPerCustomer = null)
        {
            _data.Discounts.Add(new DiscountDefinition
            {
                Title = title,
                Code = code,
                CodeKey = DiscountDefinition.KeyOf(code),
                Type = type,
                Status = DiscountStatus.Active,
                Value = value,
                Rules = rules.Write(),
                MinimumSubtotal = minimumSubtotal,
                StartsAt = startsAt,
                EndsAt = endsAt,
                UsageLimit = usageLimit,
                UsageLimitPerCustomer = usageLimitPerCustomer,
                CreatedAt = created,
                UpdatedAt = created,
            });
        }
    }
}

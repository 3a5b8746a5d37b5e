using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Segments;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Promotions;

/// <summary>The JSON in <see cref="DiscountDefinition.Rules"/>: what only the engine reads.</summary>
internal sealed record DiscountRules(DiscountTargetDto AppliesTo, BuyRuleDto? Buy, GetRuleDto? Get, CombinesWithDto CombinesWith, Guid? SegmentId, IReadOnlyList<string> Emails)
{
    public static DiscountRules Read(string json) => JsonSerializer.Deserialize<DiscountRules>(json, StorekeepJson.Options)!;

    public string Write() => JsonSerializer.Serialize(this, StorekeepJson.Options);
}

/// <summary>The back office's discounts: create, list, read with usage, change, deactivate; and their engine form.</summary>
public sealed class Discounts(StorekeepDbContext db, TimeProvider clock, AutomaticDiscountsCache automatic)
{
    public const int MaxListItems = 500;
    public const int MaxRuleQuantity = 1000;

    public async Task<DiscountView> CreateAsync(DiscountRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var discount = new DiscountDefinition { Title = "", CreatedAt = now, UpdatedAt = now };
        Apply(discount, Validate(request));
        await RequireSegmentAsync(request.SegmentId, ct);
        db.Set<DiscountDefinition>().Add(discount);
        await SaveAsync(discount, ct);
        automatic.Clear();
        return ToView(discount, Usage.None);
    }

    /// <summary>Newest first, keyset on the (time-ordered) id; <paramref name="q"/> matches title or code.</summary>
    public async Task<Page<DiscountView>> ListAsync(string? q, int? limit, string? cursor, CancellationToken ct, DiscountStatus? status = null)
    {
        var take = Cursor.Limit(limit);
        var before = Cursor.DecodeGuid(cursor);
        var query = db.Set<DiscountDefinition>().AsNoTracking();
        if (status is { } only)
        {
            query = query.Where(d => d.Status == only);
        }

        if (before is { } b)
        {
            query = query.Where(d => d.Id.CompareTo(b) < 0);
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim().ToLower();
            var key = q.Trim().ToUpperInvariant();
            query = query.Where(d => d.Title.ToLower().Contains(term) || (d.CodeKey != null && d.CodeKey.Contains(key)));
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).ToList();
        var usage = await UsageAsync(page.Select(d => d.Id).ToList(), ct);
        var items = page.Select(d => ToView(d, usage.GetValueOrDefault(d.Id, Usage.None))).ToList();
        return new Page<DiscountView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    public async Task<DiscountView> GetAsync(string id, CancellationToken ct)
    {
        var discountId = ParseId(id);
        var discount = await db.Set<DiscountDefinition>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == discountId, ct)
            ?? throw Errors.NotFound("Discount", id);
        var usage = await UsageAsync([discount.Id], ct);
        return ToView(discount, usage.GetValueOrDefault(discount.Id, Usage.None));
    }

    /// <summary>Changes the fields given; the result must be a valid discount as a whole.</summary>
    public async Task<DiscountView> UpdateAsync(string id, DiscountRequest request, CancellationToken ct)
    {
        var discountId = ParseId(id);
        var discount = await db.Set<DiscountDefinition>().FirstOrDefaultAsync(d => d.Id == discountId, ct)
            ?? throw Errors.NotFound("Discount", id);
        var current = ToView(discount, Usage.None);
        var merged = new DiscountRequest(
            request.Title ?? current.Title,
            request.Code ?? current.Code,
            request.Type ?? current.Type,
            request.Value ?? current.Value,
            request.AppliesTo ?? current.AppliesTo,
            request.MinimumSubtotal ?? current.MinimumSubtotal,
            request.MinimumQuantity ?? current.MinimumQuantity,
            request.Buy ?? current.Buy,
            request.Get ?? current.Get,
            request.StartsAt ?? current.StartsAt,
            request.EndsAt ?? current.EndsAt,
            request.UsageLimit ?? current.UsageLimit,
            request.UsageLimitPerCustomer ?? current.UsageLimitPerCustomer,
            request.CombinesWith ?? current.CombinesWith,
            request.SegmentId ?? current.SegmentId,
            request.Customers ?? current.Customers,
            request.Status ?? current.Status);
        var limitBefore = discount.UsageLimit;
        Apply(discount, Validate(merged));
        await RequireSegmentAsync(merged.SegmentId, ct);
        await SaveEditAsync(discount, limitBefore, ct);
        automatic.Clear();
        return await GetAsync(id, ct);
    }

    /// <summary>Sets every field as given (a missing one is cleared, unlike <see cref="UpdateAsync"/>): the back office's editor saves the whole form.</summary>
    public async Task<DiscountView> ReplaceAsync(string id, DiscountRequest request, CancellationToken ct)
    {
        var discountId = ParseId(id);
        var discount = await db.Set<DiscountDefinition>().FirstOrDefaultAsync(d => d.Id == discountId, ct)
            ?? throw Errors.NotFound("Discount", id);
        var limitBefore = discount.UsageLimit;
        Apply(discount, Validate(request));
        await RequireSegmentAsync(request.SegmentId, ct);
        await SaveEditAsync(discount, limitBefore, ct);
        automatic.Clear();
        return await GetAsync(id, ct);
    }

    /// <summary>A discount limited to a segment names one that exists: else 422 <c>unknown_segment</c>.</summary>
    private async Task RequireSegmentAsync(Guid? segmentId, CancellationToken ct)
    {
        if (segmentId is { } id && !await db.Set<Segment>().AnyAsync(x => x.Id == id, ct))
        {
            throw Errors.Unprocessable("unknown_segment", $"No segment has the id {id}.");
        }
    }

    /// <summary>
    /// Saves an edited discount. <c>used_count</c> is kept only while a discount has a limit
    /// (DiscountUsage); a limit set on a discount that had none starts from the uses it holds,
    /// counted under the row lock: checkouts using the discount unlimited key-share-lock its row until
    /// they commit (PostgreSQL; SQLite serialises writers), so the count includes each of them, and
    /// checkouts after the change count against the limit.
    /// </summary>
    private async Task SaveEditAsync(DiscountDefinition discount, int? limitBefore, CancellationToken ct)
    {
        discount.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        if (discount.UsageLimit is null || limitBefore is not null)
        {
            await SaveAsync(discount, ct);
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (db.IsPostgres)
        {
            await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM discounts WHERE id = {discount.Id} FOR UPDATE").ToListAsync(ct);
        }

        discount.UsedCount = await db.Set<DiscountUse>().CountAsync(u => u.DiscountId == discount.Id && u.ReleasedAt == null, ct);
        await SaveAsync(discount, ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<DiscountView> DeactivateAsync(string id, CancellationToken ct)
    {
        var discountId = ParseId(id);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Set<DiscountDefinition>().Where(d => d.Id == discountId)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, DiscountStatus.Inactive).SetProperty(d => d.UpdatedAt, now), ct);
        automatic.Clear();
        return changed == 0 ? throw Errors.NotFound("Discount", id) : await GetAsync(id, ct);
    }

    /// <summary>
    /// The discount a request describes, validated as <see cref="CreateAsync"/> would but not saved
    /// (no uses yet): what the back office's live preview hands to the engine through <see cref="ToEngine"/>.
    /// </summary>
    public static DiscountDefinition Draft(DiscountRequest request, DateTime now)
    {
        var discount = new DiscountDefinition { Id = Guid.Empty, Title = "", CreatedAt = now, UpdatedAt = now };
        Apply(discount, Validate(request));
        return discount;
    }

    /// <summary>The engine's form of a stored discount; <paramref name="usesByCustomer"/> are the shopper's uses so far (0 for a guest without email).</summary>
    public static Discount ToEngine(DiscountDefinition d, int usesByCustomer)
    {
        var rules = DiscountRules.Read(d.Rules);
        return new Discount
        {
            Id = d.Id,
            Title = d.Title,
            Code = d.Code,
            Type = d.Type,
            PercentOff = d.Type == DiscountType.Percentage ? d.Value ?? 0 : 0,
            AmountOff = d.Type == DiscountType.FixedAmount ? MinorUnits.ToMinor(d.Value ?? 0) : 0,
            AppliesTo = Target(rules.AppliesTo.All, rules.AppliesTo.Skus, rules.AppliesTo.Categories),
            Buy = rules.Buy is { } buy ? new BuyRule(buy.Quantity ?? 1, Target(null, buy.Skus, buy.Categories)) : null,
            Get = rules.Get is { } get ? new GetRule(get.Quantity ?? 1, Target(null, get.Skus, get.Categories), get.PercentOff ?? 100) : null,
            MinimumSubtotal = d.MinimumSubtotal is { } m ? MinorUnits.ToMinor(m) : null,
            MinimumQuantity = d.MinimumQuantity,
            StartsAt = d.StartsAt,
            EndsAt = d.EndsAt,
            RemainingUses = d.UsageLimit is { } limit ? Math.Max(0, limit - d.UsedCount) : null,
            RemainingUsesForCustomer = d.UsageLimitPerCustomer is { } perCustomer ? Math.Max(0, perCustomer - usesByCustomer) : null,
            CombinesWith = new CombinesWith(rules.CombinesWith.ProductDiscounts ?? false, rules.CombinesWith.OrderDiscounts ?? false, rules.CombinesWith.ShippingDiscounts ?? false),
            Customers = new CustomerEligibility([], rules.Emails, rules.SegmentId is { } segment ? [segment] : []),
            Status = d.Status,
        };
    }

    private static DiscountTarget Target(bool? all, IReadOnlyList<string>? skus, IReadOnlyList<string>? categories) =>
        skus is { Count: > 0 } ? new DiscountTarget(false, skus, [])
        : categories is { Count: > 0 } ? new DiscountTarget(false, [], categories)
        : all is false ? new DiscountTarget(false, [], []) : DiscountTarget.Everything;

    private async Task SaveAsync(DiscountDefinition discount, CancellationToken ct)
    {
        if (discount.CodeKey is { } key &&
            await db.Set<DiscountDefinition>().AnyAsync(d => d.CodeKey == key && d.Id != discount.Id, ct))
        {
            throw Errors.Conflict("discount_code_taken", $"Another discount already has the code '{discount.Code}'.");
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (discount.CodeKey is not null)
        {
            // Two requests took the same code at once: the unique index kept one.
            throw Errors.Conflict("discount_code_taken", $"Another discount already has the code '{discount.Code}'.");
        }
    }

    private sealed record Valid(
        string Title, string? Code, DiscountType Type, decimal? Value, DiscountRules Rules, decimal? MinimumSubtotal, int? MinimumQuantity,
        DateTime? StartsAt, DateTime? EndsAt, int? UsageLimit, int? UsageLimitPerCustomer, DiscountStatus Status);

    private static void Apply(DiscountDefinition d, Valid v)
    {
        d.Title = v.Title;
        d.Code = v.Code;
        d.CodeKey = DiscountDefinition.KeyOf(v.Code);
        d.Type = v.Type;
        d.Value = v.Value;
        d.Rules = v.Rules.Write();
        d.MinimumSubtotal = v.MinimumSubtotal;
        d.MinimumQuantity = v.MinimumQuantity;
        d.StartsAt = v.StartsAt;
        d.EndsAt = v.EndsAt;
        d.UsageLimit = v.UsageLimit;
        d.UsageLimitPerCustomer = v.UsageLimitPerCustomer;
        d.Status = v.Status;
    }

    private static Valid Validate(DiscountRequest r)
    {
        CardNumbers.Refuse(r.Title, r.Code);
        var v = new Validation();
        var title = v.Required("title", r.Title, DiscountDefinition.TitleMaxLength);
        var code = r.Code is null ? null : v.Code("code", r.Code, DiscountDefinition.CodeMaxLength, required: false) is { Length: > 0 } c ? c : null;
        var type = Enum(v, "type", r.Type, DiscountTypes.Names, required: true) is { } t ? DiscountTypes.Parse(t) : DiscountType.Percentage;
        var status = Enum(v, "status", r.Status, DiscountTypes.StatusNames, required: false) is { } s ? DiscountTypes.ParseStatus(s) : DiscountStatus.Active;

        decimal? value = null;
        switch (type)
        {
            case DiscountType.Percentage:
                value = Percent(v, "value", r.Value, required: true);
                break;
            case DiscountType.FixedAmount:
                value = v.Money("value", r.Value, allowZero: false);
                break;
            default:
                if (r.Value is not null)
                {
                    v.Add("value", $"'value' is for percentage and fixed_amount discounts, not {DiscountTypes.Name(type)}.");
                }

                break;
        }

        var appliesTo = r.AppliesTo ?? new DiscountTargetDto(true, null, null);
        ValidateTarget(v, "appliesTo", appliesTo.All, appliesTo.Skus, appliesTo.Categories, allowEmpty: false);
        BuyRuleDto? buy = null;
        GetRuleDto? get = null;
        if (type == DiscountType.BuyXGetY)
        {
            if (r.Buy is null)
            {
                v.Add("buy", "'buy' is required for a buy_x_get_y discount: {quantity, skus? or categories?}.");
            }
            else
            {
                RuleQuantity(v, "buy.quantity", r.Buy.Quantity);
                ValidateTarget(v, "buy", null, r.Buy.Skus, r.Buy.Categories, allowEmpty: true);
                buy = r.Buy with { Skus = Clean(r.Buy.Skus), Categories = Clean(r.Buy.Categories) };
            }

            if (r.Get is null)
            {
                v.Add("get", "'get' is required for a buy_x_get_y discount: {quantity, skus? or categories?, percentOff}.");
            }
            else
            {
                RuleQuantity(v, "get.quantity", r.Get.Quantity);
                ValidateTarget(v, "get", null, r.Get.Skus, r.Get.Categories, allowEmpty: true);
                get = r.Get with { Skus = Clean(r.Get.Skus), Categories = Clean(r.Get.Categories), PercentOff = Percent(v, "get.percentOff", r.Get.PercentOff ?? 100, required: true) };
            }
        }
        else if (r.Buy is not null || r.Get is not null)
        {
            v.Add(r.Buy is not null ? "buy" : "get", "'buy' and 'get' are for buy_x_get_y discounts only.");
        }

        var minimumSubtotal = r.MinimumSubtotal is null ? (decimal?)null : v.Money("minimumSubtotal", r.MinimumSubtotal);
        var minimumQuantity = r.MinimumQuantity is null ? (int?)null : v.Quantity("minimumQuantity", r.MinimumQuantity);
        if (r.StartsAt is { } from && r.EndsAt is { } to && to <= from)
        {
            v.Add("endsAt", "'endsAt' must be after 'startsAt'.");
        }

        var usageLimit = r.UsageLimit is null ? (int?)null : v.Quantity("usageLimit", r.UsageLimit);
        var perCustomer = r.UsageLimitPerCustomer is null ? (int?)null : v.Quantity("usageLimitPerCustomer", r.UsageLimitPerCustomer);
        var emails = new List<string>();
        if (r.Customers?.Emails is { } list)
        {
            if (list.Count > MaxListItems)
            {
                v.Add("customers.emails", $"At most {MaxListItems} emails.");
            }

            for (var i = 0; i < list.Count && i < MaxListItems; i++)
            {
                if (v.Email($"customers.emails[{i}]", list[i]) is { Length: > 0 } email)
                {
                    emails.Add(email);
                }
            }
        }

        v.ThrowIfInvalid();
        var combines = r.CombinesWith ?? new CombinesWithDto(false, false, false);
        var rules = new DiscountRules(
            appliesTo with { All = Clean(appliesTo.Skus) is null && Clean(appliesTo.Categories) is null, Skus = Clean(appliesTo.Skus), Categories = Clean(appliesTo.Categories) },
            buy, get,
            new CombinesWithDto(combines.ProductDiscounts ?? false, combines.OrderDiscounts ?? false, combines.ShippingDiscounts ?? false),
            r.SegmentId, emails.Distinct().ToList());
        return new Valid(title, code, type, value, rules, minimumSubtotal, minimumQuantity,
            r.StartsAt?.ToUniversalTime(), r.EndsAt?.ToUniversalTime(), usageLimit, perCustomer, status);
    }

    private static IReadOnlyList<string>? Clean(IReadOnlyList<string>? items) =>
        items is { Count: > 0 } ? items.Select(i => i.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList() : null;

    /// <summary>At most one of all/skus/categories; lists of short codes. A discount's appliesTo may not be empty; buy and get may (any item).</summary>
    private static void ValidateTarget(Validation v, string field, bool? all, IReadOnlyList<string>? skus, IReadOnlyList<string>? categories, bool allowEmpty)
    {
        var given = (all is true ? 1 : 0) + (skus is { Count: > 0 } ? 1 : 0) + (categories is { Count: > 0 } ? 1 : 0);
        if (given > 1)
        {
            v.Add(field, $"'{field}' takes one of all, skus or categories.");
        }
        else if (given == 0 && !allowEmpty && (all is false || skus is not null || categories is not null))
        {
            v.Add(field, $"'{field}' needs {{all: true}}, a list of skus or a list of categories.");
        }

        foreach (var (name, list) in new[] { ("skus", skus), ("categories", categories) })
        {
            if (list is null)
            {
                continue;
            }

            if (list.Count > MaxListItems)
            {
                v.Add($"{field}.{name}", $"At most {MaxListItems} items.");
                continue;
            }

            for (var i = 0; i < list.Count; i++)
            {
                v.Code($"{field}.{name}[{i}]", list[i], 200);
            }
        }
    }

    private static void RuleQuantity(Validation v, string field, int? quantity)
    {
        if (quantity is not { } q || q < 1 || q > MaxRuleQuantity)
        {
            v.Add(field, $"'{field}' must be a whole number from 1 to {MaxRuleQuantity}.");
        }
    }

    private static decimal? Percent(Validation v, string field, decimal? value, bool required)
    {
        if (value is not { } p)
        {
            if (required)
            {
                v.Add(field, $"'{field}' is required: a percentage above 0 and at most 100.");
            }

            return null;
        }

        if (p <= 0 || p > 100 || decimal.Round(p, 2) != p)
        {
            v.Add(field, $"'{field}' must be above 0 and at most 100, with at most two decimals.");
        }

        return p;
    }

    private static string? Enum(Validation v, string field, string? value, IReadOnlyList<string> allowed, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                v.Add(field, $"'{field}' is required: one of {string.Join(", ", allowed)}.");
            }

            return null;
        }

        var name = value.Trim().ToLowerInvariant();
        if (!allowed.Contains(name))
        {
            v.Add(field, $"'{field}' must be one of {string.Join(", ", allowed)}.");
            return null;
        }

        return name;
    }

    private static Guid ParseId(string id) => Guid.TryParse(id, out var g) ? g : throw Errors.NotFound("Discount", id);

    internal sealed record Usage(int Orders, decimal Revenue, decimal Discounted)
    {
        public static readonly Usage None = new(0, 0, 0);
    }

    /// <summary>Orders holding a use of each discount (not given back), their revenue and what the discount took.</summary>
    private async Task<Dictionary<Guid, Usage>> UsageAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var rows = await db.Set<DiscountUse>().AsNoTracking()
            .Where(u => ids.Contains(u.DiscountId) && u.ReleasedAt == null)
            .GroupBy(u => u.DiscountId)
            .Select(g => new { g.Key, Orders = g.Count(), Revenue = g.Sum(u => u.OrderTotal), Discounted = g.Sum(u => u.Amount) })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Key, r => new Usage(r.Orders, r.Revenue, r.Discounted));
    }

    private static DiscountView ToView(DiscountDefinition d, Usage usage)
    {
        var rules = DiscountRules.Read(d.Rules);
        return new DiscountView(
            d.Id, d.Title, d.Code, DiscountTypes.Name(d.Type), d.Value, rules.AppliesTo, d.MinimumSubtotal, d.MinimumQuantity, rules.Buy, rules.Get,
            d.StartsAt, d.EndsAt, d.UsageLimit, d.UsageLimitPerCustomer, rules.CombinesWith, rules.SegmentId, new DiscountCustomersDto(rules.Emails),
            DiscountTypes.StatusName(d.Status), usage.Orders, usage.Orders, usage.Revenue, usage.Discounted, d.CreatedAt, d.UpdatedAt);
    }
}

/// <summary>The contract's names of discount types and statuses.</summary>
public static class DiscountTypes
{
    public static readonly IReadOnlyList<string> Names = ["percentage", "fixed_amount", "free_shipping", "buy_x_get_y"];
    public static readonly IReadOnlyList<string> StatusNames = ["active", "draft", "inactive"];

    public static string Name(DiscountType type) => type switch
    {
        DiscountType.Percentage => "percentage",
        DiscountType.FixedAmount => "fixed_amount",
        DiscountType.FreeShipping => "free_shipping",
        _ => "buy_x_get_y",
    };

    public static DiscountType Parse(string name) => name switch
    {
        "percentage" => DiscountType.Percentage,
        "fixed_amount" => DiscountType.FixedAmount,
        "free_shipping" => DiscountType.FreeShipping,
        _ => DiscountType.BuyXGetY,
    };

    public static string StatusName(DiscountStatus status) => status.ToString().ToLowerInvariant();

    public static DiscountStatus ParseStatus(string name) => name switch
    {
        "draft" => DiscountStatus.Draft,
        "inactive" => DiscountStatus.Inactive,
        _ => DiscountStatus.Active,
    };
}

using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Loyalty;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Segments;

/// <summary>A rule that passed validation: its value(s) already in the field's type and normal form.</summary>
public sealed record SegmentRule(string Field, string Op, IReadOnlyList<decimal> Numbers, IReadOnlyList<string> Texts, bool Flag);

/// <summary>
/// The segment rule language (docs/crm.md, "Segments"): which fields and ops exist, how a request's
/// rules are checked, and how rules become one SQL predicate over <see cref="CustomerFigureRow"/>.
/// </summary>
public static class SegmentRules
{
    public const int MaxInValues = 100;

    private enum Kind
    {
        Money,
        Count,
        DaysAgo,
        Text,
        Flag,
    }

    private static readonly string[] NumberOps = ["eq", "ne", "gt", "gte", "lt", "lte", "in"];
    private static readonly string[] TextOps = ["eq", "ne", "in", "contains"];
    private static readonly string[] FlagOps = ["eq", "ne"];

    private static readonly Dictionary<string, Kind> Fields = new(StringComparer.Ordinal)
    {
        ["totalSpent"] = Kind.Money,
        ["ordersCount"] = Kind.Count,
        ["averageOrderValue"] = Kind.Money,
        ["lastOrderDaysAgo"] = Kind.DaysAgo,
        ["firstOrderDaysAgo"] = Kind.DaysAgo,
        ["country"] = Kind.Text,
        ["tag"] = Kind.Text,
        ["rfmSegment"] = Kind.Text,
        ["purchasedSku"] = Kind.Text,
        ["purchasedCategory"] = Kind.Text,
        ["acceptsEmail"] = Kind.Flag,
        ["acceptsSms"] = Kind.Flag,
        ["loyaltyTier"] = Kind.Text,
        ["company"] = Kind.Text,
    };

    public static IReadOnlyCollection<string> FieldNames => Fields.Keys;

    public static IReadOnlyList<string> OpsOf(string field) => Fields.TryGetValue(field, out var kind) ? Ops(kind) : [];

    /// <summary>Checks every rule, naming a bad one by its index (<c>rules[2].field</c>).</summary>
    public static List<SegmentRule> Parse(Validation v, IReadOnlyList<SegmentRuleRequest?>? rules)
    {
        var parsed = new List<SegmentRule>();
        if (rules is null || rules.Count == 0)
        {
            v.Add("rules", "'rules' must hold at least one rule.");
            return parsed;
        }

        if (rules.Count > Segment.MaxRules)
        {
            v.Add("rules", $"'rules' may hold at most {Segment.MaxRules} rules.");
            return parsed;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var at = $"rules[{i}]";
            var rule = rules[i];
            if (rule is null)
            {
                v.Add(at, $"'{at}' must be a rule {{field, op, value}}.");
                continue;
            }

            if (rule.Field is null || !Fields.TryGetValue(rule.Field, out var kind))
            {
                v.Add($"{at}.field", $"'{at}.field' must be one of {string.Join(", ", Fields.Keys)}.");
                continue;
            }

            if (rule.Op is null || !Ops(kind).Contains(rule.Op))
            {
                v.Add($"{at}.op", $"'{at}.op' must be one of {string.Join(", ", Ops(kind))} for {rule.Field}.");
                continue;
            }

            var values = rule.Op == "in"
                ? rule.Value is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() is > 0 and <= MaxInValues ? [.. array.EnumerateArray()] : null
                : rule.Value is { ValueKind: not JsonValueKind.Array and not JsonValueKind.Null and not JsonValueKind.Undefined } one ? new List<JsonElement> { one } : null;
            if (values is null)
            {
                v.Add($"{at}.value", rule.Op == "in"
                    ? $"'{at}.value' must be an array of 1 to {MaxInValues} values for in."
                    : $"'{at}.value' is required and must be a single value.");
                continue;
            }

            if (Value(rule.Field, kind, values) is { } good)
            {
                parsed.Add(good with { Op = rule.Op });
            }
            else
            {
                v.Add($"{at}.value", $"'{at}.value' must be {Expected(rule.Field, kind)}.");
            }
        }

        return parsed;
    }

    private static string[] Ops(Kind kind) => kind switch
    {
        Kind.Text => TextOps,
        Kind.Flag => FlagOps,
        _ => NumberOps,
    };

    private static string Expected(string field, Kind kind) => kind switch
    {
        Kind.Money => "an amount (at least 0, at most two decimals)",
        Kind.Count or Kind.DaysAgo => "a whole number from 0 to 100000",
        Kind.Flag => "true or false",
        _ when field == "rfmSegment" => $"one of {string.Join(", ", RfmSegments.All)}",
        _ => "a non-empty string of at most 400 characters",
    };

    private static SegmentRule? Value(string field, Kind kind, List<JsonElement> values)
    {
        var numbers = new List<decimal>();
        var texts = new List<string>();
        var flag = false;
        foreach (var value in values)
        {
            switch (kind)
            {
                case Kind.Money when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var money)
                    && money >= 0 && money <= Validation.MaxMoney && decimal.Round(money, 2) == money:
                    numbers.Add(money);
                    break;
                case Kind.Count or Kind.DaysAgo when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count is >= 0 and <= 100_000:
                    numbers.Add(count);
                    break;
                case Kind.Flag when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    flag = value.GetBoolean();
                    break;
                case Kind.Text when value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 and <= 400 } text
                    && !text.Any(char.IsControl) && (field != "rfmSegment" || RfmSegments.All.Contains(text)):
                    texts.Add(field switch
                    {
                        "tag" => text.ToLowerInvariant(),
                        "country" => text.ToUpperInvariant(),
                        _ => text,
                    });
                    break;
                default:
                    return null;
            }
        }

        return new SegmentRule(field, "", numbers, texts, flag);
    }

    /// <summary>
    /// The segment's members as one SQL query: every (or any) rule as a predicate over the figures
    /// query; cross-table fields are EXISTS subqueries. <paramref name="tiers"/> is the loyalty
    /// program's tiers, lowest minimum first (a tier is a band of 12-month spend).
    /// </summary>
    public static IQueryable<CustomerFigureRow> Apply(
        IQueryable<CustomerFigureRow> figures, StorekeepDbContext db, string match, IReadOnlyList<SegmentRule> rules, IReadOnlyList<LoyaltyTierView> tiers, DateTime now)
    {
        var predicates = rules.Select(r => Predicate(db, r, tiers, now)).ToList();
        var parameter = Expression.Parameter(typeof(CustomerFigureRow), "f");
        var body = predicates
            .Select(p => ReplacingExpressionVisitor.Replace(p.Parameters[0], parameter, p.Body))
            .Aggregate((a, b) => match == "any" ? Expression.OrElse(a, b) : Expression.AndAlso(a, b));
        return figures.Where(Expression.Lambda<Func<CustomerFigureRow, bool>>(body, parameter));
    }

    /// <summary>
    /// Whether every rule reads only the kept order figures and no customer without orders meets it:
    /// then (with all or any) the members are among the customers with orders, and their count and ids
    /// can be read from <c>customer_order_stats</c> alone (<see cref="CustomerFigures.WithOrders"/>),
    /// without joining every customer.
    /// </summary>
    public static bool OnlyCustomersWithOrdersMeet(IReadOnlyList<SegmentRule> rules) =>
        rules.Count > 0 && rules.All(rule => rule.Field switch
        {
            "totalSpent" => !ZeroMatches(rule.Op, [.. rule.Numbers.Select(MinorUnits.ToMinor)]),
            "ordersCount" => !ZeroMatches(rule.Op, [.. rule.Numbers.Select(n => (long)n)]),
            "averageOrderValue" or "lastOrderDaysAgo" or "firstOrderDaysAgo" => true,
            _ => false,
        });

    private static Expression<Func<CustomerFigureRow, bool>> Predicate(StorekeepDbContext db, SegmentRule rule, IReadOnlyList<LoyaltyTierView> tiers, DateTime now)
    {
        var op = rule.Op;
        var minor = rule.Numbers.Select(MinorUnits.ToMinor).ToList();
        var counts = rule.Numbers.Select(n => (long)n).ToList();
        var texts = rule.Texts.ToList();
        var text = texts.FirstOrDefault() ?? "";
        var lowered = text.ToLowerInvariant();
        return rule.Field switch
        {
            "totalSpent" => ZeroMatches(op, minor) ? Numeric(f => f.SpentMinor, op, minor) : Kept(f => f.KeptSpentMinor, op, minor),
            "ordersCount" => ZeroMatches(op, counts) ? Numeric(f => f.OrdersCount, op, counts) : Kept(f => f.KeptOrdersCount, op, counts),
            // The exact average, compared without division: spent op value × orders.
            "averageOrderValue" => AnyOf(minor, op, m => Compare(
                (Expression<Func<CustomerFigureRow, long>>)(f => f.SpentMinor), op == "in" ? "eq" : op,
                (Expression<Func<CustomerFigureRow, long>>)(f => Box(m).Value * f.LiveOrders)), f => f.LiveOrders > 0),
            "lastOrderDaysAgo" => DaysAgo(f => f.LastOrderAt, op, counts, now),
            "firstOrderDaysAgo" => DaysAgo(f => f.FirstOrderAt, op, counts, now),
            "country" => Text(f => f.Country, op, texts),
            "company" => Text(f => f.Company, op, texts),
            "acceptsEmail" => op == "eq" ? f => f.AcceptsEmail == rule.Flag : f => f.AcceptsEmail != rule.Flag,
            "acceptsSms" => op == "eq" ? f => f.AcceptsSms == rule.Flag : f => f.AcceptsSms != rule.Flag,
            "tag" => op switch
            {
                "eq" => f => db.Set<CustomerTag>().Any(t => t.CustomerId == f.CustomerId && t.Tag == text),
                "ne" => f => !db.Set<CustomerTag>().Any(t => t.CustomerId == f.CustomerId && t.Tag == text),
                "in" => f => db.Set<CustomerTag>().Any(t => t.CustomerId == f.CustomerId && texts.Contains(t.Tag)),
                _ => f => db.Set<CustomerTag>().Any(t => t.CustomerId == f.CustomerId && t.Tag.Contains(lowered)),
            },
            // A purchase is a line of an order placed with the customer's email that is not cancelled.
            "purchasedSku" => op switch
            {
                "eq" => f => db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => l.Sku == text),
                "ne" => f => !db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => l.Sku == text),
                "in" => f => db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => texts.Contains(l.Sku)),
                _ => f => db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => l.Sku.ToLower().Contains(lowered)),
            },
            "purchasedCategory" => Categories(db, op, texts) is var ids && op == "ne"
                ? f => !db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => db.Variants.Any(v => v.Id == l.VariantId && db.Products.Any(p => p.Id == v.ProductId && ids.Contains(p.CategoryId))))
                : f => db.OrderLines.Where(ol => db.Orders.Any(o => o.Id == ol.OrderId && o.Email == f.Email && o.Status != OrderStatus.Cancelled)).Any(l => db.Variants.Any(v => v.Id == l.VariantId && db.Products.Any(p => p.Id == v.ProductId && ids.Contains(p.CategoryId)))),
            "rfmSegment" => RfmCodes(op, texts) is var codes && op == "ne"
                ? f => f.RecencyScore == null || !codes.Contains((f.RecencyScore.Value * 100) + (f.FrequencyScore!.Value * 10) + f.MonetaryScore!.Value)
                : f => f.RecencyScore != null && codes.Contains((f.RecencyScore.Value * 100) + (f.FrequencyScore!.Value * 10) + f.MonetaryScore!.Value),
            "loyaltyTier" => LoyaltyTier(op, texts, tiers),
            _ => throw new InvalidOperationException($"Unknown segment field {rule.Field}."),
        };
    }

    // A category is named by its name or slug, in any case; ne and contains work on the same set.
    private static IQueryable<Guid?> Categories(StorekeepDbContext db, string op, List<string> texts)
    {
        var lowered = texts.Select(t => t.ToLowerInvariant()).ToList();
        var first = lowered.FirstOrDefault() ?? "";
        return op == "contains"
            ? db.Categories.Where(c => c.Name.ToLower().Contains(first) || c.Slug.ToLower().Contains(first)).Select(c => (Guid?)c.Id)
            : db.Categories.Where(c => lowered.Contains(c.Name.ToLower()) || lowered.Contains(c.Slug.ToLower())).Select(c => (Guid?)c.Id);
    }

    private static List<long> RfmCodes(string op, List<string> texts) =>
        [.. (op == "contains" ? RfmSegments.All.Where(s => texts.Any(t => s.Contains(t, StringComparison.Ordinal))) : texts).SelectMany(RfmSegments.Codes)];

    /// <summary>A tier is the band of 12-month spend from its minimum up to the next tier's; no tier is below the lowest.</summary>
    private static Expression<Func<CustomerFigureRow, bool>> LoyaltyTier(string op, List<string> texts, IReadOnlyList<LoyaltyTierView> tiers)
    {
        var ordered = tiers.OrderBy(t => t.MinimumSpend12Months).ToList();
        var bands = ordered.Select((t, i) => (t.Name, From: MinorUnits.ToMinor(t.MinimumSpend12Months), To: i + 1 < ordered.Count ? MinorUnits.ToMinor(ordered[i + 1].MinimumSpend12Months) : long.MaxValue)).ToList();
        var chosen = bands.Where(b => op == "contains"
            ? texts.Any(t => b.Name.Contains(t, StringComparison.OrdinalIgnoreCase))
            : texts.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        Expression<Func<CustomerFigureRow, bool>> inAny = chosen.Count == 0
            ? f => false
            : chosen.Select(b => (Expression<Func<CustomerFigureRow, bool>>)(f => f.LoyaltySpendMinor >= Box(b.From).Value && f.LoyaltySpendMinor < Box(b.To).Value))
                .Aggregate(Or);
        return op == "ne" ? Not(inAny) : inAny;
    }

    /// <summary>Whether a customer without orders (0) meets the rule; values are never negative.</summary>
    private static bool ZeroMatches(string op, List<long> values) => op switch
    {
        "eq" or "in" => values.Contains(0),
        "ne" => values[0] != 0,
        "gt" => false,
        "gte" => values[0] == 0,
        _ => true, // lt (values ≥ 0: 0 < v unless v is 0, then nothing matches anyway) and lte
    };

    /// <summary>
    /// A rule no customer without orders meets, over the kept figure (null without orders, so the null
    /// fails it as 0 would): PostgreSQL can then filter <c>customer_order_stats</c> before the join
    /// (an inner join), instead of joining every customer and filtering the coalesced value after.
    /// </summary>
    private static Expression<Func<CustomerFigureRow, bool>> Kept(Expression<Func<CustomerFigureRow, long?>> member, string op, List<long> values) =>
        values.Select(v => op switch
        {
            "eq" or "in" => Bind(member, x => x == Box<long?>(v).Value),
            "ne" => Bind(member, x => x != null && x != Box<long?>(v).Value), // C#'s null ≠ v is true: ruled out here
            "gt" => Bind(member, x => x > Box<long?>(v).Value),
            "gte" => Bind(member, x => x >= Box<long?>(v).Value),
            "lt" => Bind(member, x => x < Box<long?>(v).Value),
            _ => Bind(member, x => x <= Box<long?>(v).Value),
        }).Take(op == "in" ? values.Count : 1).Aggregate(Or);

    private static Expression<Func<CustomerFigureRow, bool>> Numeric(Expression<Func<CustomerFigureRow, long>> member, string op, List<long> values) =>
        AnyOf(values, op, v => Compare(member, op == "in" ? "eq" : op, (Expression<Func<CustomerFigureRow, long>>)(f => Box(v).Value)), null);

    /// <summary>
    /// Days ago is ⌊(now − time) / 1 day⌋, compared as times so it stays in SQL: <c>daysAgo ≥ n</c>
    /// is <c>time ≤ now − n days</c>. A customer without orders matches no days-ago rule.
    /// </summary>
    private static Expression<Func<CustomerFigureRow, bool>> DaysAgo(Expression<Func<CustomerFigureRow, DateTime?>> member, string op, List<long> values, DateTime now)
    {
        Expression<Func<CustomerFigureRow, bool>> AtLeast(long n) => Bind(member, t => t <= Box<DateTime?>(now.AddDays(-n)).Value);
        Expression<Func<CustomerFigureRow, bool>> AtMost(long n) => Bind(member, t => t > Box<DateTime?>(now.AddDays(-(n + 1))).Value);
        Expression<Func<CustomerFigureRow, bool>> Exactly(long n) => And(AtLeast(n), AtMost(n));
        var n = values[0];
        var rule = op switch
        {
            "eq" => Exactly(n),
            "ne" => Not(Exactly(n)),
            "gt" => AtLeast(n + 1),
            "gte" => AtLeast(n),
            "lt" => n == 0 ? f => false : AtMost(n - 1),
            "lte" => AtMost(n),
            _ => values.Select(Exactly).Aggregate(Or),
        };
        return And(Bind(member, t => t != null), rule);
    }

    private static Expression<Func<CustomerFigureRow, bool>> Text(Expression<Func<CustomerFigureRow, string?>> member, string op, List<string> values)
    {
        var first = values[0];
        var lowered = first.ToLowerInvariant();
        return op switch
        {
            "eq" => Bind(member, s => s == first),
            "ne" => Bind(member, s => s != first),
            "in" => Bind(member, s => values.Contains(s!)),
            _ => Bind(member, s => s != null && s.ToLower().Contains(lowered)),
        };
    }

    private static Expression<Func<CustomerFigureRow, bool>> AnyOf<T>(List<T> values, string op, Func<T, Expression<Func<CustomerFigureRow, bool>>> one, Expression<Func<CustomerFigureRow, bool>>? guard)
    {
        var rule = op == "in" ? values.Select(one).Aggregate(Or) : one(values[0]);
        return guard is null ? rule : And(guard, rule);
    }

    private static Expression<Func<CustomerFigureRow, bool>> Compare(
        Expression<Func<CustomerFigureRow, long>> left, string op, Expression<Func<CustomerFigureRow, long>> right)
    {
        var parameter = left.Parameters[0];
        var r = ReplacingExpressionVisitor.Replace(right.Parameters[0], parameter, right.Body);
        Expression body = op switch
        {
            "eq" => Expression.Equal(left.Body, r),
            "ne" => Expression.NotEqual(left.Body, r),
            "gt" => Expression.GreaterThan(left.Body, r),
            "gte" => Expression.GreaterThanOrEqual(left.Body, r),
            "lt" => Expression.LessThan(left.Body, r),
            _ => Expression.LessThanOrEqual(left.Body, r),
        };
        return Expression.Lambda<Func<CustomerFigureRow, bool>>(body, parameter);
    }

    /// <summary>Applies a test to a member: <c>f =&gt; test(member(f))</c>.</summary>
    private static Expression<Func<CustomerFigureRow, bool>> Bind<T>(Expression<Func<CustomerFigureRow, T>> member, Expression<Func<T, bool>> test) =>
        Expression.Lambda<Func<CustomerFigureRow, bool>>(ReplacingExpressionVisitor.Replace(test.Parameters[0], member.Body, test.Body), member.Parameters);

    private static Expression<Func<CustomerFigureRow, bool>> And(Expression<Func<CustomerFigureRow, bool>> a, Expression<Func<CustomerFigureRow, bool>> b) =>
        Expression.Lambda<Func<CustomerFigureRow, bool>>(Expression.AndAlso(a.Body, ReplacingExpressionVisitor.Replace(b.Parameters[0], a.Parameters[0], b.Body)), a.Parameters);

    private static Expression<Func<CustomerFigureRow, bool>> Or(Expression<Func<CustomerFigureRow, bool>> a, Expression<Func<CustomerFigureRow, bool>> b) =>
        Expression.Lambda<Func<CustomerFigureRow, bool>>(Expression.OrElse(a.Body, ReplacingExpressionVisitor.Replace(b.Parameters[0], a.Parameters[0], b.Body)), a.Parameters);

    private static Expression<Func<CustomerFigureRow, bool>> Not(Expression<Func<CustomerFigureRow, bool>> a) =>
        Expression.Lambda<Func<CustomerFigureRow, bool>>(Expression.Not(a.Body), a.Parameters);

    // A boxed value reads as a query parameter, not a literal baked into the SQL text.
    private static StrongBox<T> Box<T>(T value) => new(value);
}

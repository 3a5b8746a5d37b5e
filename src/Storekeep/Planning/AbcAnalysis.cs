using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Shared;

namespace Storekeep.Planning;

/// <summary>Thresholds of the ABC and XYZ classes (configuration section Planning:Abc).</summary>
public sealed class AbcSettings
{
    public double ClassAUpTo { get; set; } = 0.80;
    public double ClassBUpTo { get; set; } = 0.95;
    public double ClassXBelow { get; set; } = 0.5;
    public double ClassYBelow { get; set; } = 1.0;
}

public sealed record AbcRow(string Sku, decimal Value, double Share, double CumulativeShare, string Abc, string Xyz, double? Cv);

/// <summary>
/// ABC by revenue (Σ line total), margin (Σ line total − quantity × the line's cost at sale, else the
/// variant's current cost; a line without either contributes no margin rather than its whole revenue) or units; XYZ by the
/// coefficient of variation of weekly units over the weeks from..to. Definitions: docs/planning.md.
/// </summary>
public sealed class AbcAnalysis(StorekeepDbContext db, DemandHistory history, AbcSettings settings, TimeProvider clock)
{
    /// <summary>The span without <c>from</c>: a year of sales, as the replenishment's classes use.</summary>
    public const int DefaultDays = 365;

    public async Task<Page<AbcRow>> AnalyseAsync(DateOnly? from, DateOnly? to, string? by, int? limit, string? cursor, CancellationToken ct)
    {
        if (by is not (null or "revenue" or "margin" or "units"))
        {
            throw Errors.BadRequest("invalid_abc_basis", "by must be 'revenue', 'margin' or 'units'.");
        }

        // As every report: to is exclusive (api-management.md); without it the span ends after
        // today, and without from it starts DefaultDays before its end.
        var end = to ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1);
        var start = from ?? end.AddDays(-DefaultDays);
        if (start >= end)
        {
            throw Errors.BadRequest("invalid_period", $"from ({start:yyyy-MM-dd}) must be before to ({end:yyyy-MM-dd}); to is exclusive.");
        }

        var take = Cursor.Limit(limit);
        var offset = cursor is null ? 0 : (int)Math.Clamp(Cursor.DecodeLong(cursor) ?? 0, 0, int.MaxValue);
        var rows = await RankAsync(start, end, by ?? "revenue", ct);
        var page = rows.Skip(offset).Take(take).ToList();
        return new Page<AbcRow>(page, offset + take < rows.Count ? Cursor.Encode(offset + take) : null);
    }

    /// <summary>Every SKU sold in [from, to), ranked by value with its ABC and XYZ class (arguments already checked).</summary>
    public async Task<IReadOnlyList<AbcRow>> RankAsync(DateOnly from, DateOnly to, string by, CancellationToken ct)
    {
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        var lines = from line in db.OrderLines.AsNoTracking()
                    join order in db.Orders.AsNoTracking() on line.OrderId equals order.Id
                    where order.Status != OrderStatus.Cancelled && order.CreatedAt >= start && order.CreatedAt < end
                    join v in db.Variants.AsNoTracking() on line.VariantId equals v.Id into vs
                    from v in vs.DefaultIfEmpty()
                    select new { line.Sku, line.Quantity, line.LineTotal, Cost = line.UnitCost ?? v.Cost };
        var perLine = await lines.ToListAsync(ct);
        var values = perLine.GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => by switch
        {
            "units" => g.Sum(l => (decimal)l.Quantity),
            "margin" => g.Sum(l => l.Cost is { } c ? l.LineTotal - l.Quantity * c : 0m),
            _ => g.Sum(l => l.LineTotal),
        }, StringComparer.Ordinal);

        var firstWeek = DemandHistory.WeekStart(from);
        var weekly = DemandHistory.Weekly(await history.DailyAsync(false, null, null, start, end, ct), firstWeek, DemandHistory.WeekStart(to.AddDays(-1)));

        // Ranked by value, largest first (SKU breaks ties); negative margins count as nothing in the shares.
        var ranked = values.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).ToList();
        var total = ranked.Sum(v => Math.Max(0m, v.Value));
        var rows = new List<AbcRow>();
        var cumulative = 0.0;
        foreach (var (sku, value) in ranked)
        {
            var share = total > 0 ? (double)(Math.Max(0m, value) / total) : 0;
            var before = cumulative;
            cumulative += share;
            // A SKU is A while the value before it is under 80%, so the SKU crossing the line is still A.
            var abc = before < settings.ClassAUpTo ? "A" : before < settings.ClassBUpTo ? "B" : "C";
            var units = weekly.TryGetValue(sku, out var w) ? w.Select(x => x.Units).ToArray() : [];
            var cv = CoefficientOfVariation(units);
            var xyz = cv < settings.ClassXBelow ? "X" : cv < settings.ClassYBelow ? "Y" : "Z";
            rows.Add(new AbcRow(sku, value, Math.Round(share, 6), Math.Round(cumulative, 6), abc, xyz, cv is { } c ? Math.Round(c, 6) : null));
        }

        return rows;
    }

    /// <summary>Population standard deviation over mean; null (class Z) when there is no demand to vary.</summary>
    public static double? CoefficientOfVariation(double[] units)
    {
        if (units.Length == 0 || units.Average() is var mean && mean <= 0)
        {
            return null;
        }

        var variance = units.Sum(u => (u - mean) * (u - mean)) / units.Length;
        return Math.Sqrt(variance) / mean;
    }
}

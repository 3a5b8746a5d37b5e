using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Orders;

namespace Storekeep.Planning;

public static class PlanningPermissions
{
    public const string Read = "planning.read";
}

/// <summary>Units sold in one week (Monday 00:00 UTC to the next Monday).</summary>
public sealed record WeekUnits(DateOnly WeekStart, double Units);

/// <summary>
/// Weekly demand from non-cancelled orders' lines, by SKU or by product category. The database
/// groups by UTC day (the same GROUP BY date the sales rollup uses on both providers); the weeks
/// are made here, so Monday boundaries are exact on SQLite and PostgreSQL alike.
/// </summary>
public sealed class DemandHistory(StorekeepDbContext db)
{
    public const string NoCategory = "(none)";

    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>Units per (key, UTC day) for orders created in [from, to); key is the SKU or the category slug.</summary>
    public async Task<List<(string Key, DateOnly Day, long Units)>> DailyAsync(bool byCategory, string? sku, string? category, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var lines = from line in db.OrderLines.AsNoTracking()
                    join order in db.Orders.AsNoTracking() on line.OrderId equals order.Id
                    where order.Status != OrderStatus.Cancelled
                    select new { line.Sku, line.VariantId, line.Quantity, order.CreatedAt };
        if (from is { } f)
        {
            lines = lines.Where(l => l.CreatedAt >= f);
        }

        if (to is { } t)
        {
            lines = lines.Where(l => l.CreatedAt < t);
        }

        if (sku is not null)
        {
            lines = lines.Where(l => l.Sku == sku);
        }

        if (!byCategory)
        {
            var rows = await lines.GroupBy(l => new { l.Sku, l.CreatedAt.Date })
                .Select(g => new { g.Key.Sku, g.Key.Date, Units = g.Sum(l => (long)l.Quantity) })
                .ToListAsync(ct);
            return [.. rows.Select(r => (r.Sku, DateOnly.FromDateTime(r.Date), r.Units))];
        }

        // A line's category is its variant's product's; lines of deleted variants have none.
        var withCategory = from l in lines
                           join vc in VariantCategories.Query(db) on l.VariantId equals vc.VariantId into vcs
                           from vc in vcs.DefaultIfEmpty()
                           select new { Category = vc == null ? null : vc.Slug, l.Quantity, l.CreatedAt };
        if (category is not null)
        {
            withCategory = withCategory.Where(l => l.Category == category);
        }

        var byDay = await withCategory.GroupBy(l => new { l.Category, l.CreatedAt.Date })
            .Select(g => new { g.Key.Category, g.Key.Date, Units = g.Sum(l => (long)l.Quantity) })
            .ToListAsync(ct);
        return [.. byDay.Select(r => (r.Category ?? NoCategory, DateOnly.FromDateTime(r.Date), r.Units))];
    }

    /// <summary>Zero-filled weeks per key, from each key's first week with demand (or <paramref name="firstWeek"/>) to <paramref name="lastWeek"/>.</summary>
    public static Dictionary<string, List<WeekUnits>> Weekly(IEnumerable<(string Key, DateOnly Day, long Units)> daily, DateOnly? firstWeek, DateOnly lastWeek)
    {
        var result = new Dictionary<string, List<WeekUnits>>(StringComparer.Ordinal);
        foreach (var group in daily.GroupBy(d => d.Key, StringComparer.Ordinal))
        {
            var weeks = group.GroupBy(d => WeekStart(d.Day)).ToDictionary(g => g.Key, g => (double)g.Sum(d => d.Units));
            if (weeks.Count == 0)
            {
                continue;
            }

            var start = firstWeek ?? weeks.Keys.Min();
            var list = new List<WeekUnits>();
            for (var week = start; week <= lastWeek; week = week.AddDays(7))
            {
                list.Add(new WeekUnits(week, weeks.GetValueOrDefault(week)));
            }

            result[group.Key] = list;
        }

        return result;
    }
}

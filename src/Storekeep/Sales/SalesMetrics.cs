using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Sales;

/// <summary>
/// The pipeline's figures over a window [from, to) of UTC days, per the definitions in docs/sales.md:
/// computed in memory from the deals and their stage history (a store's pipeline is thousands of
/// deals, not millions), money summed in minor units and rounded once at the end.
/// </summary>
public sealed class SalesMetrics(StorekeepDbContext db, TimeProvider clock)
{
    public const int DefaultDays = 90;
    public const int MaxDays = 366 * 5;

    public async Task<SalesMetricsView> GetAsync(string? from, string? to, string? repId, string? teamId, string? territoryId, CancellationToken ct)
    {
        var v = new Validation();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var end = Date(v, "to", to) ?? today.AddDays(1);
        var start = Date(v, "from", from) ?? end.AddDays(-DefaultDays);
        if (!v.HasErrors && start >= end)
        {
            v.Add("from", "'from' must be before 'to' (to is exclusive).");
        }
        else if (!v.HasErrors && end.DayNumber - start.DayNumber > MaxDays)
        {
            v.Add("to", $"The window is at most {MaxDays} days.");
        }

        var rep = SalesNames.ParseGuid(v, "repId", repId);
        var team = SalesNames.ParseGuid(v, "teamId", teamId);
        var territory = SalesNames.ParseGuid(v, "territoryId", territoryId);
        v.ThrowIfInvalid();

        var deals = db.Set<Deal>().AsNoTracking();
        if (rep is { } r)
        {
            deals = deals.Where(d => d.OwnerRepId == r);
        }

        if (team is { } t)
        {
            deals = deals.Where(d => db.Set<SalesRep>().Any(x => x.Id == d.OwnerRepId && x.TeamId == t));
        }

        if (territory is { } z)
        {
            // A territory's deals are those of the reps who work it: in its rotation, or with it as their home territory.
            deals = deals.Where(d => db.Set<SalesTerritoryRep>().Any(x => x.RepId == d.OwnerRepId && x.TerritoryId == z)
                || db.Set<SalesRep>().Any(x => x.Id == d.OwnerRepId && x.TerritoryId == z));
        }

        var rows = await deals.ToListAsync(ct);
        var windowStart = start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var windowEnd = end.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var history = await db.Set<DealStageChange>().AsNoTracking().Where(h => deals.Any(d => d.Id == h.DealId)).ToListAsync(ct);
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        return Compute(rows, history, start, end, windowStart, windowEnd, currency);
    }

    internal static SalesMetricsView Compute(
        IReadOnlyList<Deal> deals, IReadOnlyList<DealStageChange> history, DateOnly from, DateOnly to, DateTime start, DateTime end, string currency)
    {
        var closed = deals.Where(d => d.IsClosed && d.ClosedAt >= start && d.ClosedAt < end).ToList();
        var won = closed.Where(d => d.Stage == DealStage.Won).ToList();
        var lost = closed.Where(d => d.Stage == DealStage.Lost).ToList();
        var wonMinor = won.Sum(d => MinorUnits.ToMinor(d.Amount));
        var lostMinor = lost.Sum(d => MinorUnits.ToMinor(d.Amount));
        decimal? winRate = won.Count + lost.Count == 0 ? null : (decimal)won.Count / (won.Count + lost.Count);
        decimal? winRateByAmount = wonMinor + lostMinor == 0 ? null : (decimal)wonMinor / (wonMinor + lostMinor);
        decimal? averageMinor = won.Count == 0 ? null : (decimal)wonMinor / won.Count;

        var cycles = won.Select(d => (decimal)(d.ClosedAt!.Value - d.CreatedAt).Ticks / TimeSpan.TicksPerDay).Order().ToList();
        decimal? mean = cycles.Count == 0 ? null : cycles.Sum() / cycles.Count;
        decimal? median = cycles.Count == 0 ? null
            : cycles.Count % 2 == 1 ? cycles[cycles.Count / 2]
            : (cycles[(cycles.Count / 2) - 1] + cycles[cycles.Count / 2]) / 2;

        var open = deals.Where(d => !d.IsClosed).ToList();
        var pipelineMinor = open.Sum(d => MinorUnits.ToMinor(d.Amount));
        var weightedMinor = open.Sum(d => (decimal)MinorUnits.ToMinor(d.Amount) * d.Probability / 100m);
        decimal? velocityMinor = winRate is { } wr && averageMinor is { } avg && mean is { } m && m > 0 ? open.Count * wr * avg / m : null;

        var forecast = open.Where(d => d.ExpectedCloseDate >= from && d.ExpectedCloseDate < to).ToList();
        long Category(ForecastCategory c) => forecast.Where(d => d.ForecastCategory == c).Sum(d => MinorUnits.ToMinor(d.Amount));
        var commit = Category(ForecastCategory.Commit);
        var bestCase = commit + Category(ForecastCategory.BestCase);
        var pipeline = bestCase + Category(ForecastCategory.Pipeline);

        return new SalesMetricsView(
            from, to, currency, won.Count, lost.Count,
            Rate(winRate), Rate(winRateByAmount), MinorUnits.FromMinor(wonMinor),
            averageMinor is { } a ? Money(a) : null,
            median is { } md ? Days(md) : null,
            mean is { } mn ? Days(mn) : null,
            open.Count, MinorUnits.FromMinor(pipelineMinor), Money(weightedMinor),
            velocityMinor is { } vm ? Money(vm) : null,
            StageConversion(history, start, end),
            new ForecastView(MinorUnits.FromMinor(commit), MinorUnits.FromMinor(bestCase), MinorUnits.FromMinor(pipeline)));
    }

    /// <summary>
    /// For each open stage and the stage after it (closing → won): of the deals that entered the
    /// first in the window, the share that later (any time up to now) reached the second or beyond.
    /// </summary>
    private static List<StageConversionView> StageConversion(IReadOnlyList<DealStageChange> history, DateTime start, DateTime end)
    {
        var byDeal = history.GroupBy(h => h.DealId)
            .ToDictionary(g => g.Key, g => g.OrderBy(h => h.At).ThenBy(h => h.Id.ToString(), StringComparer.Ordinal).ToList());
        var result = new List<StageConversionView>();
        for (var i = 0; i < SalesNames.OpenStages.Count; i++)
        {
            var from = SalesNames.OpenStages[i];
            var to = i + 1 < SalesNames.OpenStages.Count ? SalesNames.OpenStages[i + 1] : DealStage.Won;
            int entered = 0, reached = 0;
            foreach (var rows in byDeal.Values)
            {
                var first = rows.FindIndex(h => h.ToStage == from && h.At >= start && h.At < end);
                if (first < 0)
                {
                    continue;
                }

                entered++;
                if (rows.Skip(first + 1).Any(h => h.ToStage != DealStage.Lost && h.ToStage >= to))
                {
                    reached++;
                }
            }

            result.Add(new StageConversionView(SalesNames.Name(from), SalesNames.Name(to), entered == 0 ? null : Rate((decimal)reached / entered)));
        }

        return result;
    }

    private static decimal? Rate(decimal? rate) => rate is { } r ? decimal.Round(r, 4, MidpointRounding.AwayFromZero) : null;

    /// <summary>Minor units (possibly fractional) to a money amount rounded half away from zero.</summary>
    private static decimal Money(decimal minor) => MinorUnits.Round(minor / 100m);

    private static decimal Days(decimal days) => decimal.Round(days, 2, MidpointRounding.AwayFromZero);

    private static DateOnly? Date(Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1900 and <= 9000)
        {
            return date;
        }

        v.Add(field, $"'{field}' must be an ISO date (yyyy-MM-dd).");
        return null;
    }
}

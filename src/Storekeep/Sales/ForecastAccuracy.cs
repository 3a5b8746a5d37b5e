using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Sales;

/// <param name="Commit">Σ amount of the open deals in commit expected to close in the period, as at its start.</param>
/// <param name="BestCase">Commit plus best_case.</param>
/// <param name="Pipeline">BestCase plus pipeline (every such deal not omitted).</param>
/// <param name="Weighted">Σ amount × probability ÷ 100 over the pipeline's deals.</param>
public sealed record ForecastAtStartView(decimal Commit, decimal BestCase, decimal Pipeline, decimal Weighted, int Deals);

/// <param name="Won">Σ amount of the deals won in the period (whatever the forecast said).</param>
/// <param name="WonFromCommit">The part of <paramref name="Won"/> from deals that were in commit at the start.</param>
/// <param name="Accuracy">won ÷ commit (4 decimals); null when commit is 0.</param>
/// <param name="WeightedAccuracy">won ÷ weighted (4 decimals); null when weighted is 0.</param>
public sealed record RepForecastAccuracyView(
    Guid RepId, string Name, ForecastAtStartView Forecast, decimal Won, int WonDeals, decimal WonFromCommit, decimal? Accuracy, decimal? WeightedAccuracy);

public sealed record ForecastAccuracyView(
    string Period,
    DateTime Start,
    DateTime End,
    string Currency,
    ForecastAtStartView Forecast,
    decimal Won,
    int WonDeals,
    decimal WonFromCommit,
    decimal? Accuracy,
    decimal? WeightedAccuracy,
    IReadOnlyList<RepForecastAccuracyView> PerRep);

/// <summary>
/// The forecast as it stood at a period's start, read back from the append-only forecast record
/// (<see cref="DealForecastChange"/>) and stage history, against what was won in the period
/// (docs/sales.md, "Forecast accuracy").
/// </summary>
public sealed class ForecastAccuracy(StorekeepDbContext db)
{
    private sealed record DealAtStart(Guid DealId, Guid? Owner, ForecastCategory Category, int Probability, long Amount);

    /// <param name="onlyReps">Narrows the figures to these reps' deals, like a team (a rep's own scope in the back office); null: as the team filter says.</param>
    public async Task<ForecastAccuracyView> GetAsync(string? period, string? teamId, CancellationToken ct, IReadOnlySet<Guid>? onlyReps = null)
    {
        var v = new Validation();
        var p = SalesPeriod.Parse(v, "period", period);
        var team = SalesNames.ParseGuid(v, "teamId", teamId);
        v.ThrowIfInvalid();
        var start = p!.Start;
        var end = p.End;
        var deals = await db.Set<Deal>().AsNoTracking().Where(d => d.CreatedAt < end).ToListAsync(ct);
        var changes = (await db.Set<DealForecastChange>().AsNoTracking().ToListAsync(ct))
            .GroupBy(c => c.DealId).ToDictionary(g => g.Key, g => g.OrderBy(c => c.At).ThenBy(c => c.Id.ToString(), StringComparer.Ordinal).ToList());
        var history = (await db.Set<DealStageChange>().AsNoTracking().Where(h => h.At < start).ToListAsync(ct))
            .GroupBy(h => h.DealId).ToDictionary(g => g.Key, g => g.OrderBy(h => h.At).ThenBy(h => h.Id.ToString(), StringComparer.Ordinal).Last());
        var reps = (await db.Set<SalesRep>().AsNoTracking().Where(r => team == null || r.TeamId == team).ToListAsync(ct))
            .Where(r => onlyReps is null || onlyReps.Contains(r.Id)).ToList();
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);

        var from = DateOnly.FromDateTime(start);
        var to = DateOnly.FromDateTime(end);
        var forecast = new List<DealAtStart>();
        foreach (var deal in deals.Where(d => d.CreatedAt < start))
        {
            var at = AtStart(deal, changes.GetValueOrDefault(deal.Id), history.GetValueOrDefault(deal.Id), start);
            if (at is { } s && s.Stage is not (DealStage.Won or DealStage.Lost) && s.Category != ForecastCategory.Omitted
                && s.ExpectedCloseDate >= from && s.ExpectedCloseDate < to)
            {
                forecast.Add(new DealAtStart(deal.Id, s.OwnerRepId, s.Category, s.Probability, MinorUnits.ToMinor(s.Amount)));
            }
        }

        var won = deals.Where(d => d.Stage == DealStage.Won && d.ClosedAt >= start && d.ClosedAt < end).ToList();
        var repIds = reps.Select(r => r.Id).ToHashSet();
        if (team is not null || onlyReps is not null)
        {
            forecast = [.. forecast.Where(f => f.Owner is { } o && repIds.Contains(o))];
            won = [.. won.Where(d => d.OwnerRepId is { } o && repIds.Contains(o))];
        }

        var total = Figures(forecast, won);
        var perRep = reps.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Select(r =>
        {
            var f = Figures([.. forecast.Where(x => x.Owner == r.Id)], [.. won.Where(d => d.OwnerRepId == r.Id)]);
            return new RepForecastAccuracyView(r.Id, r.Name, f.Forecast, f.Won, f.WonDeals, f.WonFromCommit, f.Accuracy, f.WeightedAccuracy);
        }).ToList();
        return new ForecastAccuracyView(p.Key, start, end, currency, total.Forecast, total.Won, total.WonDeals, total.WonFromCommit, total.Accuracy, total.WeightedAccuracy, perRep);
    }

    /// <summary>
    /// The deal as at <paramref name="start"/>: its last forecast record before it; without one (a
    /// deal older than the record) its stage and probability from the stage history and the rest
    /// from its oldest record or, without any, as it is now, a category of a deal closed since
    /// (closed, or omitted by a loss) read as pipeline.
    /// </summary>
    private static DealForecastChange? AtStart(Deal deal, List<DealForecastChange>? changes, DealStageChange? stage, DateTime start)
    {
        if (changes?.LastOrDefault(c => c.At < start) is { } known)
        {
            return known;
        }

        if (stage is null)
        {
            return null;
        }

        var later = changes?.FirstOrDefault();
        var category = later?.Category ?? deal.ForecastCategory;
        if (later is null && deal.IsClosed && deal.ClosedAt >= start && category is ForecastCategory.Closed or ForecastCategory.Omitted)
        {
            category = ForecastCategory.Pipeline;
        }

        return new DealForecastChange
        {
            DealId = deal.Id,
            At = stage.At,
            Stage = stage.ToStage,
            Category = category == ForecastCategory.Closed ? ForecastCategory.Pipeline : category,
            Probability = stage.Probability,
            Amount = later?.Amount ?? deal.Amount,
            ExpectedCloseDate = later?.ExpectedCloseDate ?? deal.ExpectedCloseDate,
            OwnerRepId = later?.OwnerRepId ?? deal.OwnerRepId,
        };
    }

    private static (ForecastAtStartView Forecast, decimal Won, int WonDeals, decimal WonFromCommit, decimal? Accuracy, decimal? WeightedAccuracy) Figures(
        IReadOnlyList<DealAtStart> forecast, IReadOnlyList<Deal> won)
    {
        long Sum(ForecastCategory c) => forecast.Where(f => f.Category == c).Sum(f => f.Amount);
        var commit = Sum(ForecastCategory.Commit);
        var bestCase = commit + Sum(ForecastCategory.BestCase);
        var pipeline = bestCase + Sum(ForecastCategory.Pipeline);
        var weighted = forecast.Sum(f => (decimal)f.Amount * f.Probability / 100m);
        var wonMinor = won.Sum(d => MinorUnits.ToMinor(d.Amount));
        var committed = forecast.Where(f => f.Category == ForecastCategory.Commit).Select(f => f.DealId).ToHashSet();
        var wonFromCommit = won.Where(d => committed.Contains(d.Id)).Sum(d => MinorUnits.ToMinor(d.Amount));
        return (
            new ForecastAtStartView(MinorUnits.FromMinor(commit), MinorUnits.FromMinor(bestCase), MinorUnits.FromMinor(pipeline), MinorUnits.Round(weighted / 100m), forecast.Count),
            MinorUnits.FromMinor(wonMinor), won.Count, MinorUnits.FromMinor(wonFromCommit),
            commit == 0 ? null : Rate((decimal)wonMinor / commit),
            weighted == 0 ? null : Rate(wonMinor / weighted));
    }

    private static decimal Rate(decimal r) => decimal.Round(r, 4, MidpointRounding.AwayFromZero);
}

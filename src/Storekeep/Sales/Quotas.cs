using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Sales;

public sealed record SetQuotaRequest(Guid? RepId, string? Period, decimal? Amount);

public sealed record QuotaView(Guid RepId, string Period, decimal Amount, DateTime UpdatedAt);

/// <param name="Quota">The period's quota (null: none set); see <paramref name="QuotaSource"/>.</param>
/// <param name="QuotaSource"><c>month</c>, <c>quarter</c>, or <c>months</c> (a quarter without its own quota: the sum of its month quotas); null without a quota.</param>
/// <param name="Attained">The rep's credited net amount on the invoiced basis in the period (docs/sales.md).</param>
/// <param name="Attainment">Attained ÷ quota × 100 (percent, two decimals); null without a quota above 0.</param>
public sealed record RepQuotaView(int Rank, Guid RepId, string Name, Guid TeamId, string TeamName, decimal? Quota, string? QuotaSource, decimal Attained, decimal? Attainment);

/// <param name="Quota">Σ of the team's reps' quotas (a rep without one adds 0).</param>
public sealed record TeamQuotaView(Guid TeamId, string Name, decimal Quota, decimal Attained, decimal? Attainment);

public sealed record QuotasView(string Period, DateTime Start, DateTime End, string Currency, IReadOnlyList<RepQuotaView> Reps, IReadOnlyList<TeamQuotaView> Teams, TeamQuotaTotals Totals);

public sealed record TeamQuotaTotals(decimal Quota, decimal Attained, decimal? Attainment);

/// <summary>Quotas per rep and period (month or quarter), attainment and the team roll-up (docs/sales.md, "Quotas").</summary>
public sealed class Quotas(StorekeepDbContext db, SalesTeams teams, TimeProvider clock)
{
    public async Task<QuotaView> SetAsync(SetQuotaRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.RepId is null)
        {
            v.Add("repId", "'repId' is required.");
        }

        var period = SalesPeriod.Parse(v, "period", request.Period);
        var amount = v.Money("amount", request.Amount);
        v.ThrowIfInvalid();
        await teams.EnsureRepAsync(request.RepId!.Value, "repId", ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var repId = request.RepId.Value;
        var key = period!.Key;
        var cents = MinorUnits.ToMinor(amount);

        // One statement: concurrent upserts of the same quota leave one row, the last one's amount.
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO sales_quotas (rep_id, period, amount, updated_at) VALUES ({repId}, {key}, {cents}, {now}) ON CONFLICT (rep_id, period) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at",
            ct);
        return new QuotaView(repId, key, amount, now);
    }

    public async Task<QuotasView> ListAsync(string? period, string? teamId, CancellationToken ct)
    {
        var v = new Validation();
        var p = SalesPeriod.Parse(v, "period", period);
        var team = SalesNames.ParseGuid(v, "teamId", teamId);
        v.ThrowIfInvalid();
        var targets = await SalesTargets.LoadAsync(db, ct);
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var reps = targets.Reps.Where(r => team is null || r.TeamId == team).ToList();
        var rows = reps.Select(r =>
        {
            var (quota, source) = targets.Quota(r.Id, p!);
            var attained = targets.Revenue.Attained(r.Id, p!);
            return (Rep: r, Quota: quota, Source: source, Attained: attained);
        }).OrderByDescending(x => x.Attained).ThenBy(x => x.Rep.Name, StringComparer.OrdinalIgnoreCase).ToList();

        var teamNames = targets.Teams;
        var repViews = rows.Select((x, i) => new RepQuotaView(
            i + 1, x.Rep.Id, x.Rep.Name, x.Rep.TeamId, teamNames.GetValueOrDefault(x.Rep.TeamId, ""),
            x.Quota is { } q ? MinorUnits.FromMinor(q) : null, x.Source, MinorUnits.FromMinor(x.Attained), SalesTargets.Attainment(x.Attained, x.Quota))).ToList();
        var teamViews = rows.GroupBy(x => x.Rep.TeamId).Select(g =>
        {
            var quota = g.Sum(x => x.Quota ?? 0);
            var attained = g.Sum(x => x.Attained);
            return new TeamQuotaView(g.Key, teamNames.GetValueOrDefault(g.Key, ""), MinorUnits.FromMinor(quota), MinorUnits.FromMinor(attained), SalesTargets.Attainment(attained, quota));
        }).OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList();
        var allQuota = rows.Sum(x => x.Quota ?? 0);
        var allAttained = rows.Sum(x => x.Attained);
        return new QuotasView(p!.Key, p.Start, p.End, currency, repViews, teamViews,
            new TeamQuotaTotals(MinorUnits.FromMinor(allQuota), MinorUnits.FromMinor(allAttained), SalesTargets.Attainment(allAttained, allQuota)));
    }
}

/// <summary>Reps, teams, quotas and credited revenue, read once for a quota or commission report.</summary>
internal sealed class SalesTargets
{
    private SalesTargets(List<SalesRep> reps, Dictionary<Guid, string> teams, Dictionary<(Guid, string), long> quotas, SalesRevenue revenue)
    {
        Reps = reps;
        Teams = teams;
        Quotas = quotas;
        Revenue = revenue;
    }

    public List<SalesRep> Reps { get; }
    public Dictionary<Guid, string> Teams { get; }
    public Dictionary<(Guid Rep, string Period), long> Quotas { get; }
    public SalesRevenue Revenue { get; }

    public static async Task<SalesTargets> LoadAsync(StorekeepDbContext db, CancellationToken ct)
    {
        var reps = await db.Set<SalesRep>().AsNoTracking().ToListAsync(ct);
        var teams = await db.Set<SalesTeam>().AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var quotas = (await db.Set<SalesQuota>().AsNoTracking().ToListAsync(ct))
            .ToDictionary(q => (q.RepId, q.Period), q => MinorUnits.ToMinor(q.Amount));
        var revenue = await SalesRevenue.LoadAsync(db, ct);
        return new SalesTargets([.. reps.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Id)], teams, quotas, revenue);
    }

    /// <summary>
    /// The rep's quota for the period in minor units: a month's own quota; a quarter's own quota, or
    /// without one the sum of its month quotas (when at least one is set); null when none applies.
    /// </summary>
    public (long? Amount, string? Source) Quota(Guid repId, SalesPeriod period)
    {
        if (Quotas.TryGetValue((repId, period.Key), out var own))
        {
            return (own, period.IsQuarter ? "quarter" : "month");
        }

        if (!period.IsQuarter)
        {
            return (null, null);
        }

        var months = period.Months.Select(m => Quotas.TryGetValue((repId, m.Key), out var q) ? q : (long?)null).ToList();
        return months.Any(m => m is not null) ? (months.Sum(m => m ?? 0), "months") : (null, null);
    }

    /// <summary>Attained ÷ quota × 100, exact (tiers compare this, not the rounded figure).</summary>
    public decimal? ExactAttainment(Guid repId, SalesPeriod period) =>
        Quota(repId, period).Amount is { } q && q > 0 ? (decimal)Revenue.Attained(repId, period) * 100m / q : null;

    public static decimal? Attainment(long attained, long? quota) =>
        quota is { } q && q > 0 ? decimal.Round((decimal)attained * 100m / q, 2, MidpointRounding.AwayFromZero) : null;
}

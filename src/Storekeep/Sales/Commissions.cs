using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Sales;

public sealed record CommissionTierRequest(decimal? FromAttainment, decimal? Rate);

/// <param name="Basis">paid or invoiced.</param>
/// <param name="Rate">Percent (two decimals) paid below the first tier.</param>
/// <param name="Tiers">From fromAttainment percent of quota on, rate replaces the base rate for the whole period.</param>
public sealed record CreateCommissionPlanRequest(string? Name, string? Basis, decimal? Rate, IReadOnlyList<CommissionTierRequest?>? Tiers);

public sealed record AssignCommissionPlanRequest(Guid? PlanId);

public sealed record CommissionTierView(decimal FromAttainment, decimal Rate);

public sealed record CommissionPlanView(Guid Id, string Name, string Basis, decimal Rate, IReadOnlyList<CommissionTierView> Tiers, IReadOnlyList<Guid> RepIds, DateTime CreatedAt);

/// <param name="Kind"><c>order</c> or <c>refund</c> (a negative amount).</param>
/// <param name="Rate">Percent: the period's rate for an order, the rate its order got for a refund.</param>
public sealed record CommissionLineView(Guid OrderId, long OrderNumber, DateTime At, decimal Amount, decimal Rate, decimal Commission, string Kind);

/// <param name="Rate">The rate the period's attainment earns (base or tier); null without a plan.</param>
public sealed record RepCommissionView(
    Guid RepId,
    string Name,
    Guid TeamId,
    Guid? PlanId,
    string? PlanName,
    string? Basis,
    decimal? Quota,
    decimal Attained,
    decimal? Attainment,
    decimal? Rate,
    decimal Amount,
    decimal Commission,
    IReadOnlyList<CommissionLineView> Lines);

public sealed record CommissionsView(string Period, DateTime Start, DateTime End, string Currency, IReadOnlyList<RepCommissionView> Reps, decimal Commission);

/// <summary>Commission plans and statements per period (docs/sales.md, "Commissions").</summary>
public sealed class Commissions(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxTiers = 20;
    public const decimal MaxRate = 100m;
    public const decimal MaxAttainment = 10_000m;

    public async Task<CommissionPlanView> CreatePlanAsync(CreateCommissionPlanRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, CommissionPlan.NameMaxLength);
        if (request.Basis is null)
        {
            v.Add("basis", "'basis' is required: paid or invoiced.");
        }

        var basis = SalesNames.Parse<CommissionBasis>(v, "basis", request.Basis);
        var rate = Percent(v, "rate", request.Rate, MaxRate);
        var tiers = new List<CommissionPlanTier>();
        var plan = new CommissionPlan { Name = name, Basis = basis ?? CommissionBasis.Invoiced, Rate = rate, CreatedAt = clock.GetUtcNow().UtcDateTime };
        if (request.Tiers is { Count: > MaxTiers })
        {
            v.Add("tiers", $"At most {MaxTiers} tiers.");
        }
        else
        {
            for (var i = 0; i < (request.Tiers?.Count ?? 0); i++)
            {
                var tier = request.Tiers![i];
                var from = Percent(v, $"tiers[{i}].fromAttainment", tier?.FromAttainment, MaxAttainment);
                var tierRate = Percent(v, $"tiers[{i}].rate", tier?.Rate, MaxRate);
                if (tiers.Any(t => t.FromAttainment == from))
                {
                    v.Add($"tiers[{i}].fromAttainment", $"Two tiers start at {from}%.");
                }

                tiers.Add(new CommissionPlanTier { PlanId = plan.Id, FromAttainment = from, Rate = tierRate });
            }
        }

        v.ThrowIfInvalid();
        db.Set<CommissionPlan>().Add(plan);
        db.Set<CommissionPlanTier>().AddRange(tiers);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw Errors.Conflict("commission_plan_exists", $"A commission plan named {name} already exists.");
        }

        return ToView(plan, tiers, []);
    }

    public async Task<IReadOnlyList<CommissionPlanView>> ListPlansAsync(CancellationToken ct)
    {
        var plans = await db.Set<CommissionPlan>().AsNoTracking().ToListAsync(ct);
        var tiers = (await db.Set<CommissionPlanTier>().AsNoTracking().ToListAsync(ct)).ToLookup(t => t.PlanId);
        var reps = (await db.Set<SalesRep>().AsNoTracking().Where(r => r.CommissionPlanId != null).Select(r => new { r.Id, r.CommissionPlanId }).ToListAsync(ct))
            .ToLookup(r => r.CommissionPlanId!.Value, r => r.Id);
        return [.. plans.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(p => ToView(p, tiers[p.Id], reps[p.Id]))];
    }

    /// <summary>Puts the rep on a plan (planId null: off any plan). The plan applies to every period computed from then on.</summary>
    public async Task<RepView> AssignAsync(string repId, AssignCommissionPlanRequest request, CancellationToken ct)
    {
        var id = SalesNames.ParseId("Sales rep", repId);
        if (request.PlanId is { } planId && !await db.Set<CommissionPlan>().AnyAsync(p => p.Id == planId, ct))
        {
            throw SalesTeams.Unprocessable("unknown_commission_plan", $"There is no commission plan with id '{planId}'.", "planId");
        }

        var changed = await db.Set<SalesRep>().Where(r => r.Id == id).ExecuteUpdateAsync(u => u.SetProperty(r => r.CommissionPlanId, request.PlanId), ct);
        if (changed == 0)
        {
            throw Errors.NotFound("Sales rep", repId);
        }

        var rep = await db.Set<SalesRep>().AsNoTracking().SingleAsync(r => r.Id == id, ct);
        return new RepView(rep.Id, rep.UserId, rep.Name, rep.Email, rep.TeamId, rep.TerritoryId, rep.CreatedAt);
    }

    public async Task<CommissionsView> StatementsAsync(string? period, string? repId, string? teamId, CancellationToken ct)
    {
        var v = new Validation();
        var p = SalesPeriod.Parse(v, "period", period);
        var rep = SalesNames.ParseGuid(v, "repId", repId);
        var team = SalesNames.ParseGuid(v, "teamId", teamId);
        v.ThrowIfInvalid();
        var targets = await SalesTargets.LoadAsync(db, ct);
        var plans = await db.Set<CommissionPlan>().AsNoTracking().ToDictionaryAsync(x => x.Id, ct);
        var tiers = (await db.Set<CommissionPlanTier>().AsNoTracking().ToListAsync(ct)).ToLookup(t => t.PlanId);
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var statements = targets.Reps
            .Where(r => (rep is null || r.Id == rep) && (team is null || r.TeamId == team))
            .Select(r => Statement(targets, r, p!, r.CommissionPlanId is { } id ? plans.GetValueOrDefault(id) : null, tiers))
            .ToList();
        return new CommissionsView(p!.Key, p.Start, p.End, currency, statements, statements.Sum(s => s.Commission));
    }

    private static RepCommissionView Statement(SalesTargets targets, SalesRep rep, SalesPeriod period, CommissionPlan? plan, ILookup<Guid, CommissionPlanTier> tiers)
    {
        var (quota, _) = targets.Quota(rep.Id, period);
        var attained = targets.Revenue.Attained(rep.Id, period);
        var basis = plan?.Basis ?? CommissionBasis.Invoiced;
        var rates = new Dictionary<string, decimal>();
        decimal RateFor(SalesPeriod p) =>
            plan is null ? 0m : rates.TryGetValue(p.Key, out var known) ? known : rates[p.Key] = RateAt(plan, tiers[plan.Id], targets.ExactAttainment(rep.Id, p));

        var lines = targets.Revenue.Lines(rep.Id, basis, period.Start, period.End).Select(l =>
        {
            // A refund takes back at the rate its order got: that of the period (of the same kind) the order counted in.
            var rate = l.Kind == SalesRevenue.RefundLine ? RateFor(period.Containing(l.Order.At(basis)!.Value)) : RateFor(period);
            var commission = LineCommission(l.Amount, rate);
            return new CommissionLineView(l.Order.Id, l.Order.Number, l.At, MinorUnits.FromMinor(l.Amount), rate, MinorUnits.FromMinor(commission), l.Kind);
        }).ToList();
        return new RepCommissionView(
            rep.Id, rep.Name, rep.TeamId, plan?.Id, plan?.Name, plan is null ? null : SalesNames.Name(plan.Basis),
            quota is { } q ? MinorUnits.FromMinor(q) : null, MinorUnits.FromMinor(attained), SalesTargets.Attainment(attained, quota),
            plan is null ? null : RateFor(period), lines.Sum(l => l.Amount), lines.Sum(l => l.Commission), lines);
    }

    /// <summary>The rate of the highest tier whose fromAttainment ≤ attainment (exact); the base rate below every tier or without a quota.</summary>
    internal static decimal RateAt(CommissionPlan plan, IEnumerable<CommissionPlanTier> tiers, decimal? attainment) =>
        attainment is { } a && tiers.Where(t => t.FromAttainment <= a).MaxBy(t => t.FromAttainment) is { } tier ? tier.Rate : plan.Rate;

    /// <summary>amount × rate ÷ 100 in minor units, rounded half away from zero (per line).</summary>
    internal static long LineCommission(long amountMinor, decimal ratePercent) =>
        (long)Math.Round(amountMinor * ratePercent / 100m, 0, MidpointRounding.AwayFromZero);

    private static decimal Percent(Validation v, string field, decimal? value, decimal max)
    {
        if (value is null)
        {
            v.Add(field, $"'{field}' is required (percent).");
            return 0m;
        }

        if (value < 0 || value > max)
        {
            v.Add(field, $"'{field}' must be between 0 and {max:0} (percent).");
        }
        else if (decimal.Round(value.Value, 2) != value)
        {
            v.Add(field, $"'{field}' must have at most two decimal places.");
        }

        return value.Value;
    }

    private static CommissionPlanView ToView(CommissionPlan plan, IEnumerable<CommissionPlanTier> tiers, IEnumerable<Guid> reps) =>
        new(plan.Id, plan.Name, SalesNames.Name(plan.Basis), plan.Rate,
            [.. tiers.OrderBy(t => t.FromAttainment).Select(t => new CommissionTierView(t.FromAttainment, t.Rate))], [.. reps], plan.CreatedAt);
}

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

/// <summary>Omitted (null) fields stay as they are. Basis, rate and tiers change only on a plan no rep has been on.</summary>
public sealed record UpdateCommissionPlanRequest(string? Name, string? Basis, decimal? Rate, IReadOnlyList<CommissionTierRequest?>? Tiers);

public sealed record AssignCommissionPlanRequest(Guid? PlanId);

public sealed record CommissionTierView(decimal FromAttainment, decimal Rate);

/// <param name="From">When the rep went on the plan; null: before plan changes were recorded.</param>
public sealed record CommissionPlanAssignmentView(Guid? PlanId, string? PlanName, DateTime? From);

/// <param name="TermsFixed">A rep is or was on the plan: its basis, rate and tiers can no longer change, nor can it be deleted.</param>
public sealed record CommissionPlanView(Guid Id, string Name, string Basis, decimal Rate, IReadOnlyList<CommissionTierView> Tiers, IReadOnlyList<Guid> RepIds, DateTime CreatedAt, bool TermsFixed);

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
        var plan = new CommissionPlan { Name = name, Basis = basis ?? CommissionBasis.Invoiced, Rate = rate, CreatedAt = clock.GetUtcNow().UtcDateTime };
        var tiers = Tiers(v, plan.Id, request.Tiers);
        v.ThrowIfInvalid();
        db.Set<CommissionPlan>().Add(plan);
        db.Set<CommissionPlanTier>().AddRange(tiers);
        await SaveNamedAsync(name, ct);
        return ToView(plan, tiers, [], termsFixed: false);
    }

    /// <summary>
    /// Renames a plan; its basis, rate and tiers change only while no rep has ever been on it, so a
    /// statement already worked out never changes behind the rep's back (409 commission_plan_in_use:
    /// make a new plan and move the reps onto it).
    /// </summary>
    public async Task<CommissionPlanView> UpdatePlanAsync(string id, UpdateCommissionPlanRequest request, CancellationToken ct)
    {
        var planId = SalesNames.ParseId("Commission plan", id);
        var v = new Validation();
        var name = request.Name is null ? null : v.Required("name", request.Name, CommissionPlan.NameMaxLength);
        var basis = SalesNames.Parse<CommissionBasis>(v, "basis", request.Basis);
        var rate = request.Rate is null ? (decimal?)null : Percent(v, "rate", request.Rate, MaxRate);
        var tiers = request.Tiers is null ? null : Tiers(v, planId, request.Tiers);
        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            var plan = await db.Set<CommissionPlan>().FirstOrDefaultAsync(p => p.Id == planId, token) ?? throw Errors.NotFound("Commission plan", id);
            var inUse = await InUseAsync(planId, token);
            if ((basis is not null || rate is not null || tiers is not null) && inUse)
            {
                throw InUse(plan, "its basis, rate and tiers are fixed once a rep has been on it, so past statements stay as they were; make a new plan and move the reps onto it");
            }

            plan.Name = name ?? plan.Name;
            plan.Basis = basis ?? plan.Basis;
            plan.Rate = rate ?? plan.Rate;
            if (tiers is not null)
            {
                await db.Set<CommissionPlanTier>().Where(t => t.PlanId == planId).ExecuteDeleteAsync(token);
                db.Set<CommissionPlanTier>().AddRange(tiers);
            }

            await SaveNamedAsync(plan.Name, token);
            var reps = await db.Set<SalesRep>().AsNoTracking().Where(r => r.CommissionPlanId == planId).Select(r => r.Id).ToListAsync(token);
            return ToView(plan, tiers ?? await db.Set<CommissionPlanTier>().AsNoTracking().Where(t => t.PlanId == planId).ToListAsync(token), reps, inUse);
        }, ct);
    }

    /// <summary>Deletes a plan no rep has ever been on (else 409 commission_plan_in_use: its statements rest on it).</summary>
    public async Task DeletePlanAsync(string id, CancellationToken ct)
    {
        var planId = SalesNames.ParseId("Commission plan", id);
        await db.InTransactionAsync(async token =>
        {
            var plan = await db.Set<CommissionPlan>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == planId, token) ?? throw Errors.NotFound("Commission plan", id);
            if (await InUseAsync(planId, token))
            {
                throw InUse(plan, "reps have been on it and their statements rest on it");
            }

            await db.Set<CommissionPlan>().Where(p => p.Id == planId).ExecuteDeleteAsync(token);
        }, ct);
    }

    private async Task<bool> InUseAsync(Guid planId, CancellationToken ct) =>
        await db.Set<SalesRep>().AnyAsync(r => r.CommissionPlanId == planId, ct)
        || await db.Set<CommissionPlanAssignment>().AnyAsync(a => a.PlanId == planId, ct);

    private static StorekeepException InUse(CommissionPlan plan, string why) =>
        Errors.Conflict("commission_plan_in_use", $"Commission plan {plan.Name} cannot be changed that way: {why}.");

    private async Task SaveNamedAsync(string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw Errors.Conflict("commission_plan_exists", $"A commission plan named {name} already exists.");
        }
    }

    private static List<CommissionPlanTier> Tiers(Validation v, Guid planId, IReadOnlyList<CommissionTierRequest?>? requested)
    {
        var tiers = new List<CommissionPlanTier>();
        if (requested is { Count: > MaxTiers })
        {
            v.Add("tiers", $"At most {MaxTiers} tiers.");
            return tiers;
        }

        for (var i = 0; i < (requested?.Count ?? 0); i++)
        {
            var tier = requested![i];
            var from = Percent(v, $"tiers[{i}].fromAttainment", tier?.FromAttainment, MaxAttainment);
            var tierRate = Percent(v, $"tiers[{i}].rate", tier?.Rate, MaxRate);
            if (tiers.Any(t => t.FromAttainment == from))
            {
                v.Add($"tiers[{i}].fromAttainment", $"Two tiers start at {from}%.");
            }

            tiers.Add(new CommissionPlanTier { PlanId = planId, FromAttainment = from, Rate = tierRate });
        }

        return tiers;
    }

    public async Task<IReadOnlyList<CommissionPlanView>> ListPlansAsync(CancellationToken ct)
    {
        var plans = await db.Set<CommissionPlan>().AsNoTracking().ToListAsync(ct);
        var tiers = (await db.Set<CommissionPlanTier>().AsNoTracking().ToListAsync(ct)).ToLookup(t => t.PlanId);
        var reps = (await db.Set<SalesRep>().AsNoTracking().Where(r => r.CommissionPlanId != null).Select(r => new { r.Id, r.CommissionPlanId }).ToListAsync(ct))
            .ToLookup(r => r.CommissionPlanId!.Value, r => r.Id);
        var everUsed = (await db.Set<CommissionPlanAssignment>().AsNoTracking().Where(a => a.PlanId != null).Select(a => a.PlanId!.Value).Distinct().ToListAsync(ct)).ToHashSet();
        return [.. plans.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(p => ToView(p, tiers[p.Id], reps[p.Id], everUsed.Contains(p.Id) || reps[p.Id].Any()))];
    }

    /// <summary>
    /// Puts the rep on a plan (planId null: off any plan) from now on, recorded in the rep's plan
    /// history: a statement uses the plan the rep was on at its period's end, so periods closed
    /// before the change keep their plan.
    /// </summary>
    public async Task<RepView> AssignAsync(string repId, AssignCommissionPlanRequest request, CancellationToken ct)
    {
        var id = SalesNames.ParseId("Sales rep", repId);
        if (request.PlanId is { } planId && !await db.Set<CommissionPlan>().AnyAsync(p => p.Id == planId, ct))
        {
            throw SalesTeams.Unprocessable("unknown_commission_plan", $"There is no commission plan with id '{planId}'.", "planId");
        }

        return await db.InTransactionAsync(async token =>
        {
            var rep = await db.Set<SalesRep>().FirstOrDefaultAsync(r => r.Id == id, token) ?? throw Errors.NotFound("Sales rep", repId);
            if (rep.CommissionPlanId != request.PlanId)
            {
                // A rep put on a plan before its history was kept (or by the demo) was on it all along.
                if (rep.CommissionPlanId is { } before && !await db.Set<CommissionPlanAssignment>().AnyAsync(a => a.RepId == id, token))
                {
                    db.Set<CommissionPlanAssignment>().Add(new CommissionPlanAssignment { RepId = id, PlanId = before, At = DateTime.UnixEpoch });
                }

                db.Set<CommissionPlanAssignment>().Add(new CommissionPlanAssignment { RepId = id, PlanId = request.PlanId, At = clock.GetUtcNow().UtcDateTime });
                rep.CommissionPlanId = request.PlanId;
            }

            return new RepView(rep.Id, rep.UserId, rep.Name, rep.Email, rep.TeamId, rep.TerritoryId, rep.CreatedAt);
        }, ct);
    }

    /// <summary>The rep's plan changes, oldest first (an empty list: the rep's current plan has always applied).</summary>
    public async Task<IReadOnlyList<CommissionPlanAssignmentView>> PlanHistoryAsync(string repId, CancellationToken ct)
    {
        var id = SalesNames.ParseId("Sales rep", repId);
        if (!await db.Set<SalesRep>().AnyAsync(r => r.Id == id, ct))
        {
            throw Errors.NotFound("Sales rep", repId);
        }

        var rows = await db.Set<CommissionPlanAssignment>().AsNoTracking().Where(a => a.RepId == id).ToListAsync(ct);
        var names = await db.Set<CommissionPlan>().AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        return [.. rows.OrderBy(a => a.At).ThenBy(a => a.Id.ToString(), StringComparer.Ordinal)
            .Select(a => new CommissionPlanAssignmentView(a.PlanId, a.PlanId is { } p ? names.GetValueOrDefault(p) : null, a.At == DateTime.UnixEpoch ? null : a.At))];
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
        var history = (await db.Set<CommissionPlanAssignment>().AsNoTracking().ToListAsync(ct))
            .GroupBy(a => a.RepId).ToDictionary(g => g.Key, g => g.OrderBy(a => a.At).ThenBy(a => a.Id.ToString(), StringComparer.Ordinal).ToList());
        var currency = await StoreSettingsService.CurrencyAsync(db, ct);
        var statements = targets.Reps
            .Where(r => (rep is null || r.Id == rep) && (team is null || r.TeamId == team))
            .Select(r => Statement(targets, r, p!, period => PlanOf(r, history.GetValueOrDefault(r.Id), period) is { } id ? plans.GetValueOrDefault(id) : null, tiers))
            .ToList();
        return new CommissionsView(p!.Key, p.Start, p.End, currency, statements, statements.Sum(s => s.Commission));
    }

    /// <summary>The plan the rep was on at the period's end: the last change before it; no recorded change, the current plan.</summary>
    internal static Guid? PlanOf(SalesRep rep, List<CommissionPlanAssignment>? history, SalesPeriod period) =>
        history is null ? rep.CommissionPlanId : history.LastOrDefault(a => a.At < period.End)?.PlanId;

    private static RepCommissionView Statement(SalesTargets targets, SalesRep rep, SalesPeriod period, Func<SalesPeriod, CommissionPlan?> planOf, ILookup<Guid, CommissionPlanTier> tiers)
    {
        var (quota, _) = targets.Quota(rep.Id, period);
        var attained = targets.Revenue.Attained(rep.Id, period);
        var plan = planOf(period);
        var basis = plan?.Basis ?? CommissionBasis.Invoiced;
        var rates = new Dictionary<string, decimal>();

        // A refund takes back at the rate its order got, on the plan of the order's period.
        decimal RateFor(SalesPeriod p) =>
            rates.TryGetValue(p.Key, out var known) ? known : rates[p.Key] = planOf(p) is { } onPlan ? RateAt(onPlan, tiers[onPlan.Id], targets.ExactAttainment(rep.Id, p)) : 0m;

        var lines = targets.Revenue.Lines(rep.Id, basis, period.Start, period.End).Select(l =>
        {
            // The period (of the same kind) the order counted in.
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

    private static CommissionPlanView ToView(CommissionPlan plan, IEnumerable<CommissionPlanTier> tiers, IEnumerable<Guid> reps, bool termsFixed) =>
        new(plan.Id, plan.Name, SalesNames.Name(plan.Basis), plan.Rate,
            [.. tiers.OrderBy(t => t.FromAttainment).Select(t => new CommissionTierView(t.FromAttainment, t.Rate))], [.. reps], plan.CreatedAt, termsFixed);
}

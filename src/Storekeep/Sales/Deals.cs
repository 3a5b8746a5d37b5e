using Microsoft.EntityFrameworkCore;
using Storekeep.Companies;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>
/// Deals through the pipeline, the stages' default probabilities, and activities. Every stage change
/// is one guarded UPDATE on the stage the deal is leaving plus one history row, in one transaction.
/// </summary>
public sealed class Deals(StorekeepDbContext db, SalesTeams teams, TimeProvider clock)
{
    public const int SourceMaxLength = 100;
    public const int ReasonMaxLength = 500;

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    public async Task<DealView> CreateAsync(CreateDealRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var title = v.Required("title", request.Title, Deal.TitleMaxLength);
        var contact = v.Email("contactEmail", request.ContactEmail, required: false);
        var amount = v.Money("amount", request.Amount);
        if (request.ExpectedCloseDate is null)
        {
            v.Add("expectedCloseDate", "'expectedCloseDate' is required (yyyy-MM-dd).");
        }

        var source = v.Text("source", request.Source, SourceMaxLength);
        v.ThrowIfInvalid();

        return await db.InTransactionAsync(async token =>
        {
            Company? company = null;
            if (request.CompanyId is { } companyId)
            {
                company = await db.Set<Company>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == companyId, token)
                    ?? throw SalesTeams.Unprocessable("unknown_company", $"There is no company with id '{companyId}'.", "companyId");
            }

            if (request.OwnerRepId is { } rep)
            {
                await teams.EnsureRepAsync(rep, "ownerRepId", token);
            }

            var owner = request.OwnerRepId
                ?? await teams.AssignAsync(new TerritoryMatch(company?.Country, company?.Region, company?.Industry), company?.OwnerRepId, token);
            var probabilities = await ProbabilitiesAsync(token);
            var now = Now();
            var deal = new Deal
            {
                Title = title,
                CompanyId = company?.Id,
                ContactEmail = contact,
                Amount = amount,
                ExpectedCloseDate = request.ExpectedCloseDate!.Value,
                OwnerRepId = owner,
                Source = source,
                Stage = DealStage.Prospecting,
                Probability = probabilities[DealStage.Prospecting],
                ForecastCategory = ForecastCategory.Pipeline,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Set<Deal>().Add(deal);
            db.Set<DealStageChange>().Add(new DealStageChange { DealId = deal.Id, FromStage = null, ToStage = deal.Stage, At = now, Actor = actor.Name, Probability = deal.Probability });
            db.Set<DealForecastChange>().Add(DealForecastChange.Of(deal, now));
            return ToView(deal, company?.Name);
        }, ct);
    }

    /// <summary>Newest first, keyset on the (time-ordered) id.</summary>
    public async Task<Page<DealView>> ListAsync(DealListFilter filter, CancellationToken ct)
    {
        var v = new Validation();
        var rep = SalesNames.ParseGuid(v, "repId", filter.RepId);
        var team = SalesNames.ParseGuid(v, "teamId", filter.TeamId);
        var stage = SalesNames.Parse<DealStage>(v, "stage", filter.Stage);
        v.ThrowIfInvalid();
        var take = Cursor.Limit(filter.Limit);
        var before = Cursor.DecodeGuid(filter.Cursor);
        var query = db.Set<Deal>().AsNoTracking();
        if (rep is { } r)
        {
            query = query.Where(d => d.OwnerRepId == r);
        }

        if (team is { } t)
        {
            query = query.Where(d => db.Set<SalesRep>().Any(x => x.Id == d.OwnerRepId && x.TeamId == t));
        }

        if (stage is { } s)
        {
            query = query.Where(d => d.Stage == s);
        }

        if (before is { } b)
        {
            query = query.Where(d => d.Id.CompareTo(b) < 0);
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(take + 1).ToListAsync(ct);
        var names = await CompanyNamesAsync(rows.Select(d => d.CompanyId), ct);
        var items = rows.Take(take).Select(d => ToView(d, d.CompanyId is { } c ? names.GetValueOrDefault(c) : null)).ToList();
        return new Page<DealView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    /// <summary>The open deals for the pipeline board (at most <paramref name="max"/>, newest first), of a rep or a team, within <paramref name="scope"/>.</summary>
    public async Task<IReadOnlyList<DealView>> OpenDealsAsync(Guid? repId, Guid? teamId, SalesScope scope, int max, CancellationToken ct)
    {
        var query = db.Set<Deal>().AsNoTracking().Where(d => d.Stage != DealStage.Won && d.Stage != DealStage.Lost);
        if (scope.RepIds is { } visible)
        {
            var reps = visible.ToList();
            query = query.Where(d => d.OwnerRepId == null || reps.Contains(d.OwnerRepId.Value));
        }

        if (repId is { } r)
        {
            query = query.Where(d => d.OwnerRepId == r);
        }

        if (teamId is { } t)
        {
            query = query.Where(d => db.Set<SalesRep>().Any(x => x.Id == d.OwnerRepId && x.TeamId == t));
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(max).ToListAsync(ct);
        var names = await CompanyNamesAsync(rows.Select(d => d.CompanyId), ct);
        return rows.Select(d => ToView(d, d.CompanyId is { } c ? names.GetValueOrDefault(c) : null)).ToList();
    }

    public async Task<DealView> GetAsync(string id, CancellationToken ct)
    {
        var deal = await FindAsync(id, ct);
        var names = await CompanyNamesAsync([deal.CompanyId], ct);
        return ToView(deal, deal.CompanyId is { } c ? names.GetValueOrDefault(c) : null);
    }

    public async Task<IReadOnlyList<StageChangeView>> HistoryAsync(string id, CancellationToken ct)
    {
        var deal = await FindAsync(id, ct);
        var rows = await db.Set<DealStageChange>().AsNoTracking().Where(c => c.DealId == deal.Id).ToListAsync(ct);
        return rows.OrderBy(c => c.At).ThenBy(c => c.Id.ToString(), StringComparer.Ordinal)
            .Select(c => new StageChangeView(c.FromStage is { } f ? SalesNames.Name(f) : null, SalesNames.Name(c.ToStage), c.At, c.Actor, c.Probability))
            .ToList();
    }

    /// <summary>Moves an open deal to another open stage (its probability becomes the stage's default unless set by hand).</summary>
    public async Task<DealView> ChangeStageAsync(string id, ChangeStageRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        if (request.Stage is null)
        {
            v.Add("stage", "'stage' is required.");
        }

        var stage = SalesNames.Parse(v, "stage", request.Stage, SalesNames.OpenStages);
        if (request.Stage?.Trim() is "won" or "lost")
        {
            v = new Validation().Add("stage", "A deal is closed by POST …/win or …/lose, not by a stage change.");
        }

        v.ThrowIfInvalid();
        var to = stage!.Value;
        var dealId = SalesNames.ParseId("Deal", id);
        return await MoveAsync(id, dealId, actor, async (deal, token) =>
        {
            if (deal.Stage == to)
            {
                return false;
            }

            var probability = (await ProbabilitiesAsync(token))[to];
            var now = Now();
            var from = deal.Stage;
            return await db.Set<Deal>().Where(d => d.Id == dealId && d.Stage == from)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Stage, to)
                    .SetProperty(d => d.Probability, d => d.ProbabilityManual ? d.Probability : probability)
                    .SetProperty(d => d.UpdatedAt, now), token) == 1;
        }, ct);
    }

    public async Task<DealView> WinAsync(string id, WinDealRequest request, Actor actor, CancellationToken ct)
    {
        var dealId = SalesNames.ParseId("Deal", id);
        return await MoveAsync(id, dealId, actor, async (deal, token) =>
        {
            if (request.OrderId is { } orderId && !await db.Orders.AnyAsync(o => o.Id == orderId, token))
            {
                throw SalesTeams.Unprocessable("unknown_won_order", $"There is no order with id '{orderId}'.", "orderId");
            }

            var now = Now();
            var from = deal.Stage;
            return await db.Set<Deal>().Where(d => d.Id == dealId && d.Stage == from)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Stage, DealStage.Won)
                    .SetProperty(d => d.Probability, 100)
                    .SetProperty(d => d.ForecastCategory, ForecastCategory.Closed)
                    .SetProperty(d => d.ClosedAt, now)
                    .SetProperty(d => d.OrderId, request.OrderId)
                    .SetProperty(d => d.UpdatedAt, now), token) == 1;
        }, ct);
    }

    /// <summary>
    /// Inside the caller's transaction (a quote accepted): wins the open deal for the order, its amount
    /// now the quote's total, and writes the stage change. A deal closed meanwhile stays as it is
    /// (false): the order stands either way.
    /// </summary>
    public async Task<bool> WinForOrderAsync(Guid dealId, Guid orderId, decimal amount, Actor actor, CancellationToken ct)
    {
        var deal = await db.Set<Deal>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == dealId, ct);
        if (deal is null || deal.IsClosed)
        {
            return false;
        }

        var now = Now();
        var won = await db.Set<Deal>().Where(d => d.Id == dealId && d.Stage == deal.Stage)
            .ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Stage, DealStage.Won)
                .SetProperty(d => d.Probability, 100)
                .SetProperty(d => d.ForecastCategory, ForecastCategory.Closed)
                .SetProperty(d => d.ClosedAt, now)
                .SetProperty(d => d.OrderId, orderId)
                .SetProperty(d => d.Amount, amount)
                .SetProperty(d => d.UpdatedAt, now), ct) == 1;
        if (won)
        {
            db.Set<DealStageChange>().Add(new DealStageChange
            {
                DealId = dealId, FromStage = deal.Stage, ToStage = DealStage.Won, At = now, Actor = actor.Name, Probability = 100,
            });
        }

        return won;
    }

    public async Task<DealView> LoseAsync(string id, LoseDealRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.Required("reason", request.Reason, ReasonMaxLength);
        v.ThrowIfInvalid();
        var dealId = SalesNames.ParseId("Deal", id);
        return await MoveAsync(id, dealId, actor, async (deal, token) =>
        {
            var now = Now();
            var from = deal.Stage;
            return await db.Set<Deal>().Where(d => d.Id == dealId && d.Stage == from)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Stage, DealStage.Lost)
                    .SetProperty(d => d.Probability, 0)
                    .SetProperty(d => d.ForecastCategory, ForecastCategory.Omitted)
                    .SetProperty(d => d.ClosedAt, now)
                    .SetProperty(d => d.LostReason, reason)
                    .SetProperty(d => d.UpdatedAt, now), token) == 1;
        }, ct);
    }

    /// <summary>
    /// Reads the open deal, runs the guarded <paramref name="update"/> (true: it moved; false: no
    /// change wanted), and writes the history row from the stage it left. A guard that finds the
    /// deal moved meanwhile answers 409: the caller reloads and decides again.
    /// </summary>
    private async Task<DealView> MoveAsync(string id, Guid dealId, Actor actor, Func<Deal, CancellationToken, Task<bool>> update, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var deal = await db.Set<Deal>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == dealId, token) ?? throw Errors.NotFound("Deal", id);
            if (deal.IsClosed)
            {
                throw Closed(deal);
            }

            if (await update(deal, token))
            {
                var moved = await db.Set<Deal>().AsNoTracking().SingleAsync(d => d.Id == dealId, token);
                db.Set<DealStageChange>().Add(new DealStageChange
                {
                    DealId = dealId, FromStage = deal.Stage, ToStage = moved.Stage, At = moved.UpdatedAt, Actor = actor.Name, Probability = moved.Probability,
                });
                db.Set<DealForecastChange>().Add(DealForecastChange.Of(moved, moved.UpdatedAt));
                deal = moved;
            }
            else if (await db.Set<Deal>().AsNoTracking().SingleAsync(d => d.Id == dealId, token) is { } now && now.Stage != deal.Stage)
            {
                throw now.IsClosed ? Closed(now)
                    : Errors.Conflict("deal_stage_changed", $"The deal moved to {SalesNames.Name(now.Stage)} meanwhile; reload it and try again.");
            }

            var names = await CompanyNamesAsync([deal.CompanyId], token);
            return ToView(deal, deal.CompanyId is { } c ? names.GetValueOrDefault(c) : null);
        }, ct);

    private static StorekeepException Closed(Deal deal) =>
        Errors.Conflict("deal_closed", $"The deal is {SalesNames.Name(deal.Stage)}: a closed deal's stage cannot change.");

    public async Task<DealView> UpdateAsync(string id, UpdateDealRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var title = request.Title is null ? null : v.Required("title", request.Title, Deal.TitleMaxLength);
        var amount = request.Amount is null ? (decimal?)null : v.Money("amount", request.Amount);
        if (request.Probability is < 0 or > 100)
        {
            v.Add("probability", "'probability' must be between 0 and 100.");
        }

        var category = SalesNames.Parse(v, "forecastCategory", request.ForecastCategory,
            [ForecastCategory.Pipeline, ForecastCategory.BestCase, ForecastCategory.Commit, ForecastCategory.Omitted]);
        v.ThrowIfInvalid();
        var dealId = SalesNames.ParseId("Deal", id);
        await db.InTransactionAsync(async token =>
        {
            var deal = await db.Set<Deal>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == dealId, token) ?? throw Errors.NotFound("Deal", id);
            if (request.OwnerRepId is { } rep)
            {
                await teams.EnsureRepAsync(rep, "ownerRepId", token);
            }

            var now = Now();
            var changed = await db.Set<Deal>()
                .Where(d => d.Id == dealId && d.Stage != DealStage.Won && d.Stage != DealStage.Lost)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Title, d => title ?? d.Title)
                    .SetProperty(d => d.Amount, d => amount ?? d.Amount)
                    .SetProperty(d => d.ExpectedCloseDate, d => request.ExpectedCloseDate ?? d.ExpectedCloseDate)
                    .SetProperty(d => d.OwnerRepId, d => request.OwnerRepId ?? d.OwnerRepId)
                    .SetProperty(d => d.Probability, d => request.Probability ?? d.Probability)
                    .SetProperty(d => d.ProbabilityManual, d => request.Probability != null || d.ProbabilityManual)
                    .SetProperty(d => d.ForecastCategory, d => category ?? d.ForecastCategory)
                    .SetProperty(d => d.UpdatedAt, now), token);
            if (changed == 0)
            {
                throw Closed(deal);
            }

            // The forecast as it stands from now on (forecast accuracy reads it back).
            var updated = await db.Set<Deal>().AsNoTracking().SingleAsync(d => d.Id == dealId, token);
            db.Set<DealForecastChange>().Add(DealForecastChange.Of(updated, now));
        }, ct);
        return await GetAsync(id, ct);
    }

    public async Task<StagesView> GetStagesAsync(CancellationToken ct)
    {
        var probabilities = await ProbabilitiesAsync(ct);
        return new StagesView(Enum.GetValues<DealStage>()
            .Select((s, i) => new StageView(SalesNames.Name(s), i + 1, probabilities[s], s is DealStage.Won or DealStage.Lost)).ToList());
    }

    /// <summary>Sets the default probabilities of the open stages named; the others stay. Deals take them at their next stage change.</summary>
    public async Task<StagesView> UpdateStagesAsync(UpdateStagesRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var changes = new Dictionary<DealStage, int>();
        var stages = request.Stages ?? [];
        if (request.Stages is null || stages.Count == 0)
        {
            v.Add("stages", "'stages' is required: [{stage, probability}] for open stages.");
        }

        for (var i = 0; i < stages.Count && stages.Count <= 20; i++)
        {
            var item = stages[i];
            if (item is null)
            {
                v.Add($"stages[{i}]", "A stage is required.");
                continue;
            }

            var stage = SalesNames.Parse(v, $"stages[{i}].stage", item.Stage ?? "", SalesNames.OpenStages);
            if (item.Probability is null or < 0 or > 100)
            {
                v.Add($"stages[{i}].probability", "'probability' must be between 0 and 100.");
            }
            else if (stage is { } s && !changes.TryAdd(s, item.Probability.Value))
            {
                v.Add($"stages[{i}].stage", $"Stage {SalesNames.Name(s)} is listed twice.");
            }
        }

        if (stages.Count > 20)
        {
            v.Add("stages", "At most 20 entries.");
        }

        v.ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            foreach (var (stage, probability) in changes)
            {
                var name = SalesNames.Name(stage);
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO sales_stage_probabilities (stage, probability) VALUES ({name}, {probability}) ON CONFLICT (stage) DO UPDATE SET probability = excluded.probability",
                    token);
            }
        }, ct);
        return await GetStagesAsync(ct);
    }

    /// <summary>Every stage's default probability: the stored ones over the built-in defaults.</summary>
    public async Task<Dictionary<DealStage, int>> ProbabilitiesAsync(CancellationToken ct)
    {
        var result = new Dictionary<DealStage, int>(SalesNames.DefaultProbabilities);
        foreach (var row in await db.Set<SalesStageProbability>().AsNoTracking().ToListAsync(ct))
        {
            if (row.Stage is not DealStage.Won and not DealStage.Lost)
            {
                result[row.Stage] = row.Probability;
            }
        }

        return result;
    }

    public async Task<ActivityView> AddActivityAsync(string dealId, CreateActivityRequest request, Actor actor, CancellationToken ct)
    {
        var v = new Validation();
        ActivityType? type = null;
        if (request.Type is null)
        {
            v.Add("type", "'type' is required: call, email, meeting, task or note.");
        }
        else
        {
            type = SalesNames.Parse<ActivityType>(v, "type", request.Type);
        }

        var subject = v.Required("subject", request.Subject, SalesActivity.SubjectMaxLength);
        var due = request.DueAt is { } d ? DateTime.SpecifyKind(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d, DateTimeKind.Utc) : (DateTime?)null;
        if (due is { Year: < 1900 or > 9000 })
        {
            v.Add("dueAt", "'dueAt' must be a date between 1900 and 9000.");
        }

        v.ThrowIfInvalid();
        var deal = await FindAsync(dealId, ct);
        var now = Now();
        var activity = new SalesActivity
        {
            DealId = deal.Id, Type = type!.Value, Subject = subject, DueAt = due, DoneAt = request.Done == true ? now : null, Actor = actor.Name, CreatedAt = now,
        };
        db.Set<SalesActivity>().Add(activity);
        await db.SaveChangesAsync(ct);
        return ToView(activity, deal, now);
    }

    /// <summary>Marks an activity done (once: doing it again keeps the first time).</summary>
    public async Task<ActivityView> CompleteActivityAsync(string id, CancellationToken ct)
    {
        var activityId = SalesNames.ParseId("Activity", id);
        var now = Now();
        // Guarded on not done yet, so a repeat keeps the first time.
        await db.Set<SalesActivity>().Where(a => a.Id == activityId && a.DoneAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(a => a.DoneAt, now), ct);
        var activity = await db.Set<SalesActivity>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw Errors.NotFound("Activity", id);
        var deal = await db.Set<Deal>().AsNoTracking().SingleAsync(d => d.Id == activity.DealId, ct);
        return ToView(activity, deal, now);
    }

    /// <summary>Activities by due date (undated last); filter by the deal owner's rep, overdue (not done, due before now), or deal.</summary>
    public async Task<Page<ActivityView>> ListActivitiesAsync(string? repId, string? overdue, string? dealId, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validation();
        var rep = SalesNames.ParseGuid(v, "repId", repId);
        var deal = SalesNames.ParseGuid(v, "dealId", dealId);
        bool? onlyOverdue = null;
        if (!string.IsNullOrWhiteSpace(overdue))
        {
            if (bool.TryParse(overdue.Trim(), out var flag))
            {
                onlyOverdue = flag;
            }
            else
            {
                v.Add("overdue", "'overdue' must be true or false.");
            }
        }

        v.ThrowIfInvalid();
        var take = Cursor.Limit(limit);
        var after = Cursor.DecodeGuid(cursor);
        var now = Now();
        var query = from a in db.Set<SalesActivity>().AsNoTracking()
                    join d in db.Set<Deal>().AsNoTracking() on a.DealId equals d.Id
                    select new { Activity = a, Deal = d };
        if (rep is { } r)
        {
            query = query.Where(x => x.Deal.OwnerRepId == r);
        }

        if (deal is { } dl)
        {
            query = query.Where(x => x.Deal.Id == dl);
        }

        if (onlyOverdue == true)
        {
            query = query.Where(x => x.Activity.DoneAt == null && x.Activity.DueAt != null && x.Activity.DueAt < now);
        }

        if (after is { } a2)
        {
            query = query.Where(x => x.Activity.Id.CompareTo(a2) > 0);
        }

        var rows = await query.OrderBy(x => x.Activity.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(x => ToView(x.Activity, x.Deal, now)).ToList();
        return new Page<ActivityView>(items, rows.Count > take ? Cursor.Encode(items[^1].Id.ToString()) : null);
    }

    private async Task<Deal> FindAsync(string id, CancellationToken ct)
    {
        var dealId = SalesNames.ParseId("Deal", id);
        return await db.Set<Deal>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == dealId, ct) ?? throw Errors.NotFound("Deal", id);
    }

    private async Task<Dictionary<Guid, string>> CompanyNamesAsync(IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        return wanted.Count == 0
            ? []
            : await db.Set<Company>().AsNoTracking().Where(c => wanted.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
    }

    internal static DealView ToView(Deal d, string? companyName) => new(
        d.Id, d.Title, d.CompanyId, companyName, d.ContactEmail, d.Amount, d.ExpectedCloseDate, d.OwnerRepId, d.Source,
        SalesNames.Name(d.Stage), d.Probability, d.ProbabilityManual, SalesNames.Name(d.ForecastCategory), d.CreatedAt, d.UpdatedAt,
        d.ClosedAt, d.LostReason, d.OrderId);

    internal static ActivityView ToView(SalesActivity a, Deal deal, DateTime now) => new(
        a.Id, a.DealId, deal.Title, deal.OwnerRepId, SalesNames.Name(a.Type), a.Subject, a.DueAt, a.DoneAt is not null, a.DoneAt,
        a.DoneAt is null && a.DueAt is { } due && due < now, a.Actor, a.CreatedAt);
}

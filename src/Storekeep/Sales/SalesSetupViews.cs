using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>A back-office user who may manage a team or be a rep (holds sales, manager or owner).</summary>
public sealed record SalesUserView(Guid Id, string Email, string? DisplayName)
{
    public string Label => string.IsNullOrWhiteSpace(DisplayName) ? Email : $"{DisplayName} ({Email})";
}

public sealed record TeamRow(Guid Id, string Name, Guid? ManagerId, string? ManagerName, int Reps);

public sealed record RepRow(Guid Id, string Name, string Email, Guid TeamId, string TeamName, string? TerritoryName, string? CommissionPlanName, int OpenDeals);

public sealed record TerritoryRow(
    Guid Id,
    string Name,
    IReadOnlyList<string> Countries,
    IReadOnlyList<string> Regions,
    IReadOnlyList<string> Industries,
    string Assignment,
    IReadOnlyList<string> RepNames);

/// <param name="ManualProbabilityDeals">Open deals whose probability was set by hand (stage changes keep it).</param>
public sealed record SalesSetupView(
    IReadOnlyList<TeamRow> Teams,
    IReadOnlyList<RepRow> Reps,
    IReadOnlyList<TerritoryRow> Territories,
    IReadOnlyList<SalesUserView> Users,
    int ManualProbabilityDeals);

public sealed record ActivityRow(
    Guid Id,
    Guid DealId,
    string DealTitle,
    Guid? RepId,
    string? RepName,
    string Type,
    string Subject,
    DateTime? DueAt,
    bool Done,
    bool Overdue);

/// <param name="Overdue">Overdue activities of the rep filter (all reps without one), whatever the switches.</param>
public sealed record ActivityBoardView(IReadOnlyList<ActivityRow> Items, string? NextCursor, int Overdue);

/// <summary>
/// Read-only views for the back office's team setup and activities pages: the rows joined with the
/// names and counts the pages show (the services' lists carry ids only).
/// </summary>
public sealed class SalesSetupViews(StorekeepDbContext db, SalesTeams teams, TimeProvider clock)
{
    public const int ActivitiesPerPage = 50;

    public async Task<SalesSetupView> GetAsync(CancellationToken ct)
    {
        var users = await CandidateUsersAsync(ct);
        var names = await UserNamesAsync(ct);
        var teamList = await db.Set<SalesTeam>().AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Id).ToListAsync(ct);
        var reps = await db.Set<SalesRep>().AsNoTracking().OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(ct);
        var plans = await db.Set<CommissionPlan>().AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var openDeals = (await db.Set<Deal>().AsNoTracking()
                .Where(d => d.OwnerRepId != null && d.Stage != DealStage.Won && d.Stage != DealStage.Lost)
                .GroupBy(d => d.OwnerRepId)
                .Select(g => new { Rep = g.Key, Count = g.Count() })
                .ToListAsync(ct))
            .ToDictionary(x => x.Rep!.Value, x => x.Count);
        var territories = await teams.ListTerritoriesAsync(ct);
        var territoryNames = territories.ToDictionary(t => t.Id, t => t.Name);
        var teamNames = teamList.ToDictionary(t => t.Id, t => t.Name);
        var repNames = reps.ToDictionary(r => r.Id, r => r.Name);

        var teamRows = teamList.Select(t => new TeamRow(
            t.Id, t.Name, t.ManagerId, t.ManagerId is { } m ? names.GetValueOrDefault(m) : null, reps.Count(r => r.TeamId == t.Id))).ToList();
        var repRows = reps.Select(r => new RepRow(
            r.Id, r.Name, r.Email, r.TeamId, teamNames.GetValueOrDefault(r.TeamId) ?? "",
            r.TerritoryId is { } t ? territoryNames.GetValueOrDefault(t) : null,
            r.CommissionPlanId is { } p ? plans.GetValueOrDefault(p) : null,
            openDeals.GetValueOrDefault(r.Id))).ToList();
        var territoryRows = territories.Select(t => new TerritoryRow(
            t.Id, t.Name, t.Countries, t.Regions, t.Industries, t.Assignment,
            t.RepIds.Select(id => repNames.GetValueOrDefault(id) ?? id.ToString()).ToList())).ToList();
        var manual = await db.Set<Deal>().AsNoTracking()
            .CountAsync(d => d.ProbabilityManual && d.Stage != DealStage.Won && d.Stage != DealStage.Lost, ct);
        return new SalesSetupView(teamRows, repRows, territoryRows, users, manual);
    }

    /// <summary>Back-office users (not shoppers) holding one of <see cref="SalesTeams.RepRoles"/>, by email.</summary>
    public async Task<IReadOnlyList<SalesUserView>> CandidateUsersAsync(CancellationToken ct)
    {
        var roles = SalesTeams.RepRoles.Select(Permissions.RoleName).Select(n => n.ToUpperInvariant()).ToList();
        return await db.Users.AsNoTracking()
            .Where(u => u.CustomerId == null && (from link in db.UserRoles
                                                 join role in db.Roles on link.RoleId equals role.Id
                                                 where link.UserId == u.Id && roles.Contains(role.NormalizedName!)
                                                 select link.UserId).Any())
            .OrderBy(u => u.Email)
            .Select(u => new SalesUserView(u.Id, u.Email ?? "", u.DisplayName))
            .ToListAsync(ct);
    }

    private async Task<Dictionary<Guid, string>> UserNamesAsync(CancellationToken ct)
    {
        var managers = await db.Set<SalesTeam>().AsNoTracking().Where(t => t.ManagerId != null).Select(t => t.ManagerId!.Value).Distinct().ToListAsync(ct);
        if (managers.Count == 0)
        {
            return [];
        }

        return (await db.Users.AsNoTracking().Where(u => managers.Contains(u.Id)).Select(u => new { u.Id, u.Email, u.DisplayName }).ToListAsync(ct))
            .ToDictionary(u => u.Id, u => string.IsNullOrWhiteSpace(u.DisplayName) ? u.Email ?? "" : u.DisplayName);
    }

    /// <summary>
    /// Activities across deals by due date (undated last, then by id), <see cref="ActivitiesPerPage"/> a page;
    /// the cursor is the last row's (due, id). <paramref name="repId"/> is the deal's owner; only deals within <paramref name="scope"/>.
    /// </summary>
    public async Task<ActivityBoardView> ActivitiesAsync(Guid? repId, bool overdueOnly, bool openOnly, string? cursor, SalesScope scope, CancellationToken ct)
    {
        var after = DecodeCursor(cursor);
        var now = clock.GetUtcNow().UtcDateTime;
        var query = from a in db.Set<SalesActivity>().AsNoTracking()
                    join d in db.Set<Deal>().AsNoTracking() on a.DealId equals d.Id
                    select new { Activity = a, Deal = d };
        if (repId is { } rep)
        {
            query = query.Where(x => x.Deal.OwnerRepId == rep);
        }

        if (scope.RepIds is { } visible)
        {
            var reps = visible.ToList();
            query = query.Where(x => x.Deal.OwnerRepId == null || reps.Contains(x.Deal.OwnerRepId.Value));
        }

        var overdue = await query.CountAsync(x => x.Activity.DoneAt == null && x.Activity.DueAt != null && x.Activity.DueAt < now, ct);
        if (openOnly || overdueOnly)
        {
            query = query.Where(x => x.Activity.DoneAt == null);
        }

        if (overdueOnly)
        {
            query = query.Where(x => x.Activity.DueAt != null && x.Activity.DueAt < now);
        }

        if (after is { Due: { } due, Id: var id })
        {
            query = query.Where(x => x.Activity.DueAt == null
                || x.Activity.DueAt > due
                || (x.Activity.DueAt == due && x.Activity.Id.CompareTo(id) > 0));
        }
        else if (after is { Id: var undatedId })
        {
            query = query.Where(x => x.Activity.DueAt == null && x.Activity.Id.CompareTo(undatedId) > 0);
        }

        var rows = await query
            .OrderBy(x => x.Activity.DueAt == null).ThenBy(x => x.Activity.DueAt).ThenBy(x => x.Activity.Id)
            .Take(ActivitiesPerPage + 1)
            .ToListAsync(ct);
        var repIds = rows.Select(x => x.Deal.OwnerRepId).OfType<Guid>().Distinct().ToList();
        var repNames = await db.Set<SalesRep>().AsNoTracking().Where(r => repIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        var items = rows.Take(ActivitiesPerPage).Select(x => new ActivityRow(
            x.Activity.Id, x.Deal.Id, x.Deal.Title, x.Deal.OwnerRepId,
            x.Deal.OwnerRepId is { } r ? repNames.GetValueOrDefault(r) : null,
            SalesNames.Name(x.Activity.Type), x.Activity.Subject, x.Activity.DueAt, x.Activity.DoneAt is not null,
            x.Activity.DoneAt is null && x.Activity.DueAt is { } d && d < now)).ToList();
        var next = rows.Count > ActivitiesPerPage ? EncodeCursor(items[^1]) : null;
        return new ActivityBoardView(items, next, overdue);
    }

    private static string EncodeCursor(ActivityRow last) =>
        Cursor.Encode((last.DueAt is { } due ? due.Ticks.ToString(CultureInfo.InvariantCulture) : "-") + "|" + last.Id);

    private static (DateTime? Due, Guid Id)? DecodeCursor(string? cursor)
    {
        var text = Cursor.Decode(cursor);
        if (text is null)
        {
            return null;
        }

        var parts = text.Split('|');
        if (parts.Length == 2 && Guid.TryParse(parts[1], out var id))
        {
            if (parts[0] == "-")
            {
                return (null, id);
            }

            if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks)
            {
                return (new DateTime(ticks, DateTimeKind.Utc), id);
            }
        }

        throw Errors.BadRequest("invalid_cursor", "The cursor is not one this API issued.");
    }
}

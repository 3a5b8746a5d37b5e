using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>What a territory is matched on: a company's country, region and industry.</summary>
public sealed record TerritoryMatch(string? Country, string? Region, string? Industry);

/// <summary>Teams, reps (back-office users), territories, and assigning new companies and deals to reps.</summary>
public sealed class SalesTeams(StorekeepDbContext db, TimeProvider clock)
{
    public const int MaxListEntries = 200;

    /// <summary>The roles a rep's user may hold (any one): sales, or owner and manager, who often sell too.</summary>
    public static readonly IReadOnlyList<Role> RepRoles = [Role.Sales, Role.Owner, Role.Manager];

    public async Task<TeamView> CreateTeamAsync(CreateTeamRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, SalesTeam.NameMaxLength);
        v.ThrowIfInvalid();
        if (request.ManagerId is { } manager && !await HoldsRoleAsync(manager, RepRoles, ct))
        {
            throw Unprocessable("unknown_manager", $"There is no back-office user with id '{manager}' holding the sales, manager or owner role.", "managerId");
        }

        var team = new SalesTeam { Name = name, ManagerId = request.ManagerId, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Set<SalesTeam>().Add(team);
        await db.SaveChangesAsync(ct);
        return ToView(team);
    }

    public async Task<IReadOnlyList<TeamView>> ListTeamsAsync(CancellationToken ct) =>
        (await db.Set<SalesTeam>().AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Id).ToListAsync(ct)).Select(ToView).ToList();

    public async Task<RepView> CreateRepAsync(CreateRepRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email, required: false);
        var name = v.Text("name", request.Name, 200);
        if (request.UserId is null && email is null)
        {
            v.Add("userId", "Give 'userId' or 'email': the back-office user who is the rep.");
        }

        if (request.TeamId is null)
        {
            v.Add("teamId", "'teamId' is required.");
        }

        v.ThrowIfInvalid();
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var normalized = email?.ToUpperInvariant();
                var userField = request.UserId is null ? "email" : "userId";
                var user = await db.Users.AsNoTracking()
                    .Where(u => request.UserId != null ? u.Id == request.UserId : u.NormalizedEmail == normalized)
                    .Select(u => new { u.Id, u.Email, u.DisplayName })
                    .FirstOrDefaultAsync(token)
                    ?? throw Unprocessable("unknown_user", "There is no back-office user with this id or email.", userField);
                if (!await HoldsRoleAsync(user.Id, RepRoles, token))
                {
                    throw Unprocessable("rep_user_not_sales", $"User '{user.Email}' holds none of the roles sales, manager or owner; give them the sales role first.", userField);
                }

                if (!await db.Set<SalesTeam>().AnyAsync(t => t.Id == request.TeamId, token))
                {
                    throw Unprocessable("unknown_team", $"There is no sales team with id '{request.TeamId}'.", "teamId");
                }

                if (request.TerritoryId is { } territoryId && !await db.Set<SalesTerritory>().AnyAsync(t => t.Id == territoryId, token))
                {
                    throw Unprocessable("unknown_territory", $"There is no territory with id '{territoryId}'.", "territoryId");
                }

                var rep = new SalesRep
                {
                    UserId = user.Id,
                    Name = name ?? user.DisplayName ?? user.Email ?? "",
                    Email = user.Email ?? "",
                    TeamId = request.TeamId!.Value,
                    TerritoryId = request.TerritoryId,
                    CreatedAt = clock.GetUtcNow().UtcDateTime,
                };
                db.Set<SalesRep>().Add(rep);
                if (request.TerritoryId is { } territory)
                {
                    // Joins the end of its territory's rotation.
                    var position = await db.Set<SalesTerritoryRep>().CountAsync(r => r.TerritoryId == territory, token);
                    db.Set<SalesTerritoryRep>().Add(new SalesTerritoryRep { TerritoryId = territory, RepId = rep.Id, Position = position });
                }

                return ToView(rep);
            }, ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            throw Errors.Conflict("rep_exists", "This user is a sales rep already.");
        }
    }

    public async Task<IReadOnlyList<RepView>> ListRepsAsync(string? teamId, CancellationToken ct)
    {
        var v = new Validation();
        var team = SalesNames.ParseGuid(v, "teamId", teamId);
        v.ThrowIfInvalid();
        var query = db.Set<SalesRep>().AsNoTracking();
        if (team is { } t)
        {
            query = query.Where(r => r.TeamId == t);
        }

        return (await query.OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(ct)).Select(ToView).ToList();
    }

    public async Task<TerritoryView> CreateTerritoryAsync(CreateTerritoryRequest request, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Required("name", request.Name, 200);
        var countries = List(v, "countries", request.Countries, 2).Select(c => c.ToUpperInvariant()).ToList();
        for (var i = 0; i < countries.Count; i++)
        {
            if (!Countries.IsValid(countries[i]))
            {
                v.Add($"countries[{i}]", $"'{countries[i]}' is not an ISO 3166-1 alpha-2 country code.");
            }
        }

        var regions = List(v, "regions", request.Regions, 100);
        var industries = List(v, "industries", request.Industries, 100);
        TerritoryAssignment? assignment = null;
        if (request.Assignment is null)
        {
            v.Add("assignment", "'assignment' is required: round_robin or owner.");
        }
        else
        {
            assignment = SalesNames.Parse<TerritoryAssignment>(v, "assignment", request.Assignment);
        }

        var repIds = request.RepIds ?? [];
        if (repIds.Count > MaxListEntries)
        {
            v.Add("repIds", $"'repIds' may list at most {MaxListEntries} reps.");
        }
        else if (repIds.Distinct().Count() != repIds.Count)
        {
            v.Add("repIds", "'repIds' lists a rep twice.");
        }

        v.ThrowIfInvalid();
        return await db.InTransactionAsync(async token =>
        {
            var known = await db.Set<SalesRep>().Where(r => repIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(token);
            foreach (var id in repIds.Where(id => !known.Contains(id)))
            {
                throw Unprocessable("unknown_rep", $"There is no sales rep with id '{id}'.", "repIds");
            }

            var territory = new SalesTerritory
            {
                Name = name,
                Countries = countries,
                Regions = regions,
                Industries = industries,
                Assignment = assignment!.Value,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Set<SalesTerritory>().Add(territory);
            db.Set<SalesTerritoryRep>().AddRange(repIds.Select((id, i) => new SalesTerritoryRep { TerritoryId = territory.Id, RepId = id, Position = i }));
            return ToView(territory, repIds);
        }, ct);
    }

    public async Task<IReadOnlyList<TerritoryView>> ListTerritoriesAsync(CancellationToken ct)
    {
        var territories = await OrderedTerritoriesAsync(ct);
        var reps = await RotationsAsync(ct);
        return territories.Select(t => ToView(t, reps.GetValueOrDefault(t.Id) ?? [])).ToList();
    }

    /// <summary>
    /// The rep a new company or deal goes to: the first territory (oldest first) matching
    /// <paramref name="match"/>; round-robin takes the next rep in its rotation (the cursor is advanced
    /// by one UPDATE … RETURNING, so concurrent assignments each get their own turn); owner assignment
    /// takes <paramref name="companyOwner"/> when there is one, else the territory's first rep.
    /// Null when no territory matches or the one that does has no reps. Runs in the caller's transaction.
    /// </summary>
    public async Task<Guid?> AssignAsync(TerritoryMatch match, Guid? companyOwner, CancellationToken ct)
    {
        var territories = await OrderedTerritoriesAsync(ct);
        var territory = territories.FirstOrDefault(t => Matches(t, match));
        if (territory is null)
        {
            return null;
        }

        var reps = await db.Set<SalesTerritoryRep>().AsNoTracking().Where(r => r.TerritoryId == territory.Id)
            .OrderBy(r => r.Position).ThenBy(r => r.RepId).Select(r => r.RepId).ToListAsync(ct);
        if (reps.Count == 0)
        {
            return null;
        }

        if (territory.Assignment == TerritoryAssignment.Owner)
        {
            return companyOwner ?? reps[0];
        }

        var cursor = (await db.Database
            .SqlQuery<long>($"UPDATE sales_territories SET assignment_cursor = assignment_cursor + 1 WHERE id = {territory.Id} RETURNING assignment_cursor AS \"Value\"")
            .ToListAsync(ct)).Single();
        return reps[(int)((cursor - 1) % reps.Count)];
    }

    /// <summary>Every non-empty criterion must hold (case-insensitively); a territory without criteria matches anything.</summary>
    public static bool Matches(SalesTerritory territory, TerritoryMatch match) =>
        In(territory.Countries, match.Country) && In(territory.Regions, match.Region) && In(territory.Industries, match.Industry);

    private static bool In(List<string> list, string? value) =>
        list.Count == 0 || (value is not null && list.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase));

    private async Task<List<SalesTerritory>> OrderedTerritoriesAsync(CancellationToken ct) =>
        (await db.Set<SalesTerritory>().AsNoTracking().ToListAsync(ct))
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id.ToString(), StringComparer.Ordinal).ToList();

    private async Task<Dictionary<Guid, List<Guid>>> RotationsAsync(CancellationToken ct) =>
        (await db.Set<SalesTerritoryRep>().AsNoTracking().ToListAsync(ct))
            .GroupBy(r => r.TerritoryId)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Position).ThenBy(r => r.RepId).Select(r => r.RepId).ToList());

    /// <summary>Whether the user holds any of <paramref name="wanted"/> (read from Accounts' tables).</summary>
    public async Task<bool> HoldsRoleAsync(Guid userId, IEnumerable<Role> wanted, CancellationToken ct)
    {
        var names = wanted.Select(Permissions.RoleName).Select(n => n.ToUpperInvariant()).ToList();
        return await (from link in db.UserRoles
                      join role in db.Roles on link.RoleId equals role.Id
                      where link.UserId == userId && names.Contains(role.NormalizedName!)
                      select link.UserId).AnyAsync(ct);
    }

    public async Task EnsureRepAsync(Guid repId, string field, CancellationToken ct)
    {
        if (!await db.Set<SalesRep>().AnyAsync(r => r.Id == repId, ct))
        {
            throw Unprocessable("unknown_rep", $"There is no sales rep with id '{repId}'.", field);
        }
    }

    internal static StorekeepException Unprocessable(string code, string message, string field) =>
        new(ErrorKind.Unprocessable, code, message) { Extensions = new Dictionary<string, object?> { ["field"] = field } };

    private static List<string> List(Validation v, string field, IReadOnlyList<string?>? values, int maxLength)
    {
        var result = new List<string>();
        if (values is null)
        {
            return result;
        }

        if (values.Count > MaxListEntries)
        {
            v.Add(field, $"'{field}' may list at most {MaxListEntries} entries.");
            return result;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var text = v.Required($"{field}[{i}]", values[i], maxLength);
            if (text.Length > 0 && !result.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(text);
            }
        }

        return result;
    }

    internal static TeamView ToView(SalesTeam t) => new(t.Id, t.Name, t.ManagerId, t.CreatedAt);

    internal static RepView ToView(SalesRep r) => new(r.Id, r.UserId, r.Name, r.Email, r.TeamId, r.TerritoryId, r.CreatedAt);

    internal static TerritoryView ToView(SalesTerritory t, IReadOnlyList<Guid> reps) =>
        new(t.Id, t.Name, t.Countries, t.Regions, t.Industries, SalesNames.Name(t.Assignment), reps, t.CreatedAt);
}

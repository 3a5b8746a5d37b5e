using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Sales;

/// <summary>
/// Whose deals and quotes a back-office user sees and changes. Those who manage sales (owner,
/// manager) see everyone's. A rep sees the deals they own, those of the reps in the teams they
/// manage, and unassigned deals (a shared pool anyone may pick up). API keys act for the store
/// rather than a person and are not narrowed.
/// </summary>
public sealed class SalesScope
{
    public static readonly SalesScope Everyone = new(null, []);

    private SalesScope(IReadOnlySet<Guid>? repIds, IReadOnlyList<Guid> managedTeamIds)
    {
        RepIds = repIds;
        ManagedTeamIds = managedTeamIds;
    }

    /// <summary>The reps whose deals are in scope; null means everyone's.</summary>
    public IReadOnlySet<Guid>? RepIds { get; }

    /// <summary>The teams the user manages (for the board's default filter).</summary>
    public IReadOnlyList<Guid> ManagedTeamIds { get; }

    public bool IsEveryone => RepIds is null;

    public bool Covers(Guid? ownerRepId) => RepIds is null || ownerRepId is null || RepIds.Contains(ownerRepId.Value);

    /// <summary>The scope of back-office user <paramref name="userId"/>: their own reps and the reps of the teams they manage.</summary>
    public static async Task<SalesScope> ForUserAsync(StorekeepDbContext db, Guid userId, CancellationToken ct)
    {
        var managed = await db.Set<SalesTeam>().AsNoTracking().Where(t => t.ManagerId == userId).Select(t => t.Id).ToListAsync(ct);
        var reps = await db.Set<SalesRep>().AsNoTracking()
            .Where(r => r.UserId == userId || managed.Contains(r.TeamId))
            .Select(r => r.Id).ToListAsync(ct);
        return new SalesScope(reps.ToHashSet(), managed);
    }
}

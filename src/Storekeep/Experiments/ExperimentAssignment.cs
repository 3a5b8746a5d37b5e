using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Experiments;

/// <summary>
/// Sticky assignment: a visitor's variant is a pure function of the experiment's id and the visitor id
/// (the <c>storekeep.vid</c> cookie), so every visit, node and restart agrees without storing anything
/// first. The first 8 bytes of SHA-256("{experimentId:N}:{visitorId}") as an unsigned integer ÷ 2⁶⁴
/// give a bucket in [0, 1); variants take consecutive slices of it in proportion to their weights,
/// in the order they were created.
/// </summary>
public static class ExperimentAssignment
{
    public static double Bucket(Guid experimentId, string visitorId)
    {
        ArgumentNullException.ThrowIfNull(visitorId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{experimentId:N}:{visitorId}"));
        return BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0; // 2^64
    }

    public static ExperimentVariant Assign(Experiment experiment, string visitorId)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var variants = experiment.Variants.OrderBy(v => v.Position).ToList();
        var point = Bucket(experiment.Id, visitorId) * variants.Sum(v => (double)v.Weight);
        var cumulative = 0.0;
        foreach (var variant in variants)
        {
            cumulative += variant.Weight;
            if (point < cumulative)
            {
                return variant;
            }
        }

        return variants[^1];
    }
}

/// <summary>
/// The running experiments of each kind, read once per few seconds per node instead of on every
/// storefront request and cart pricing. Starting or stopping clears this node's copy at once; other
/// nodes follow within <see cref="Lifetime"/>.
/// </summary>
public sealed class RunningExperimentsCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly NodeCopy<ExperimentKind, IReadOnlyList<Experiment>> _copy = new(clock, Lifetime);

    public Task<IReadOnlyList<Experiment>> GetAsync(ExperimentKind kind, Func<Task<IReadOnlyList<Experiment>>> load) => _copy.GetAsync(kind, load);

    public void Clear() => _copy.Clear();
}

/// <summary>
/// Where visitors meet running experiments: picks their variant and records the first exposure
/// (one row per experiment and visitor; a repeated visit changes nothing).
/// </summary>
public sealed class ExperimentExposures(StorekeepDbContext db, TimeProvider clock, RunningExperimentsCache cache)
{
    /// <summary>The running experiments of a kind, with their variants (oldest first); shared, do not change them.</summary>
    public Task<IReadOnlyList<Experiment>> RunningAsync(ExperimentKind kind, CancellationToken ct) =>
        cache.GetAsync(kind, async () => await db.Set<Experiment>().AsNoTracking().Include(e => e.Variants)
            .Where(e => e.Status == ExperimentStatus.Running && e.Kind == kind)
            .OrderBy(e => e.StartedAt).ThenBy(e => e.Id).ToListAsync(ct));

    /// <summary>
    /// The visitor's variant of a running experiment, recording the exposure when it is the first.
    /// Insert-if-absent in one statement, in the caller's transaction if there is one: two requests
    /// of one visitor racing (pricing inside checkout among them) keep one row and neither fails.
    /// </summary>
    public async Task<ExperimentVariant> ExposeAsync(Experiment experiment, string visitorId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var variant = ExperimentAssignment.Assign(experiment, visitorId);
        var known = await db.Set<ExperimentExposure>().AsNoTracking().AnyAsync(x => x.ExperimentId == experiment.Id && x.VisitorId == visitorId, ct);
        if (!known)
        {
            var id = Ids.NewId();
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO experiment_exposures (id, experiment_id, visitor_id, variant_key, exposed_at) VALUES ({id}, {experiment.Id}, {visitorId}, {variant.Key}, {now}) ON CONFLICT (experiment_id, visitor_id) DO NOTHING",
                ct);
        }

        return variant;
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

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
/// Where visitors meet running experiments: picks their variant and records the first exposure
/// (one row per experiment and visitor; a repeated visit changes nothing).
/// </summary>
public sealed class ExperimentExposures(StorekeepDbContext db, TimeProvider clock)
{
    /// <summary>The running experiments of a kind, with their variants (oldest first).</summary>
    public async Task<IReadOnlyList<Experiment>> RunningAsync(ExperimentKind kind, CancellationToken ct) =>
        await db.Set<Experiment>().AsNoTracking().Include(e => e.Variants)
            .Where(e => e.Status == ExperimentStatus.Running && e.Kind == kind)
            .OrderBy(e => e.StartedAt).ThenBy(e => e.Id).ToListAsync(ct);

    /// <summary>
    /// The visitor's variant of a running experiment, recording the exposure when it is the first.
    /// Saved at once when nothing else is pending in this context; otherwise it is added and saved with
    /// the caller's changes (pricing inside checkout), so it never commits half of someone else's work.
    /// </summary>
    public async Task<ExperimentVariant> ExposeAsync(Experiment experiment, string visitorId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var variant = ExperimentAssignment.Assign(experiment, visitorId);
        var exposures = db.Set<ExperimentExposure>();
        var known = exposures.Local.Any(x => x.ExperimentId == experiment.Id && x.VisitorId == visitorId)
            || await exposures.AsNoTracking().AnyAsync(x => x.ExperimentId == experiment.Id && x.VisitorId == visitorId, ct);
        if (known)
        {
            return variant;
        }

        var pending = db.ChangeTracker.HasChanges();
        var exposure = new ExperimentExposure
        {
            ExperimentId = experiment.Id, VisitorId = visitorId, VariantKey = variant.Key, ExposedAt = clock.GetUtcNow().UtcDateTime,
        };
        exposures.Add(exposure);
        if (!pending)
        {
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another request of the same visitor recorded it first: the unique index keeps one row.
                db.Entry(exposure).State = EntityState.Detached;
            }
        }

        return variant;
    }
}

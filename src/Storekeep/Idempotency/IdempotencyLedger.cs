using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Idempotency;

public enum ClaimOutcome
{
    /// <summary>This request holds the key: do the work, then <see cref="IdempotencyLedger.CompleteAsync"/> or <see cref="IdempotencyLedger.ForgetAsync"/>.</summary>
    Claimed,

    /// <summary>An earlier request with the same key and body finished: replay <see cref="IdempotencyClaim.Existing"/>.</summary>
    Completed,

    /// <summary>The key was used with another request.</summary>
    Mismatch,

    /// <summary>An earlier request with the key is still running.</summary>
    InProgress,
}

public sealed record IdempotencyClaim(ClaimOutcome Outcome, Guid RecordId, IdempotencyRecord? Existing);

/// <summary>
/// The one writer of idempotency records, for the API's Idempotency-Key and the storefront's
/// checkout form: a key is claimed with a unique insert, so concurrent requests on any node agree
/// on one winner; the winner keeps its answer (or forgets the key when nothing happened).
/// </summary>
public sealed class IdempotencyLedger(StorekeepDbContext db)
{
    /// <summary>
    /// Claims <paramref name="key"/> in <paramref name="scope"/>. With <paramref name="retakeAbandoned"/>,
    /// an unfinished claim whose lease ran out (its node died) is taken over by a guarded update.
    /// Leaves the change tracker empty.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(
        string scope, string key, string fingerprint, DateTime now, TimeSpan lease, bool retakeAbandoned, CancellationToken ct)
    {
        var record = new IdempotencyRecord { Scope = scope, Key = key, Fingerprint = fingerprint, CreatedAt = now, LockedUntil = now + lease };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
            return new IdempotencyClaim(ClaimOutcome.Claimed, record.Id, null);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Scope == scope && r.Key == key, ct);
            if (existing.Fingerprint != fingerprint)
            {
                return new IdempotencyClaim(ClaimOutcome.Mismatch, existing.Id, existing);
            }

            if (existing.Completed)
            {
                return new IdempotencyClaim(ClaimOutcome.Completed, existing.Id, existing);
            }

            var retaken = retakeAbandoned && existing.LockedUntil < now && await db.IdempotencyRecords
                .Where(r => r.Id == existing.Id && !r.Completed && r.LockedUntil == existing.LockedUntil)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LockedUntil, now + lease), ct) == 1;
            return new IdempotencyClaim(retaken ? ClaimOutcome.Claimed : ClaimOutcome.InProgress, existing.Id, existing);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Keeps the answer to replay. Not cancellable: the work it records is done.</summary>
    public Task CompleteAsync(Guid recordId, int statusCode, string? contentType, string? location, byte[]? body) =>
        db.IdempotencyRecords.Where(r => r.Id == recordId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Completed, true)
            .SetProperty(r => r.StatusCode, statusCode)
            .SetProperty(r => r.ContentType, contentType)
            .SetProperty(r => r.Location, location)
            .SetProperty(r => r.Body, body), CancellationToken.None);

    /// <summary>Nothing was done: the key may be used again.</summary>
    public Task ForgetAsync(Guid recordId) =>
        db.IdempotencyRecords.Where(r => r.Id == recordId).ExecuteDeleteAsync(CancellationToken.None);

    /// <summary>The location a finished request with this key answered with, if any.</summary>
    public Task<string?> CompletedLocationAsync(string scope, string key, CancellationToken ct) =>
        db.IdempotencyRecords.AsNoTracking()
            .Where(r => r.Scope == scope && r.Key == key && r.Completed)
            .Select(r => r.Location).FirstOrDefaultAsync(ct);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Shared;

/// <summary>What work retried by a background loop (webhook deliveries, emails, event subscribers) shares.</summary>
public static class Retries
{
    /// <summary>Exponential backoff from <paramref name="retryBase"/>, capped at <paramref name="retryMax"/>, with ±20% jitter so failures do not retry in lockstep.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan retryBase, TimeSpan retryMax)
    {
        var exponential = retryBase.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 40));
        var capped = Math.Min(exponential, retryMax.TotalMilliseconds);
        var jittered = capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, retryMax.TotalMilliseconds));
    }

    /// <summary>
    /// Attempts each due item, <paramref name="concurrency"/> at a time; returns how many were
    /// attempted (an attempt answers false when another node or attempt had the item).
    /// </summary>
    public static async Task<int> AttemptEachAsync(IEnumerable<Guid> due, int concurrency, Func<Guid, CancellationToken, Task<bool>> attempt, CancellationToken ct)
    {
        var attempted = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (id, token) =>
        {
            if (await attempt(id, token))
            {
                Interlocked.Increment(ref attempted);
            }
        });
        return attempted;
    }

    /// <summary>A lease time that doubles as a claim token: milliseconds only, since PostgreSQL keeps microseconds and SQLite keeps ticks.</summary>
    public static DateTime LeaseToken(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    /// <summary>
    /// Leases the next due rows of an outbox table (columns status, next_attempt_at, lease_until) in
    /// one statement, in due order, and returns their ids. The due rows are found through the
    /// (status, next_attempt_at) index whatever the statistics say: a claim per row by id plus status
    /// let PostgreSQL pick that index for the id too while a burst had just filled the table and the
    /// statistics were stale, scanning every pending row for each one (measured on the messages
    /// table: 180 ms a claim, the outbox at 45/s for 90 s after a 100,000-recipient campaign began).
    /// On PostgreSQL SKIP LOCKED lets nodes claim side by side; SQLite has one writer at a time.
    /// </summary>
    /// <param name="table">The table's name (a constant of ours, never input).</param>
    /// <param name="condition">A further SQL condition on the table's rows, or null.</param>
    public static Task<List<Guid>> ClaimDueAsync(StorekeepDbContext db, string table, string? condition, DateTime now, DateTime lease, int take, CancellationToken ct)
    {
        var also = condition is null ? "" : $" AND ({condition})";
        var skipLocked = db.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        var sql = $$"""
            UPDATE {{table}} SET lease_until = {0}
            WHERE id IN (SELECT id FROM {{table}}
                         WHERE status = 'pending' AND next_attempt_at <= {1} AND (lease_until IS NULL OR lease_until < {1}){{also}}
                         ORDER BY next_attempt_at LIMIT {2}{{skipLocked}})
            RETURNING id AS "Value"
            """;
        return db.Database.SqlQueryRaw<Guid>(sql, lease, now, take).ToListAsync(ct);
    }

    /// <summary>
    /// As an attempt begins: a fresh lease from <paramref name="now"/> on a row of an outbox table that
    /// <see cref="ClaimDueAsync"/> claimed, taken only while the batch's <paramref name="claim"/> still
    /// holds (only the primary key can find the row: no index covers the lease). Returns the new lease,
    /// the attempt's own claim token (see <see cref="LeaseToken"/>), or null when the claim ran out and another node has the row.
    /// </summary>
    /// <param name="table">The table's name (a constant of ours, never input).</param>
    public static async Task<DateTime?> RenewLeaseAsync(StorekeepDbContext db, string table, Guid id, DateTime claim, DateTime now, TimeSpan leaseFor, CancellationToken ct)
    {
        var lease = LeaseToken(now + leaseFor);
        var sql = $"UPDATE {table} SET lease_until = {{0}} WHERE id = {{1}} AND lease_until = {{2}}";
        var renewed = await db.Database.ExecuteSqlRawAsync(sql, [lease, id, claim], ct);
        return renewed == 0 ? null : lease;
    }
}

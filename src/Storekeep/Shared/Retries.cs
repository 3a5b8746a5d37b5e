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
}

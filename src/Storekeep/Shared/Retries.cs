namespace Storekeep.Shared;

/// <summary>What work retried by a background loop (webhook deliveries, emails) shares.</summary>
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

    /// <summary>A lease time that doubles as a claim token: milliseconds only, since PostgreSQL keeps microseconds and SQLite keeps ticks.</summary>
    public static DateTime LeaseToken(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Idempotency;

/// <summary>The contract keeps idempotency keys at least 24 hours; they are purged after 48.</summary>
public static class IdempotencyRetention
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(48);

    public static Task<int> PurgeAsync(StorekeepDbContext db, DateTime now, CancellationToken ct)
    {
        var cutoff = now - KeepFor;
        return db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}

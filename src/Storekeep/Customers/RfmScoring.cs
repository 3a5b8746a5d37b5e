using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Storekeep.Data;

namespace Storekeep.Customers;

/// <summary>
/// One customer's RFM values and scores as of the last scoring run (docs/crm.md, "RFM"). Keyed by
/// email, as a customer's orders are. Scores rank every buyer in the window, which takes seconds at
/// 500,000 customers, so they are computed by a run (hourly, after imports, on demand) and every
/// list, profile and segment reads them from here.
/// </summary>
public sealed class CustomerRfmScore
{
    public required string Email { get; init; }
    public long Recency { get; init; }
    public long Frequency { get; init; }
    public long MonetaryMinor { get; init; }
    public long RecencyScore { get; init; }
    public long FrequencyScore { get; init; }
    public long MonetaryScore { get; init; }
    public DateTime ScoredAt { get; init; }
}

internal sealed class CustomerRfmScoreConfiguration : IEntityTypeConfiguration<CustomerRfmScore>
{
    public void Configure(EntityTypeBuilder<CustomerRfmScore> b)
    {
        b.ToTable("customer_rfm_scores");
        b.HasKey(s => s.Email);
        b.Property(s => s.Email).HasMaxLength(254);
        b.Property(s => s.MonetaryMinor).HasColumnName("monetary");
    }
}

/// <summary>
/// RFM settings: the window of paid orders that counts (days, 365 by default) and how often every
/// node's background job rescores (minutes, 60 by default; <c>Customers:RfmScoreEveryMinutes</c>).
/// </summary>
public sealed record RfmSettings(int WindowDays, int ScoreEveryMinutes = 60)
{
    public static readonly RfmSettings Default = new(365);
}

/// <summary>What a scoring run did: when it scored and how many buyers; null when another node was already scoring.</summary>
public sealed record RfmScoringRun(DateTime ScoredAt, int Customers);

/// <summary>
/// Rescores RFM: replaces every row of <c>customer_rfm_scores</c> in one transaction, so readers see
/// the old scores or the new ones, never a mix. On PostgreSQL a transaction-scoped advisory lock lets
/// one node score at a time (a second caller returns null, the scores being fresh); SQLite serialises
/// writers anyway.
/// </summary>
public sealed class RfmScoring(StorekeepDbContext db, TimeProvider clock, RfmSettings settings)
{
    // Any constant both nodes agree on: "RFM" in ASCII.
    private const long LockKey = 0x52464D;

    /// <summary>
    /// Scores now (someone asked, after an import say): waits for a run in progress on another node
    /// and then scores, so the result includes every order committed before the call.
    /// </summary>
    public async Task<RfmScoringRun> ScoreAsync(CancellationToken ct) => (await ScoreAsync(wait: true, ct))!;

    /// <summary>The hourly job's run: skips (null) when another node is scoring.</summary>
    public Task<RfmScoringRun?> TryScoreAsync(CancellationToken ct) => ScoreAsync(wait: false, ct);

    private async Task<RfmScoringRun?> ScoreAsync(bool wait, CancellationToken ct)
    {
        var postgres = db.Database.IsNpgsql();
        // Inside a caller's transaction (the demo seeder's) it scores there; otherwise in its own.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        if (postgres && wait)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);
        }
        else if (postgres && !await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct))
        {
            return null;
        }

        // Read after the lock: a waiting caller scores as of when it got it.
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlRawAsync("DELETE FROM customer_rfm_scores", ct);
        // {0} is now, {1} the window's start: parameters, never text.
        var days = postgres
            ? "FLOOR(EXTRACT(EPOCH FROM ({0} - MAX(o.created_at))) / 86400)"
            : "julianday({0}) - julianday(MAX(o.created_at))";
        var sql = Insert.Replace("@refunds", CustomerFigures.Refunds, StringComparison.Ordinal).Replace("@days", days, StringComparison.Ordinal);
        var scored = await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(sql, now, now.AddDays(-settings.WindowDays)), ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return new RfmScoringRun(now, scored);
    }

    /// <summary>When the scores were last computed; null before the first run (or with no buyer in the window).</summary>
    /// <remarks>Every row of a run has the same time (a run replaces them all), so any row says it.</remarks>
    public async Task<DateTime?> LastScoredAtAsync(CancellationToken ct) =>
        await db.Set<CustomerRfmScore>().AsNoTracking().Select(s => (DateTime?)s.ScoredAt).FirstOrDefaultAsync(ct) is { } at
            ? DateTime.SpecifyKind(at, DateTimeKind.Utc)
            : null;

    // A paid order is one not cancelled whose payment is paid or partially refunded; monetary is net of
    // succeeded refunds. rank = 1 + the buyers strictly better (RANK), score = 5 − ⌊5·(rank − 1)/n⌋.
    // Cast to BIGINT so both databases store the same integers (PostgreSQL's SUM of bigint is numeric).
    private const string Insert = """
        INSERT INTO customer_rfm_scores (email, recency, frequency, monetary, recency_score, frequency_score, monetary_score, scored_at)
        SELECT r.email, r.recency, r.frequency, r.monetary,
          CAST(5 - (5 * (r.r_rank - 1)) / r.n AS BIGINT),
          CAST(5 - (5 * (r.f_rank - 1)) / r.n AS BIGINT),
          CAST(5 - (5 * (r.m_rank - 1)) / r.n AS BIGINT),
          {0}
        FROM (SELECT o.email, CAST(@days AS BIGINT) AS recency,
                CAST(COUNT(*) AS BIGINT) AS frequency, CAST(SUM(o.total - COALESCE(rf.amount, 0)) AS BIGINT) AS monetary,
                RANK() OVER (ORDER BY CAST(@days AS BIGINT)) AS r_rank,
                RANK() OVER (ORDER BY COUNT(*) DESC) AS f_rank,
                RANK() OVER (ORDER BY SUM(o.total - COALESCE(rf.amount, 0)) DESC) AS m_rank,
                COUNT(*) OVER () AS n
              FROM orders o LEFT JOIN @refunds rf ON rf.order_id = o.id
              WHERE o.status <> 'cancelled' AND o.payment_status IN ('paid', 'partially_refunded') AND o.created_at >= {1}
              GROUP BY o.email) r
        """;
}

using Microsoft.EntityFrameworkCore;

namespace Storekeep.Data;

/// <summary>Short human numbers (#1042, RMA-1001).</summary>
public static class Sequences
{
    /// <summary>
    /// PostgreSQL: a sequence, so concurrent checkouts never queue on a counter row (gaps after a
    /// rollback are fine). SQLite: the transaction already holds the write lock, so MAX + 1 is safe.
    /// Call inside the transaction that inserts the row.
    /// </summary>
    public static async Task<long> NextOrderNumberAsync(this StorekeepDbContext db, CancellationToken ct) =>
        db.IsPostgres
            ? await db.Database.SqlQueryRaw<long>($"SELECT nextval('{StorekeepDbContext.OrderNumberSequence}') AS \"Value\"").SingleAsync(ct)
            : (await db.Orders.MaxAsync(o => (long?)o.Number, ct) ?? 1000) + 1;

    public static async Task<long> NextReturnNumberAsync(this StorekeepDbContext db, CancellationToken ct) =>
        db.IsPostgres
            ? await db.Database.SqlQueryRaw<long>($"SELECT nextval('{StorekeepDbContext.ReturnNumberSequence}') AS \"Value\"").SingleAsync(ct)
            : (await db.Returns.MaxAsync(r => (long?)r.Number, ct) ?? 1000) + 1;
}

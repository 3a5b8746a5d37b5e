using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Storekeep.Data;

public static class Transactions
{
    private const int MaxAttempts = 6;

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. A deadlock, serialization
    /// failure or busy database rolls back everything and runs the work again from scratch, with a
    /// clean change tracker, so the work must read what it needs inside. On SQLite the transaction
    /// begins IMMEDIATE (Microsoft.Data.Sqlite's default), taking the write lock up front.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this StorekeepDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var result = await work(ct);

                // The last save is followed by the commit.
                await db.SaveFailingWholeAsync(ct);
                await transaction.CommitAsync(ct);
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts && IsTransient(e))
            {
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
            catch
            {
                db.ChangeTracker.Clear();
                throw;
            }
        }
    }

    /// <summary>
    /// SaveChanges inside a transaction that a failed save rolls back whole (nothing catches the
    /// error to carry on): EF's automatic savepoint around it would be two wasted round trips.
    /// </summary>
    public static async Task SaveFailingWholeAsync(this StorekeepDbContext db, CancellationToken ct)
    {
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }

    public static Task InTransactionAsync(this StorekeepDbContext db, Func<CancellationToken, Task> work, CancellationToken ct = default) =>
        db.InTransactionAsync(async token =>
        {
            await work(token);
            return true;
        }, ct);

    public static bool IsTransient(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        _ => false,
    };

    public static bool IsUniqueViolation(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    public static bool IsCheckViolation(Exception e) => Unwrap(e) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.CheckViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode == 275,
        _ => false,
    };

    private static Exception Unwrap(Exception e)
    {
        while (e is DbUpdateException or InvalidOperationException && e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}

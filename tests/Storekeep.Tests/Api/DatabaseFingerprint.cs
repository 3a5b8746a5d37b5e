using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Tests.Api;

/// <summary>
/// A checksum of every row of every table, to prove a rejected request wrote nothing. Rows are
/// hashed order-independently. Tables the background dispatcher writes on its own are compared
/// by row count (outbox) or left out (webhook deliveries, the daily sales rollup, messages, and
/// the subscribers' checkpoints, which advance over events the setup requests raised).
/// Reading every row after every request is what made the hostile-input suites slow, so each
/// compared table also gets row triggers that bump a change counter: while the counter stands
/// still, nothing compared can have changed and the last checksums stand; when it moved (a write,
/// or on PostgreSQL even a write that rolled back) the rows are read and compared as before.
/// </summary>
public sealed class DatabaseFingerprint : IAsyncDisposable
{
    private static readonly HashSet<string> CountOnly = ["outbox_events"];
    // daily_sales and daily_kpis are recomputed by the dispatcher from orders committed earlier (the setup requests);
    // messages are queued by the dispatcher for those earlier events and then marked sent or logged;
    // the loyalty ledger earns and reverses points for those earlier orders (and raises loyalty.points_changed, not counted below);
    // the co-purchase counts take in those earlier orders as they are paid; RFM scores are rewritten by the scoring job;
    // the customers' order figures are recomputed by their subscriber for those earlier orders.
    private static readonly HashSet<string> Ignored = ["customer_rfm_scores", "customer_order_stats", "webhook_deliveries", "daily_sales", "daily_kpis", "customer_months", "customer_months_shares", "messages", "event_subscriptions", "loyalty_accounts", "loyalty_entries", "co_purchases", "co_purchase_orders"];

    private readonly StorekeepDbContext _db;
    private readonly DbConnection _connection;
    private readonly IReadOnlyList<string> _tables;
    private long? _counterAtLast;

    /// <summary>How many fingerprints had to read the rows (the rest were answered by the change counter).</summary>
    public int RowReads { get; private set; }

    /// <summary>How many fingerprints were taken.</summary>
    public int Taken { get; private set; }
    private IReadOnlyDictionary<string, string>? _last;

    private DatabaseFingerprint(StorekeepDbContext db, DbConnection connection, IReadOnlyList<string> tables)
    {
        _db = db;
        _connection = connection;
        _tables = tables;
    }

    public static async Task<DatabaseFingerprint> OpenAsync(Infrastructure.TestStore store)
    {
        var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>()
            .Distinct().Where(t => !Ignored.Contains(t)).Order(StringComparer.Ordinal).ToList();
        Assert.True(tables.Count > 10, "Suspiciously few tables: " + string.Join(", ", tables));
        await InstallChangeCounterAsync(connection, store.Provider == DatabaseProvider.Postgres, tables);
        return new DatabaseFingerprint(db, connection, tables);
    }

    private const string Counter = "sk_fingerprint_changes";

    /// <summary>Row triggers on every compared table (the outbox: new rows other than loyalty's, and deletions).</summary>
    private static async Task InstallChangeCounterAsync(DbConnection connection, bool postgres, IReadOnlyList<string> tables)
    {
        var loyalty = Storekeep.Events.EventTypes.LoyaltyPointsChanged;
        var sql = new StringBuilder();
        if (postgres)
        {
            // A sequence: no row lock for the app's writers to queue on, visible at once to this reader.
            sql.AppendLine($"CREATE SEQUENCE {Counter};");
            sql.AppendLine($"CREATE FUNCTION {Counter}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('{Counter}'); RETURN NULL; END $$;");
            foreach (var table in tables)
            {
                var events = CountOnly.Contains(table) ? "DELETE" : "INSERT OR UPDATE OR DELETE";
                sql.AppendLine($"CREATE TRIGGER {Counter} AFTER {events} ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION {Counter}_bump();");
                sql.AppendLine($"CREATE TRIGGER {Counter}_truncate AFTER TRUNCATE ON \"{table}\" FOR EACH STATEMENT EXECUTE FUNCTION {Counter}_bump();");
                if (CountOnly.Contains(table))
                {
                    sql.AppendLine($"CREATE TRIGGER {Counter}_insert AFTER INSERT ON \"{table}\" FOR EACH ROW WHEN (NEW.type <> '{loyalty}') EXECUTE FUNCTION {Counter}_bump();");
                }
            }
        }
        else
        {
            sql.AppendLine($"CREATE TABLE {Counter} (n INTEGER NOT NULL); INSERT INTO {Counter} VALUES (0);");
            foreach (var table in tables)
            {
                var events = CountOnly.Contains(table) ? new[] { "DELETE" } : ["INSERT", "UPDATE", "DELETE"];
                foreach (var evt in events)
                {
                    sql.AppendLine($"CREATE TRIGGER {Counter}_{table}_{evt.ToLowerInvariant()} AFTER {evt} ON \"{table}\" BEGIN UPDATE {Counter} SET n = n + 1; END;");
                }

                if (CountOnly.Contains(table))
                {
                    sql.AppendLine($"CREATE TRIGGER {Counter}_{table}_insert AFTER INSERT ON \"{table}\" WHEN NEW.type <> '{loyalty}' BEGIN UPDATE {Counter} SET n = n + 1; END;");
                }
            }
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ChangesAsync()
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = _db.IsPostgres ? $"SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM {Counter}" : $"SELECT n FROM {Counter}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Table → checksum of its rows. One command with a statement per table (one round trip, read
    /// result set by result set): the hostile-input suites take a fingerprint after every request.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> TakeAsync()
    {
        // Read before the rows: a write while they are read moves the counter for next time.
        var changes = await ChangesAsync();
        Taken++;
        if (_last is not null && changes == _counterAtLast)
        {
            return _last;
        }

        RowReads++;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var command = _connection.CreateCommand();
        command.CommandText = string.Join(";\n", _tables.Select(table => !CountOnly.Contains(table) ? $"SELECT * FROM {table}"
            : table == "outbox_events" ? $"SELECT COUNT(*) FROM {table} WHERE type <> '{Storekeep.Events.EventTypes.LoyaltyPointsChanged}'"
            : $"SELECT COUNT(*) FROM {table}"));
        await using var reader = await command.ExecuteReaderAsync();
        foreach (var table in _tables)
        {
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? "∅" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes)
                        : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                    row.Append(value).Append('\u241F');
                }

                rows.Add(row.ToString());
            }

            rows.Sort(StringComparer.Ordinal);
            result[table] = CountOnly.Contains(table) ? rows.Single().TrimEnd('\u241F')
                : $"{rows.Count}:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u241E", rows))))[..16];
            if (!await reader.NextResultAsync() && table != _tables[^1])
            {
                throw new InvalidOperationException($"The fingerprint query ended after {table}.");
            }
        }

        (_last, _counterAtLast) = (result, changes);
        return result;
    }

    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _connection.CloseAsync();
        await _db.DisposeAsync();
    }
}

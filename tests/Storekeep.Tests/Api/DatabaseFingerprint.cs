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
/// </summary>
public sealed class DatabaseFingerprint : IAsyncDisposable
{
    private static readonly HashSet<string> CountOnly = ["outbox_events"];
    // daily_sales and daily_kpis are recomputed by the dispatcher from orders committed earlier (the setup requests);
    // messages are queued by the dispatcher for those earlier events and then marked sent or logged;
    // the loyalty ledger earns and reverses points for those earlier orders (and raises loyalty.points_changed, not counted below);
    // the co-purchase counts take in those earlier orders as they are paid.
    private static readonly HashSet<string> Ignored = ["webhook_deliveries", "daily_sales", "daily_kpis", "customer_months", "customer_months_shares", "messages", "event_subscriptions", "loyalty_accounts", "loyalty_entries", "co_purchases", "co_purchase_orders"];

    private readonly StorekeepDbContext _db;
    private readonly DbConnection _connection;
    private readonly IReadOnlyList<string> _tables;

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
        return new DatabaseFingerprint(db, connection, tables);
    }

    /// <summary>
    /// Table → checksum of its rows. One command with a statement per table (one round trip, read
    /// result set by result set): the hostile-input suites take a fingerprint after every request.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> TakeAsync()
    {
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

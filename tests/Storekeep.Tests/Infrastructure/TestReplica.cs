using Npgsql;
using Storekeep.Data;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL primary and a real streaming standby of it (<c>pg_basebackup -R</c>), from
/// Debian's postgresql binaries, for the read-replica suite: what one gets with a managed replica,
/// lag and all. Both go away with <see cref="DisposeAsync"/> (or at process exit).
/// </summary>
public sealed class TestReplica : IAsyncDisposable
{
    private readonly TestPostgres.PrivateCluster _primary;
    private readonly string _replicaServer;

    private TestReplica(TestPostgres.PrivateCluster primary, string replicaServer)
    {
        _primary = primary;
        _replicaServer = replicaServer;
    }

    /// <summary>Starts the pair; skips the test without the postgresql package (under CI=true it fails instead).</summary>
    public static async Task<TestReplica> StartAsync()
    {
        if (TestPostgres.FindBinaries() is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"CI=true: the read-replica suite must run in CI. {TestPostgres.Missing}");
            }

            Assert.Skip(TestPostgres.Missing);
        }

        return await Task.Run(() =>
        {
            var primary = TestPostgres.StartCluster();
            var server = new NpgsqlConnectionStringBuilder(primary.ConnectionString);
            var replica = Path.Combine(primary.Folder, "replica");
            TestPostgres.Run("env",
                [$"PGPASSWORD={server.Password}", Path.Combine(primary.Binaries, "pg_basebackup"),
                    "-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", TestPostgres.PostgresUser,
                    "-D", replica, "-R", "-X", "stream", "--no-sync"],
                asPostgres: true, primary.Folder);
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort.Next();
                try
                {
                    TestPostgres.Run(Path.Combine(primary.Binaries, "pg_ctl"),
                        ["-D", replica, "-l", Path.Combine(primary.Folder, "replica.log"), "-o", $"-p {port}", "-w", "-t", "60", "start"],
                        asPostgres: true, primary.Folder);
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    continue;
                }

                return new TestReplica(primary, new NpgsqlConnectionStringBuilder(primary.ConnectionString) { Port = port }.ConnectionString);
            }
        });
    }

    /// <summary>A fresh database on the primary (the standby replays its creation); the app migrates it on start.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync()
    {
        var name = $"sk_replica_{Guid.NewGuid():N}";
        await ExecuteAsync(_primary.ConnectionString, $"CREATE DATABASE \"{name}\"");
        return new TestDatabase(DatabaseProvider.Postgres, With(_primary.ConnectionString, name), () => Task.CompletedTask);
    }

    /// <summary>The same database on the standby: <c>ConnectionStrings:StorekeepReadOnly</c>.</summary>
    public string ReplicaConnectionString(TestDatabase database) => With(_replicaServer, new NpgsqlConnectionStringBuilder(database.ConnectionString).Database!);

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    public async Task CaughtUpAsync()
    {
        var target = await ScalarAsync(_primary.ConnectionString, "SELECT pg_current_wal_lsn()::text");
        await Eventually.HoldsAsync(
            async () => await ScalarAsync(_replicaServer, $"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") is "True",
            "the standby to replay the primary's writes", 60);
    }

    /// <summary>Stops the standby applying the primary's changes (it keeps receiving them): its data stands still.</summary>
    public Task PauseReplayAsync() => ExecuteAsync(_replicaServer, "SELECT pg_wal_replay_pause()");

    public Task ResumeReplayAsync() => ExecuteAsync(_replicaServer, "SELECT pg_wal_replay_resume()");

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        TestPostgres.Remove(_primary.Binaries, _primary.Folder);
        return ValueTask.CompletedTask;
    }

    private static string With(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;

    private static async Task ExecuteAsync(string server, string sql) => await ScalarAsync(server, sql);

    private static async Task<string?> ScalarAsync(string server, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        builder.Database ??= "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}

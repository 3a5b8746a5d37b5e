using Npgsql;
using Storekeep.Data;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database per test: a SQLite file, or a PostgreSQL database cloned from a
/// template migrated once per run. Which PostgreSQL server, or whether the case skips, is
/// <see cref="TestPostgres"/>'s decision.
/// </summary>
public static class TestDatabases
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _templateName;

    public static TheoryData<string> All => new(Sqlite, Postgres);

    /// <summary>What only a server database can do, such as several app nodes on one database.</summary>
    public static TheoryData<string> PostgresOnly => new(Postgres);

    public static async Task<TestDatabase> CreateAsync(string kind)
    {
        if (kind == Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "storekeep-tests");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"{Guid.NewGuid():N}.db");
            return new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={file}", () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal", "-shm" })
                {
                    File.Delete(file + suffix);
                }

                return Task.CompletedTask;
            });
        }

        var server = await TestPostgres.ServerAsync();
        var template = await EnsureTemplateAsync(server);
        var name = $"sk_test_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        return new TestDatabase(DatabaseProvider.Postgres, connectionString, async () =>
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                NpgsqlConnection.ClearPool(connection);
            }

            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    private static async Task<string> EnsureTemplateAsync(string server)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_templateName is not null)
            {
                return _templateName;
            }

            var name = $"sk_template_{Guid.NewGuid():N}";
            await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
            var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ToString();
            await using (var db = DatabaseSetup.CreateContext(DatabaseProvider.Postgres, connectionString))
            {
                await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.MigrateAsync(db.Database);
            }

            // A configured server keeps no template behind; a private cluster goes away whole at exit.
            if (!TestPostgres.IsPrivateCluster)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try
                    {
                        ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult();
                    }
                    catch (NpgsqlException)
                    {
                        // The server may already be gone at exit; the template is only a cache.
                    }
                };
            }

            _templateName = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }

        await using var connection = new NpgsqlConnection(builder.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class TestDatabase(DatabaseProvider provider, string connectionString, Func<Task> drop) : IAsyncDisposable
{
    public DatabaseProvider Provider { get; } = provider;
    public string ConnectionString { get; } = connectionString;
    public string ProviderSetting => Provider == DatabaseProvider.Postgres ? "postgres" : "sqlite";

    public ValueTask DisposeAsync() => new(drop());
}

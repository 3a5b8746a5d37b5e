using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Storekeep.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Reads <c>Database:Provider</c> and <c>ConnectionStrings:Storekeep</c> and configures EF for them.</summary>
public static class DatabaseSetup
{
    public const string SqliteMigrationsAssembly = "Storekeep.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Storekeep.Migrations.Postgres";

    public static (DatabaseProvider Provider, string ConnectionString) Resolve(IConfiguration configuration)
    {
        var providerText = configuration["Database:Provider"] ?? "sqlite";
        var provider = providerText.ToLowerInvariant() switch
        {
            "sqlite" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
            _ => throw new InvalidOperationException($"Database:Provider must be 'sqlite' or 'postgres', not '{providerText}'."),
        };
        var connectionString = configuration.GetConnectionString("Storekeep");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider == DatabaseProvider.Postgres)
            {
                throw new InvalidOperationException("Database:Provider is 'postgres' but ConnectionStrings:Storekeep is not set.");
            }

            Directory.CreateDirectory("data");
            connectionString = "Data Source=data/storekeep.db";
        }

        return (provider, connectionString);
    }

    public static IServiceCollection AddStorekeepDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        // Resolved when first needed, so settings a test host adds after registration still count.
        services.AddDbContextPool<StorekeepDbContext>((serviceProvider, options) =>
        {
            var (provider, connectionString) = Resolve(serviceProvider.GetRequiredService<IConfiguration>());
            Configure(options, provider, connectionString);
            if (serviceProvider.GetService<Events.OutboxSignal>() is { } outboxSignal)
            {
                options.AddInterceptors(new Events.OutboxNotifyInterceptor(outboxSignal));
            }

            if (serviceProvider.GetService<Messaging.MessageSignal>() is { } messageSignal)
            {
                options.AddInterceptors(new CommitNotifyInterceptor<Messaging.Message>(messageSignal.Notify));
            }

            if (serviceProvider.GetService<Catalog.CatalogChangeSignal>() is { } catalogSignal)
            {
                options.AddInterceptors(new Catalog.CatalogChangeInterceptor(catalogSignal));
            }

            options.AddInterceptors(new Audit.AuditInterceptor(serviceProvider.GetService<TimeProvider>() ?? TimeProvider.System));

            // Interceptors registered as services: a test's log of the statements sent, a deployment's own tracing.
            options.AddInterceptors(serviceProvider.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>());
        });
        services.AddScoped<ReadReplica>();
        return services;
    }

    public static void Configure(DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(WithPostgresDefaults(connectionString), npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly));
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 60, Pooling = true };
            options.UseSqlite(builder.ToString(), sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
            options.AddInterceptors(SqlitePragmas.Instance);
        }
    }

    /// <summary>
    /// The PostgreSQL connection string with Storekeep's defaults for what it leaves unset. Npgsql
    /// resets a pooled connection (<c>DISCARD ALL</c>) each time it is reused, about nine times per
    /// checkout, which also throws away prepared statements; Storekeep keeps no session state (its
    /// advisory locks are transaction-scoped), so connections are not reset, and statements used
    /// often are prepared once per connection instead of parsed and planned every time
    /// (docs/performance.md). Either can still be set in the connection string.
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 200;
        }

        return builder.ConnectionString;
    }

    public static StorekeepDbContext CreateContext(DatabaseProvider provider, string connectionString)
    {
        var options = new DbContextOptionsBuilder<StorekeepDbContext>();
        Configure(options, provider, connectionString);
        return new StorekeepDbContext(options.Options);
    }

    /// <summary>
    /// WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes
    /// (only an OS crash can lose the last commits); busy_timeout makes writers queue, not fail.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=60000; PRAGMA foreign_keys=ON;";
            command.ExecuteNonQuery();
        }
    }
}

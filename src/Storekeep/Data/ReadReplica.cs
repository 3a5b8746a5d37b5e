using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Storekeep.Data;

/// <summary>
/// The database for reads that tolerate a few seconds' lag: reports, exports, storefront catalog
/// pages. With <c>ConnectionStrings:StorekeepReadOnly</c> set (a PostgreSQL streaming replica of the
/// primary), a request's such reads go there, so they never queue behind or slow down checkout;
/// unset, they use the request's own context on the primary. Stock checks and anything a write
/// depends on never come here: they take <see cref="StorekeepDbContext"/> itself (docs/scaling.md).
/// </summary>
public sealed class ReadReplica(IServiceProvider services, IConfiguration configuration) : IAsyncDisposable
{
    public const string ConnectionStringName = "StorekeepReadOnly";

    private StorekeepDbContext? _replica;

    /// <summary>True when a replica is configured.</summary>
    public bool Configured => !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    /// <summary>A context on the replica (no tracking: nothing is written through it), else the request's primary context.</summary>
    public StorekeepDbContext Context => Configured ? _replica ??= OpenReplica() : services.GetRequiredService<StorekeepDbContext>();

    private StorekeepDbContext OpenReplica()
    {
        var (provider, _) = DatabaseSetup.Resolve(configuration);
        if (provider != DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} names a PostgreSQL replica; it needs Database:Provider postgres.");
        }

        var context = DatabaseSetup.CreateContext(provider, configuration.GetConnectionString(ConnectionStringName)!);
        context.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }
    }
}

public static class ReadReplicaRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TService"/> (scoped) with its <see cref="StorekeepDbContext"/>
    /// on the read replica; its other dependencies come from the container as usual.
    /// </summary>
    public static IServiceCollection AddReplicaReader<TService>(this IServiceCollection services, Func<IServiceProvider, StorekeepDbContext, object[]>? more = null)
        where TService : class =>
        services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<ReadReplica>().Context;
            return ActivatorUtilities.CreateInstance<TService>(sp, [db, .. more?.Invoke(sp, db) ?? []]);
        });
}

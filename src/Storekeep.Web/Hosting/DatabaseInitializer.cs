using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Demo;

namespace Storekeep.Web.Hosting;

/// <summary>
/// Before anything else starts (the server included): apply migrations, make sure the bootstrap
/// API key exists, and seed the demo store into an empty database when <see cref="ShouldSeedDemo"/>.
/// </summary>
public sealed class DatabaseInitializer(IServiceProvider services, IConfiguration configuration, ILogger<DatabaseInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        await MigrateAsync(db, cancellationToken);

        if (configuration["Bootstrap:ApiKey"] is { Length: > 0 } bootstrapKey)
        {
            await scope.ServiceProvider.GetRequiredService<ApiKeyService>().EnsureBootstrapKeyAsync(bootstrapKey, cancellationToken);
        }

        var staff = scope.ServiceProvider.GetRequiredService<StaffAccounts>();
        await staff.EnsureRolesAsync();
        if (configuration["Bootstrap:OwnerEmail"] is { Length: > 0 } ownerEmail && configuration["Bootstrap:OwnerPassword"] is { Length: > 0 } ownerPassword)
        {
            try
            {
                await staff.EnsureOwnerAsync(ownerEmail, ownerPassword);
            }
            catch (BootstrapOwnerConflictException e)
            {
                // Refusing to start is the point: say why in the log before the host gives up.
                logger.LogCritical("Storekeep will not start: {Reason}", e.Message);
                throw;
            }
        }

        if (ShouldSeedDemo(configuration))
        {
            var result = await scope.ServiceProvider.GetRequiredService<DemoStoreSeeder>().SeedIfEmptyAsync(null, cancellationToken);
            if (result.Seeded)
            {
                var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
                await DemoStaff.CreateAsync(staff, scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<UserAccount>>(), db, configuration["Seed:DemoPassword"], now, cancellationToken);
                await DemoMessages.AddRecentConfirmationsAsync(db, scope.ServiceProvider.GetRequiredService<Storekeep.Messaging.OrderEmails>(), cancellationToken);
                logger.LogInformation("Seeded the demo store in {Seconds:0.0} s: {Products} products, {Customers} customers, {Orders} orders.",
                    result.Elapsed.TotalSeconds, result.Products, result.Customers, result.Orders);
            }
        }

        services.GetRequiredService<DemoSignIn>().Password = await DemoCredentials.FindAsync(db, cancellationToken);
    }

    /// <summary>
    /// <c>Seed:Demo=true</c> always seeds an empty database and <c>false</c> never does; unset, the
    /// demo is seeded only when no <c>Bootstrap:OwnerEmail</c> says this is a real store.
    /// </summary>
    public static bool ShouldSeedDemo(IConfiguration configuration) =>
        configuration["Seed:Demo"] is { Length: > 0 } explicitChoice
            ? bool.TryParse(explicitChoice, out var seed) ? seed : throw new InvalidOperationException($"Seed:Demo is '{explicitChoice}'; it must be true or false.")
            : string.IsNullOrWhiteSpace(configuration["Bootstrap:OwnerEmail"]);

    public static async Task MigrateAsync(StorekeepDbContext db, CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

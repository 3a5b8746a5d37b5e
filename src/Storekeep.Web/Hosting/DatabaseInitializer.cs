using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Data;
using Storekeep.Demo;

namespace Storekeep.Web.Hosting;

/// <summary>
/// Before anything else starts (the server included): apply migrations, make sure the bootstrap
/// API key exists, and seed the demo store into an empty database unless <c>Seed:Demo=false</c>.
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

        if (configuration.GetValue("Seed:Demo", true))
        {
            var result = await scope.ServiceProvider.GetRequiredService<DemoStoreSeeder>().SeedIfEmptyAsync(null, cancellationToken);
            if (result.Seeded)
            {
                await DemoStaff.CreateAsync(staff);
                logger.LogInformation("Seeded the demo store in {Seconds:0.0} s: {Products} products, {Customers} customers, {Orders} orders.",
                    result.Elapsed.TotalSeconds, result.Products, result.Customers, result.Orders);
            }
        }
    }

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

using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Cli;

namespace Storekeep.Tests.Cli;

public sealed partial class StorekeepCliTests
{
    private static Dictionary<string, string?> Settings(DatabaseProvider provider, string connectionString) => new()
    {
        ["Database:Provider"] = provider == DatabaseProvider.Postgres ? "postgres" : "sqlite",
        ["ConnectionStrings:Storekeep"] = connectionString,
    };

    private static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?>? settings, params string[] args)
    {
        await using var output = new StringWriter();
        var exitCode = await StorekeepCli.RunAsync(args, settings, output);
        return (exitCode, output.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Migrate_brings_a_fresh_database_to_the_current_schema(string database)
    {
        await using var db = await TestDatabases.CreateAsync(database);

        var (exitCode, output) = await RunAsync(Settings(db.Provider, db.ConnectionString), "migrate");

        Assert.True(exitCode == 0, output);
        Assert.Matches("Applied [0-9]+ migration|schema is up to date", output);
        await using var context = DatabaseSetup.CreateContext(db.Provider, db.ConnectionString);
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await context.Orders.CountAsync());

        var (again, secondOutput) = await RunAsync(Settings(db.Provider, db.ConnectionString), "migrate");
        Assert.Equal(0, again);
        Assert.Contains("up to date", secondOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Rebuild_analytics_recomputes_the_daily_sales_rollup_from_the_orders(string database)
    {
        await using var db = await TestDatabases.CreateAsync(database);
        var (migrated, migrateOutput) = await RunAsync(Settings(db.Provider, db.ConnectionString), "migrate");
        Assert.True(migrated == 0, migrateOutput);
        var placed = DateTime.UtcNow.Date.AddDays(-3).AddHours(10);
        await using (var context = DatabaseSetup.CreateContext(db.Provider, db.ConnectionString))
        {
            // Written as a bulk load would: no events, so the rollup knows nothing of it; and a stale row.
            context.Orders.Add(Storekeep.Orders.Order.Place(
                1001, "bulk@example.com", null, "USD",
                new Storekeep.Orders.Address { Name = "Ada", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" },
                "standard",
                [new Storekeep.Orders.OrderLine { Sku = "BULK-1", Title = "Thing", Quantity = 3, UnitPrice = 2.50m, LineTotal = 7.50m }],
                4.99m, 0m, false, null, placed));
            context.DailySales.Add(new Storekeep.Analytics.DailySales { Day = DateOnly.FromDateTime(placed).AddDays(-1), Currency = "USD", Orders = 9, Gross = 99m });
            await context.SaveChangesAsync();
        }

        var (exitCode, output) = await RunAsync(Settings(db.Provider, db.ConnectionString), "rebuild-analytics");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Rebuilt the daily sales and KPI rollups", output, StringComparison.Ordinal);
        await using var check = DatabaseSetup.CreateContext(db.Provider, db.ConnectionString);
        var row = Assert.Single(await check.DailySales.AsNoTracking().ToListAsync());
        Assert.Equal((DateOnly.FromDateTime(placed), "USD", 1, 12.49m, 0m, 3L), (row.Day, row.Currency, row.Orders, row.Gross, row.Refunds, row.Units));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Create_api_key_prints_a_key_once_that_authenticates_with_its_role(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var (exitCode, output) = await RunAsync(Settings(store.Provider, store.ConnectionString), "create-api-key", "--role", "warehouse", "--name", "packing station");

        Assert.True(exitCode == 0, output);
        Assert.Contains("not shown again", output, StringComparison.Ordinal);
        var key = ApiKeyPattern().Match(output).Groups["key"].Value;
        Assert.StartsWith(ApiKeyService.KeyPrefix, key, StringComparison.Ordinal);
        await using var scope = store.Services.CreateAsyncScope();
        var found = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().FindActiveAsync(key, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(Role.Warehouse, found.Role);
        Assert.Equal("packing station", found.Name);
        await using var db = store.Db();
        Assert.False(await db.ApiKeys.AnyAsync(k => k.Hash == key), "only the hash is stored");
    }

    [Theory]
    [InlineData("create-api-key", "--role", "janitor")]
    [InlineData("create-api-key", "--role", "7")]
    [InlineData("create-api-key")]
    [InlineData("create-api-key", "--role")]
    [InlineData("migrate", "--bogus")]
    public async Task Wrong_usage_exits_with_2_and_says_what_is_wrong(params string[] args)
    {
        // No database is touched: usage is checked first (this one does not even exist).
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = "postgres", ["ConnectionStrings:Storekeep"] = "Host=127.0.0.1;Port=1;Timeout=1" };

        var (exitCode, output) = await RunAsync(settings, args);

        Assert.Equal(StorekeepCli.Usage, exitCode);
        Assert.Contains("error", output, StringComparison.OrdinalIgnoreCase);
        if (args.Contains("janitor"))
        {
            Assert.Contains("unknown role 'janitor'", output, StringComparison.Ordinal);
            Assert.Contains("owner, manager, sales, warehouse, support, marketing", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("migrate", "--help")]
    [InlineData("seed-demo", "--help")]
    [InlineData("create-api-key", "--help")]
    [InlineData("create-api-key", "-h")]
    [InlineData("rebuild-analytics", "--help")]
    public async Task Every_command_explains_itself_with_help(params string[] args)
    {
        var (exitCode, output) = await RunAsync(null, args);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        if (args[0] == "--help")
        {
            Assert.All(["migrate", "seed-demo", "create-api-key", "rebuild-analytics"], command => Assert.Contains(command, output, StringComparison.Ordinal));
        }
        else if (args[0] == "create-api-key")
        {
            Assert.Contains("--role", output, StringComparison.Ordinal);
            Assert.Contains("owner|manager|sales|warehouse|support|marketing", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Seed_demo_fills_an_empty_database_and_then_says_it_is_not_empty(string database)
    {
        await using var db = await TestDatabases.CreateAsync(database);
        var settings = Settings(db.Provider, db.ConnectionString);

        var (exitCode, output) = await RunAsync(settings, "seed-demo");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Seeded the demo store", output, StringComparison.Ordinal);
        await using var context = DatabaseSetup.CreateContext(db.Provider, db.ConnectionString);
        var orders = await context.Orders.CountAsync();
        Assert.True(orders > 3000);

        var (again, secondOutput) = await RunAsync(settings, "seed-demo");

        Assert.Equal(0, again);
        Assert.Contains("database is not empty", secondOutput, StringComparison.Ordinal);
        Assert.Equal(orders, await context.Orders.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Seed_demo_leaves_a_database_someone_has_started_using_alone(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            db.Categories.Add(new Category { Name = "Mine", Slug = "mine" });
            await db.SaveChangesAsync();
        }

        var (exitCode, output) = await RunAsync(Settings(store.Provider, store.ConnectionString), "seed-demo");

        Assert.Equal(0, exitCode);
        Assert.Contains("database is not empty", output, StringComparison.Ordinal);
        await using var check = store.Db();
        Assert.Equal(1, await check.Categories.CountAsync());
        Assert.Equal(0, await check.Products.CountAsync());
    }

    [Theory]
    [InlineData(true, "migrate")]
    [InlineData(true, "seed-demo")]
    [InlineData(true, "create-api-key", "--role", "owner")]
    [InlineData(true, "--help")]
    [InlineData(false)]
    [InlineData(false, "--urls", "http://localhost:5080")]
    [InlineData(false, "--Database:Provider", "postgres")]
    [InlineData(false, "migrations")]
    public void Only_real_commands_leave_the_server_behind(bool isCommand, params string[] args) =>
        Assert.Equal(isCommand, StorekeepCli.IsCommand(args));

    [GeneratedRegex(@"API key: (?<key>\S+)")]
    private static partial Regex ApiKeyPattern();
}

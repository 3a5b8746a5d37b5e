using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Demo;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Cli;

/// <summary>
/// The commands besides serving: <c>migrate</c>, <c>seed-demo</c>, <c>create-api-key</c>,
/// <c>rebuild-analytics</c>, <c>import</c>, <c>export</c>, <c>customers</c>, <c>orders</c>. They read
/// the same configuration as the server (appsettings, environment variables such as
/// <c>Database__Provider</c>). Exit codes: 0 done, 1 failed, 2 wrong usage.
/// </summary>
public static class StorekeepCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly string[] CommandNames = ["migrate", "seed-demo", "create-api-key", "rebuild-analytics", "import", "export", "customers", "orders"];
    private static readonly string[] RootOptions = ["--help", "-h", "-?", "--version"];

    /// <summary>Only real commands (and help/version): anything else, such as <c>--urls</c>, starts the server.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (CommandNames.Contains(args[0], StringComparer.Ordinal) || RootOptions.Contains(args[0], StringComparer.Ordinal));

    public static Task<int> RunAsync(string[] args) => RunAsync(args, configuration: null, output: null);

    /// <param name="args">The command line, command first.</param>
    /// <param name="configuration">Settings that win over appsettings and environment (tests use this to point at their database).</param>
    /// <param name="output">Where everything is written; the console when null.</param>
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? configuration, TextWriter? output, CancellationToken ct = default)
    {
        var writer = output ?? Console.Out;
        var console = CreateConsole(output);
        var root = BuildCommands(configuration, console, output);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                await writer.WriteLineAsync($"error: {error.Message}");
            }

            await writer.WriteLineAsync($"Run 'storekeep {(args.Length > 0 && CommandNames.Contains(args[0]) ? args[0] + " " : "")}--help' for usage.");
            return Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = writer, Error = writer, EnableDefaultExceptionHandler = false }, ct);
    }

    private static RootCommand BuildCommands(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, TextWriter? output)
    {
        var root = new RootCommand("Storekeep: a self-hosted commerce back end. Run without a command to serve the web app and the API.");

        var migrate = new Command("migrate", "Apply the database migrations to the configured database (Database:Provider, ConnectionStrings:Storekeep).");
        migrate.SetAction((_, ct) => GuardAsync(console, () => MigrateCommandAsync(configuration, console, ct)));
        root.Subcommands.Add(migrate);

        var seed = new Command("seed-demo", "Apply migrations, then seed the demo store (catalog, stock, customers, a year of orders) if the database is empty.");
        seed.SetAction((_, ct) => GuardAsync(console, () => SeedCommandAsync(configuration, console, ct)));
        root.Subcommands.Add(seed);

        var roleNames = Enum.GetValues<Role>().Select(Permissions.RoleName).ToArray();
        var role = new Option<string>("--role")
        {
            Description = $"What the key may do: {string.Join(", ", roleNames)}.",
            HelpName = string.Join('|', roleNames),
            Required = true,
        };
        var name = new Option<string?>("--name") { Description = "A label to tell keys apart (default: cli-<role>).", HelpName = "name" };
        var createKey = new Command("create-api-key", "Create an API key with a role and print it once.") { role, name };
        createKey.SetAction((parsed, ct) => GuardAsync(console, () => CreateKeyCommandAsync(configuration, console, parsed.GetValue(role), parsed.GetValue(name), ct)));
        root.Subcommands.Add(createKey);

        var rebuild = new Command("rebuild-analytics", "Recompute the dashboard's daily sales rollup from the orders and refunds (after a bulk load that bypassed the app).");
        rebuild.SetAction((_, ct) => GuardAsync(console, () => RebuildAnalyticsCommandAsync(configuration, console, ct)));
        root.Subcommands.Add(rebuild);
        CatalogCsvCommands.Add(root, configuration, console, output);
        OrderImportCommands.Add(root, configuration, console);
        CustomerCsvCommands.Add(root, configuration, console);
        OrderExportCommands.Add(root, configuration, console);
        return root;
    }

    private static async Task<int> MigrateCommandAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, CancellationToken ct)
    {
        await using var app = BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        console.MarkupLine($"Database: [bold]{Markup.Escape(Describe(app.Configuration))}[/]");
        var applied = await MigrateAsync(db, ct);
        console.MarkupLine(applied == 0
            ? "[green]The database schema is up to date.[/]"
            : $"[green]Applied {applied} migration(s).[/]");
        return Ok;
    }

    private static async Task<int> SeedCommandAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, CancellationToken ct)
    {
        await using var app = BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        console.MarkupLine($"Database: [bold]{Markup.Escape(Describe(app.Configuration))}[/]");
        var applied = await MigrateAsync(db, ct);
        if (applied > 0)
        {
            console.MarkupLine($"Applied {applied} migration(s).");
        }

        var seeder = scope.ServiceProvider.GetRequiredService<DemoStoreSeeder>();
        if (!await seeder.IsEmptyAsync(ct))
        {
            console.MarkupLine("[yellow]The database is not empty[/] (it already has products, orders, customers, categories or warehouses).");
            console.MarkupLine("The demo store is only seeded into an empty database; nothing was changed.");
            return Ok;
        }

        var result = await CliOutput.WithProgressAsync<DemoSeedProgress, DemoSeedResult>(
            console, "Building the demo store", p => (p.Stage, p.Done, p.Total), progress => seeder.SeedIfEmptyAsync(progress, ct));

        if (!result.Seeded)
        {
            console.MarkupLine("[yellow]The database is not empty[/] (another process seeded or wrote to it meanwhile); nothing was changed.");
            return Ok;
        }

        var table = new Table().AddColumn("Seeded").AddColumn(new TableColumn("Count").RightAligned());
        table.AddRow("Products", result.Products.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Variants", result.Variants.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Customers", result.Customers.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Orders", result.Orders.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Stock movements", result.StockMovements.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        var staff = scope.ServiceProvider.GetRequiredService<Storekeep.Accounts.StaffAccounts>();
        await staff.EnsureRolesAsync();
        var password = await DemoStaff.CreateAsync(staff, scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Storekeep.Accounts.UserAccount>>(), db, app.Configuration["Seed:DemoPassword"], scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, ct);
        await DemoMessages.AddRecentConfirmationsAsync(db, scope.ServiceProvider.GetRequiredService<Storekeep.Messaging.OrderEmails>(), ct);
        console.MarkupLine($"Demo back-office accounts: [bold]{DemoStaff.Email(Role.Owner)}[/] (and manager@, sales@, warehouse@, support@, marketing@), password [bold]{Markup.Escape(password)}[/]");
        console.MarkupLine($"Demo company buyer (shop sign-in, Wholesale prices, pays on terms): [bold]{DemoCredentials.BuyerEmail}[/], same password");
        console.MarkupLine($"[green]Seeded the demo store in {result.Elapsed.TotalSeconds:0.0} s[/] (built in memory in {result.BuildElapsed.TotalSeconds:0.0} s, written in {(result.Elapsed - result.BuildElapsed).TotalSeconds:0.0} s).");
        return Ok;
    }

    private static async Task<int> RebuildAnalyticsCommandAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, CancellationToken ct)
    {
        await using var app = BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        console.MarkupLine($"Database: [bold]{Markup.Escape(Describe(app.Configuration))}[/]");
        await MigrateAsync(db, ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var days = await scope.ServiceProvider.GetRequiredService<Storekeep.Analytics.DailySalesRollup>().RebuildAsync(ct);
        console.MarkupLine($"[green]Rebuilt the daily sales and KPI rollups[/]: {days.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} day(s) in {clock.Elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s.");
        clock.Restart();
        var emails = await scope.ServiceProvider.GetRequiredService<Storekeep.Customers.CustomerOrderStats>().RebuildAsync(ct);
        console.MarkupLine($"[green]Rebuilt the customers' order figures[/]: {emails.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} email(s) in {clock.Elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s.");
        return Ok;
    }

    private static async Task<int> CreateKeyCommandAsync(IReadOnlyDictionary<string, string?>? configuration, IAnsiConsole console, string? roleText, string? name, CancellationToken ct)
    {
        if (!Permissions.TryParseRole(roleText, out var role))
        {
            var roles = string.Join(", ", Enum.GetValues<Role>().Select(Permissions.RoleName));
            console.MarkupLine($"[red]error:[/] unknown role '{Markup.Escape(roleText ?? "")}'. Use one of: {roles}.");
            return Usage;
        }

        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            console.MarkupLine("[red]error:[/] --name must not be blank.");
            return Usage;
        }

        await using var app = BuildServices(configuration);
        await using var scope = app.Services.CreateAsyncScope();
        await MigrateAsync(scope.ServiceProvider.GetRequiredService<StorekeepDbContext>(), ct);
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync(name?.Trim() ?? $"cli-{Permissions.RoleName(role)}", role, ct);

        var table = new Table().AddColumn("API key").AddColumn("");
        table.AddRow("Name", Markup.Escape(created.Name));
        table.AddRow("Role", Permissions.RoleName(created.Role));
        table.AddRow("Prefix", Markup.Escape(created.Prefix));
        table.AddRow("Id", created.Id.ToString());
        table.AddRow("Created (UTC)", created.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
        console.WriteLine();
        console.MarkupLine($"API key: [bold]{Markup.Escape(created.Key)}[/]");
        console.WriteLine();
        console.MarkupLine("[yellow]Copy it now: it is not shown again[/] (only its hash is stored). Send it as 'Authorization: Bearer <key>'.");
        return Ok;
    }

    internal static async Task<int> MigrateAsync(StorekeepDbContext db, CancellationToken ct)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).Count();
        await DatabaseInitializer.MigrateAsync(db, ct);
        return pending;
    }

    /// <summary>Turns failures the operator can fix (database unreachable, bad settings) into a message and exit code 1.</summary>
    internal static async Task<int> GuardAsync(IAnsiConsole console, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is InvalidOperationException or DbUpdateException or NpgsqlException or SqliteException or IOException)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.GetBaseException().Message)}");
            return Failed;
        }
    }

    /// <summary>The server's own configuration sources and services, without starting the server.</summary>
    internal static WebApplication BuildServices(IReadOnlyDictionary<string, string?>? configuration)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None); // failures are reported once, by GuardAsync
        builder.Services.AddStorekeep(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Where the commands act, without the password.</summary>
    private static string Describe(IConfiguration configuration)
    {
        var (provider, connectionString) = DatabaseSetup.Resolve(configuration);
        if (provider == DatabaseProvider.Postgres)
        {
            var pg = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL {pg.Host}:{pg.Port}/{pg.Database}";
        }

        return $"SQLite {new SqliteConnectionStringBuilder(connectionString).DataSource}";
    }

    private static IAnsiConsole CreateConsole(TextWriter? output)
    {
        if (output is null)
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;
        return console;
    }
}

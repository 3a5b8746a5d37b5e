using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Payments;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// One Storekeep instance over its own fresh database, hosted in-process. Each test builds its own,
/// so any test passes alone. <see cref="Client"/> carries the owner's bootstrap API key.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    public const string OwnerKey = "sk_test_owner_key_for_tests";

    private readonly StoreFactory _factory;
    private readonly TestDatabase _database;

    private TestStore(StoreFactory factory, TestDatabase database, HttpClient client, HttpClient anonymous)
    {
        _factory = factory;
        _database = database;
        Client = client;
        Anonymous = anonymous;
    }

    /// <summary>Authenticated as the owner.</summary>
    public HttpClient Client { get; }

    /// <summary>No API key: what a shopper's browser or an attacker sends.</summary>
    public HttpClient Anonymous { get; }

    public IServiceProvider Services => _factory.Services;
    public DatabaseProvider Provider => _database.Provider;
    public string ConnectionString => _database.ConnectionString;
    public TestPaymentGateway Gateway => Services.GetRequiredService<TestPaymentGateway>();

    /// <param name="database"><see cref="TestDatabases.Sqlite"/> or <see cref="TestDatabases.Postgres"/>.</param>
    /// <param name="kestrel">Serve over a real loopback socket (for concurrency over HTTP).</param>
    /// <param name="settings">Extra configuration, e.g. <c>["Seed:Demo"] = "true"</c>.</param>
    /// <param name="services">Replaces services, e.g. a payment gateway that fails on purpose.</param>
    public static async Task<TestStore> StartAsync(string database, bool kestrel = false, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var db = await TestDatabases.CreateAsync(database);
        return await StartOnAsync(db, kestrel, settings, services);
    }

    /// <summary>A store on a database made elsewhere (e.g. <see cref="TestReplica"/>'s primary); disposing the store drops it as the database says.</summary>
    public static Task<TestStore> StartOnAsync(TestDatabase database, IDictionary<string, string?>? settings = null) =>
        StartOnAsync(database, kestrel: false, settings);

    /// <summary>
    /// Another node on this store's database (a second app server): its own host, services and
    /// background workers. Disposing it leaves the database to the first store.
    /// </summary>
    public Task<TestStore> StartAnotherNodeAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        StartOnAsync(new TestDatabase(_database.Provider, _database.ConnectionString, () => Task.CompletedTask), kestrel: false, settings, services);

    private static async Task<TestStore> StartOnAsync(TestDatabase db, bool kestrel, IDictionary<string, string?>? settings, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Database:Provider"] = db.ProviderSetting,
            ["ConnectionStrings:Storekeep"] = db.ConnectionString,
            ["Seed:Demo"] = "false",
            ["Bootstrap:ApiKey"] = OwnerKey,
            ["RateLimiting:PublicRequestsPerMinute"] = "100000",
            ["RateLimiting:SignInPerMinute"] = "100000",
            ["Webhooks:RetryBaseMilliseconds"] = "100",
            ["Webhooks:AllowPrivateNetworks"] = "true", // test receivers listen on loopback; WebhookAddressPolicyTests turn it off
            ["Webhooks:RetryMaxMilliseconds"] = "1000",
            ["Events:PollMilliseconds"] = "100",
            ["Events:Subscribers:daily-sales:PauseSeconds"] = "0", // tests read reports right after the events; EventSubscriberTests check the pause
            ["Planning:ReorderPoints:IntervalHours"] = "0", // tests refresh reorder points themselves, never behind a fingerprint's back
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Error",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new StoreFactory(all, TestContext.Current.TestOutputHelper, services);
        if (kestrel)
        {
            factory.UseKestrel(0);
            factory.StartServer();
        }

        var anonymous = factory.CreateClient();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OwnerKey);
        return new TestStore(factory, db, client, anonymous);
    }

    /// <summary>A client holding a fresh API key of <paramref name="role"/>.</summary>
    public async Task<HttpClient> ClientForAsync(Role role)
    {
        await using var scope = Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync($"test-{role}", role, CancellationToken.None);
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return client;
    }

    public HttpClient CreateClient() => _factory.CreateClient();

    /// <summary>Runs the <c>storekeep</c> command line against this store's database; its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> RunCliAsync(params string[] args)
    {
        await using var output = new StringWriter();
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = _database.ProviderSetting,
            ["ConnectionStrings:Storekeep"] = _database.ConnectionString,
        };
        var exitCode = await Storekeep.Web.Cli.StorekeepCli.RunAsync(args, settings, output, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString());
    }

    public HttpClient CreateBrowserClient(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions options) => _factory.CreateClient(options);

    /// <summary>A fresh DbContext on this store's database, to check what really was written.</summary>
    public StorekeepDbContext Db() => DatabaseSetup.CreateContext(_database.Provider, _database.ConnectionString);

    /// <summary>Waits until every event raised so far is published and handled by every event subscriber (loyalty, analytics…).</summary>
    public Task SubscribersCaughtUpAsync(int seconds = 60) => Eventually.HoldsAsync(async () =>
    {
        await using var db = Db();
        if (await db.OutboxEvents.AnyAsync(e => e.Position == null))
        {
            return false;
        }

        var last = await db.OutboxEvents.MaxAsync(e => e.Position) ?? 0;
        return await db.Set<Storekeep.Events.EventSubscription>().AllAsync(s => s.Position >= last);
    }, "every event subscriber to catch up with the events raised", seconds);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }

    private sealed class StoreFactory(IDictionary<string, string?> settings, ITestOutputHelper? output, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseEnvironment("Testing");
            builder.ConfigureLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        }
    }
}

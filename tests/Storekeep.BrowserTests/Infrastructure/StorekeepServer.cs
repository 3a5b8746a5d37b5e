using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>
/// A real Storekeep server on a loopback port (Kestrel), over a fresh SQLite file seeded with the
/// demo store, shared by the browser tests of one class. Chromium talks to it over HTTP.
/// </summary>
public sealed class StorekeepServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "storekeep-browser-" + Guid.NewGuid().ToString("N"));
    private Factory? _factory;

    public string BaseUrl { get; private set; } = "";

    public IServiceProvider Services => _factory!.Services;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _factory = new Factory(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Storekeep"] = $"Data Source={Path.Combine(_directory, "storekeep.db")}",
            ["Seed:Demo"] = "true",
            ["RateLimiting:PublicRequestsPerMinute"] = "100000",
            ["RateLimiting:SignInPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Error",
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        using var client = _factory.CreateClient();
        BaseUrl = client.BaseAddress!.ToString().TrimEnd('/');
        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing background task; the temp folder is cleaned eventually.
        }
    }

    private sealed class Factory(IDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseEnvironment("Testing");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>
/// A real Storekeep server on a loopback port (Kestrel), over a fresh SQLite file seeded with the
/// demo store, shared by the browser tests of one class. Chromium talks to it over HTTP.
/// </summary>
public class StorekeepServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "storekeep-browser-" + Guid.NewGuid().ToString("N"));
    private Factory? _factory;

    public string BaseUrl { get; private set; } = "";

    public IServiceProvider Services => _factory!.Services;

    /// <summary>The demo staff password: random for this database, as a real start prints it.</summary>
    public string StaffPassword => Services.GetRequiredService<Storekeep.Web.Hosting.DemoSignIn>().Password
        ?? throw new InvalidOperationException("The demo store has no staff password: was it seeded?");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Storekeep"] = $"Data Source={Path.Combine(_directory, "storekeep.db")}",
            ["Seed:Demo"] = "true",
            ["RateLimiting:PublicRequestsPerMinute"] = "100000",
            ["RateLimiting:SignInPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Error",
        };
        foreach (var (key, value) in await MoreSettingsAsync())
        {
            settings[key] = value;
        }

        _factory = new Factory(settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        using var client = _factory.CreateClient();
        BaseUrl = client.BaseAddress!.ToString().TrimEnd('/');
    }

    /// <summary>The path and query of the link in the latest <paramref name="type"/> email queued for <paramref name="to"/>.</summary>
    public async Task<string> LinkInLatestMessageAsync(string type, string to, string pathPrefix)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Storekeep.Data.StorekeepDbContext>();
        var text = await db.Messages.AsNoTracking().Where(m => m.Type == type && m.To == to.ToLowerInvariant())
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => m.TextBody).FirstOrDefaultAsync()
            ?? throw new InvalidOperationException($"No {type} email to {to}.");
        return PathOfLink(text, pathPrefix);
    }

    /// <summary>The first link to <paramref name="pathPrefix"/> in an email's text, without the store's public address.</summary>
    public static string PathOfLink(string text, string pathPrefix) =>
        System.Text.RegularExpressions.Regex.Matches(text, "https?://[^\\s\"<>]+").Select(m => new Uri(m.Value).PathAndQuery)
            .FirstOrDefault(p => p.StartsWith(pathPrefix, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"No link to {pathPrefix} in:\n{text}");

    /// <summary>Settings a derived fixture adds on top of (or instead of) the defaults, after starting what they name (an SMTP server).</summary>
    protected virtual ValueTask<IDictionary<string, string?>> MoreSettingsAsync() => ValueTask.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());

    public virtual async ValueTask DisposeAsync()
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

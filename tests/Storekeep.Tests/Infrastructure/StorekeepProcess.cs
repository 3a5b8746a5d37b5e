using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// The built <c>storekeep</c> server as a child process on a loopback port, over a test database:
/// what a crash test can kill outright (SIGKILL on Linux) and start again on the same database.
/// Its console output is kept for the test to read or scan.
/// </summary>
public sealed class StorekeepProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly int _firstLine;

    private StorekeepProcess(Process process, Uri address, ConcurrentQueue<string> output, int firstLine)
    {
        _process = process;
        Address = address;
        _output = output;
        _firstLine = firstLine;
    }

    public Uri Address { get; }
    public int ProcessId => _process.Id;

    /// <summary>Starts the server and waits until <c>/health</c> answers 200.</summary>
    /// <param name="output">Collects every line the process writes, across restarts.</param>
    public static async Task<StorekeepProcess> StartAsync(TestDatabase database, ConcurrentQueue<string> output, IDictionary<string, string?>? settings = null)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "storekeep.dll");
        Assert.True(File.Exists(assembly), $"{assembly} is missing: the test project copies the server's build output next to its own.");
        var port = FreeLoopbackPort.Next();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = database.ProviderSetting,
            ["ConnectionStrings__Storekeep"] = database.ConnectionString,
            ["Seed__Demo"] = "false",
            ["Bootstrap__ApiKey"] = TestStore.OwnerKey,
            ["RateLimiting__PublicRequestsPerMinute"] = "100000",
            ["Webhooks__RetryBaseMilliseconds"] = "100",
            ["Webhooks__AllowPrivateNetworks"] = "true", // the suites' receivers listen on loopback
            ["Webhooks__RetryMaxMilliseconds"] = "1000",
            ["Events__PollMilliseconds"] = "100",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Error",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var firstLine = output.Count;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        Assert.True(process.Start(), "The storekeep process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new StorekeepProcess(process, new Uri($"http://127.0.0.1:{port}"), output, firstLine);
        await server.WaitUntilHealthyAsync();
        return server;
    }

    /// <summary>SIGKILL to the process: no shutdown hooks, no flushing, nothing graceful.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(15) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"storekeep (pid {_process.Id}) exited with {_process.ExitCode} after {waited.Elapsed.TotalSeconds:0.0} s, before answering:{Environment.NewLine}{string.Join(Environment.NewLine, _output.Skip(_firstLine))}");
            }

            try
            {
                using var response = await client.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, still starting.
            }

            Assert.True(DateTime.UtcNow < deadline, $"storekeep did not become healthy within 120 s:{Environment.NewLine}{string.Join(Environment.NewLine, _output.Skip(_firstLine))}");
            await Task.Delay(100);
        }
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }
}

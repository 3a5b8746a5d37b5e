using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Storekeep.Bench;

/// <summary>
/// The real storekeep app as a child process on a free loopback port. Disposing kills the whole
/// process tree; so does the bench exiting (ProcessExit / Ctrl+C hooks), so no server outlives a run.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    /// <summary>STOREKEEP_BENCH_SERVER_LOG=&lt;file&gt; keeps the server's whole output there (for profiling runs).</summary>
    private readonly StreamWriter? log = Environment.GetEnvironmentVariable("STOREKEEP_BENCH_SERVER_LOG") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true }
        : null;

    private ServerProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>CPU the server process has used so far (user + system), to tell app work from waiting on the database.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public static Task<ServerProcess> StartAsync(string connectionString, CancellationToken ct) => StartAsync(connectionString, null, ct);

    /// <summary>Starts the server with extra settings (<c>Section__Key</c> environment variables).</summary>
    public static async Task<ServerProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings, CancellationToken ct)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var info = StartInfo(connectionString, ["--urls", url]);
        info.Environment["RateLimiting__PublicRequestsPerMinute"] = "100000000";

        // The reorder-point refresh runs a minute after start and then every six hours: at the bench's
        // start-up that minute lands inside a scenario's measured phase, which a store's six-hourly
        // run would not. It is held past the run instead (a scenario's settings may still change it).
        info.Environment["Planning__ReorderPoints__FirstDelaySeconds"] = "86400";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        // STOREKEEP_BENCH_SERVER_ENV="NAME=value;NAME2=value2" reaches only the server (profiling knobs).
        foreach (var pair in (Environment.GetEnvironmentVariable("STOREKEEP_BENCH_SERVER_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                info.Environment[pair[..equals].Trim()] = pair[(equals + 1)..];
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the storekeep server.");
        var server = new ServerProcess(process, new Uri(url + "/"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        Console.CancelKeyPress += (_, _) => server.Kill();

        try
        {
            await server.WaitHealthyAsync(ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Runs a command of the server's CLI (<c>storekeep.dll create-api-key …</c>) against
    /// <paramref name="connectionString"/> with the server's environment; returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(string connectionString, IEnumerable<string> args, CancellationToken ct)
    {
        var info = StartInfo(connectionString, args);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["COLUMNS"] = "200";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the storekeep CLI.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs a CLI command that must succeed; its output.</summary>
    public static async Task<string> RunCommandOrThrowAsync(string connectionString, IEnumerable<string> args, CancellationToken ct)
    {
        var (exitCode, output) = await RunCommandAsync(connectionString, args, ct);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"storekeep {string.Join(' ', args)} exited with {exitCode}:{Environment.NewLine}{output}");
    }

    /// <summary>An owner API key made by the server's own <c>create-api-key</c> command.</summary>
    public static async Task<string> CreateApiKeyAsync(string connectionString, CancellationToken ct)
    {
        var output = await RunCommandOrThrowAsync(connectionString, ["create-api-key", "--role", "owner", "--name", "bench"], ct);
        var match = ApiKeyLine().Match(output);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException($"create-api-key printed no key:{Environment.NewLine}{output}");
    }

    /// <summary>storekeep.dll with <paramref name="args"/>, on PostgreSQL at <paramref name="connectionString"/>, quiet, no demo data.</summary>
    private static ProcessStartInfo StartInfo(string connectionString, IEnumerable<string> args)
    {
        var dll = FindServerAssembly();
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Database__Provider"] = "postgres";
        info.Environment["ConnectionStrings__Storekeep"] = connectionString;
        info.Environment["Seed__Demo"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return info;
    }

    public string RecentOutput()
    {
        lock (output)
        {
            return string.Join(Environment.NewLine, output.TakeLast(40));
        }
    }

    /// <summary>The most memory the server has held resident so far (Linux: VmHWM), in bytes; 0 once it has exited.</summary>
    public long PeakWorkingSet
    {
        get
        {
            try
            {
                process.Refresh();
                return process.HasExited ? 0 : process.PeakWorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary>Every scenario's servers report their peak working set when they stop (issue: the checkout server stays under 400 MB).</summary>
    public ValueTask DisposeAsync()
    {
        if (PeakWorkingSet is > 0 and var peak)
        {
            Console.WriteLine($"server {BaseAddress.Authority}: peak working set {peak / (1024.0 * 1024.0):0} MB");
        }

        Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            log?.WriteLine(line);
            output.Add(line);
            if (output.Count > 200)
            {
                output.RemoveAt(0);
            }
        }
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The storekeep server exited with {process.ExitCode}:{Environment.NewLine}{RecentOutput()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow start.
            }

            await Task.Delay(250, ct);
        }

        throw new TimeoutException($"The storekeep server was not healthy within 60 s:{Environment.NewLine}{RecentOutput()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The Release build of src/Storekeep.Web, found from the bench's own location upwards.</summary>
    internal static string FindServerAssembly()
    {
        var configured = Environment.GetEnvironmentVariable("STOREKEEP_BENCH_SERVER");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Storekeep.Web", "bin", "Release", "net10.0", "storekeep.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            "storekeep.dll not found: build it first (dotnet build -c Release src/Storekeep.Web) or set STOREKEEP_BENCH_SERVER.");
    }

    [GeneratedRegex(@"API key:\s*(sk_\S+)")]
    private static partial Regex ApiKeyLine();
}

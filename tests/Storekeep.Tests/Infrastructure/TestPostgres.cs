using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// The one place that decides where the PostgreSQL cases run. <c>STOREKEEP_TEST_POSTGRES</c>, when
/// set, names a server. Otherwise, when Debian's <c>postgresql</c> package is installed, the first
/// PostgreSQL case starts a private throwaway cluster from its binaries: <c>initdb</c> into
/// <c>/tmp/storekeep-pg-&lt;pid&gt;-…</c>, <c>postgres</c> on a free 127.0.0.1 port, stopped and removed
/// when the test process exits. Without the package the PostgreSQL cases skip (under CI=true they fail).
/// </summary>
public static class TestPostgres
{
    public const string Variable = "STOREKEEP_TEST_POSTGRES";
    public const string Missing = "PostgreSQL is not available: install Debian's postgresql package (apt-get install postgresql) or set " + Variable + ".";

    internal const string FolderPrefix = "storekeep-pg-";
    internal const string PostgresUser = "postgres";

    // The runs are parallel and every test database has its own pool of up to 50 connections.
    private const int MaxPoolSize = 50;
    private const int MaxConnections = 500;

    private static readonly Lazy<Task<string>> Cluster = new(() => Task.Run(() => StartCluster().ConnectionString), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A private cluster: its binaries, its folder (data in <c>folder/data</c>) and a superuser connection string.</summary>
    internal sealed record PrivateCluster(string Binaries, string Folder, string ConnectionString);

    /// <summary>True when the cases run on the private cluster, which goes away with the test process.</summary>
    public static bool IsPrivateCluster => Configured is null;

    private static string? Configured => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    /// <summary>A connection string to a server the test may create databases on; skips the test when there is none.</summary>
    public static async Task<string> ServerAsync()
    {
        if (Configured is { } configured)
        {
            return configured;
        }

        if (FindBinaries() is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"CI=true: PostgreSQL tests must run in CI. {Missing}");
            }

            Assert.Skip(Missing);
        }

        return await Cluster.Value;
    }

    /// <summary>The newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, else a PATH folder, that holds initdb, pg_ctl and postgres.</summary>
    internal static string? FindBinaries()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .Select(folder => (Folder: folder, Version: Version.TryParse(Versioned(Path.GetFileName(folder)), out var v) ? v : null))
                .Where(c => c.Version is not null)
                .OrderByDescending(c => c.Version)
                .Select(c => Path.Combine(c.Folder, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(folder => new[] { "initdb", "pg_ctl", "postgres" }.All(tool => Present(Path.Combine(folder, tool))));

        static string Versioned(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";

        // File.Exists is true for a dangling symlink (a PATH link into a removed package).
        static bool Present(string path)
        {
            var file = new FileInfo(path);
            return file.LinkTarget is null ? file.Exists : file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
        }
    }

    /// <summary>Starts a private cluster (removed at process exit); <see cref="TestReplica"/> starts its own for a primary and standby.</summary>
    internal static PrivateCluster StartCluster()
    {
        var binaries = FindBinaries();
        if (binaries is null || !OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException(Missing);
        }

        RemoveStaleClusters(binaries);

        var folder = Path.Combine("/tmp", $"{FolderPrefix}{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(binaries, folder);
        try
        {
            if (RunsAsRoot)
            {
                // initdb and postgres refuse to run as root: the cluster belongs to the package's postgres user.
                Run("chown", [$"{PostgresUser}:", folder], asPostgres: false, folder);
            }

            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var passwordFile = Path.Combine(folder, "password");
            File.WriteAllText(passwordFile, password + "\n");
            if (RunsAsRoot)
            {
                Run("chown", [PostgresUser, passwordFile], asPostgres: false, folder);
            }

            Run(Path.Combine(binaries, "initdb"),
                ["-D", data, "-U", PostgresUser, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C", "--no-sync"],
                asPostgres: true, folder);
            File.Delete(passwordFile);

            // A throwaway cluster: durability is worth nothing here, speed is.
            File.AppendAllText(Path.Combine(data, "postgresql.conf"), string.Join('\n',
                "",
                "listen_addresses = '127.0.0.1'",
                $"unix_socket_directories = '{folder}'",
                $"max_connections = {MaxConnections}",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                ""));

            // Another process may take the free port before postgres binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort.Next();
                try
                {
                    Run(Path.Combine(binaries, "pg_ctl"),
                        ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", $"-p {port}", "-w", "-t", "60", "start"],
                        asPostgres: true, folder);
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    continue;
                }

                return new PrivateCluster(binaries, folder, new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = PostgresUser,
                    Password = password,
                    MaxPoolSize = MaxPoolSize,
                }.ConnectionString);
            }
        }
        catch (InvalidOperationException e)
        {
            var log = Path.Combine(folder, "server.log");
            var tail = File.Exists(log) ? "\nserver log:\n" + string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
            throw new InvalidOperationException($"Could not start a private PostgreSQL cluster from {binaries}: {e.Message}{tail}", e);
        }
    }

    /// <summary>Clusters left by test processes that were killed: their postmaster may still run.</summary>
    private static void RemoveStaleClusters(string binaries)
    {
        foreach (var folder in Directory.GetDirectories("/tmp", FolderPrefix + "*"))
        {
            var owner = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            Remove(binaries, folder);
        }
    }

    /// <summary>Stops the cluster in <c>folder/data</c> (and a standby in <c>folder/replica</c>, see <see cref="TestReplica"/>) and deletes the folder.</summary>
    internal static void Remove(string binaries, string folder)
    {
        foreach (var data in new[] { Path.Combine(folder, "replica"), Path.Combine(folder, "data") })
        {
            try
            {
                if (File.Exists(Path.Combine(data, "postmaster.pid")))
                {
                    Run(Path.Combine(binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], asPostgres: true, folder);
                }
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder goes all the same.
            }
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's leftover, or a file in use: not this run's concern.
        }
    }

    internal static bool RunsAsRoot => Environment.UserName == "root";

    internal static void Run(string program, IReadOnlyList<string> arguments, bool asPostgres, string workingDirectory)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres && RunsAsRoot ? "runuser" : program,
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && RunsAsRoot)
        {
            foreach (var prefix in new[] { "-u", PostgresUser, "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish within two minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{errors.Result}");
        }
    }
}

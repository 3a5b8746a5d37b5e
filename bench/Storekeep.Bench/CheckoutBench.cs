using System.Collections.Concurrent;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// The shared shape of the checkout scenarios: fresh database, the real app as a child process
/// (it migrates), bulk-seeded stock, then for each client count the app over HTTP and the raw
/// statements, a table, and <c>&lt;scenario&gt;: ratio=&lt;x&gt;</c> (app ÷ raw throughput, the
/// lowest across client counts).
/// </summary>
public static class CheckoutBench
{
    public static readonly int[] ClientCounts = [8, 32];

    public static PhaseTimes Times(bool quick) => quick
        ? new PhaseTimes(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10))
        : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    public static PhaseTimes CartTimes(bool quick) => quick
        ? new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5))
        : new PhaseTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));

    public static async Task<int> RunAsync(string scenario, int skuCount, long stockPerSku, Func<IReadOnlyList<string>, SkuPicker> picker, bool quick, CancellationToken ct)
    {
        var times = Times(quick);
        AnsiConsole.MarkupLineInterpolated($"[bold]{scenario}[/]: {skuCount:N0} SKUs, clients {string.Join(" and ", ClientCounts)}, warm-up {times.Warmup.TotalSeconds} s, measured {times.Measure.TotalSeconds} s per phase");

        await using var database = await BenchDatabase.CreateAsync(ct);
        AnsiConsole.MarkupLineInterpolated($"database {database.Name}");
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, ct);
        AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
        var seeded = DateTime.UtcNow;
        var skus = await database.SeedAsync(skuCount, stockPerSku, ct);
        AnsiConsole.MarkupLineInterpolated($"seeded {skus.Count:N0} SKUs × {stockPerSku:N0} units in {(DateTime.UtcNow - seeded).TotalSeconds:0.0} s");
        var pick = picker(skus);

        // Both sides check out carts written straight into the database beforehand, so each phase
        // measures checkouts alone; cart building over HTTP is its own phase.
        var cartCount = quick ? 8_000 : 25_000;
        var random = new Random(42);
        var carts = new ConcurrentQueue<PrebuiltCart>(await database.PrebuildCartsAsync(Enumerable.Range(0, cartCount).Select(_ => pick(random)), ct));
        var rawCarts = new ConcurrentQueue<PrebuiltCart>(await database.PrebuildCartsAsync(Enumerable.Range(0, cartCount).Select(_ => pick(random)), ct));
        AnsiConsole.MarkupLineInterpolated($"prepared {cartCount:N0} carts for each side");

        // A cold server spends its first seconds compiling; on a busy 2-core box that is longer
        // than a warm-up phase, so every path runs untimed first.
        AnsiConsole.MarkupLine("warming up (untimed)…");
        var prewarm = new PhaseTimes(TimeSpan.FromSeconds(quick ? 4 : 8), TimeSpan.Zero);
        await CheckoutWorkload.RunAppCartBuildingAsync(server.BaseAddress, 4, pick, prewarm, ct);
        await CheckoutWorkload.RunAppCheckoutsAsync(server.BaseAddress, 4, carts, prewarm, ct);
        await CheckoutWorkload.RunRawAsync(database.ConnectionString, database.WarehouseId, 4, rawCarts, new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.Zero), ct);

        var rows = new List<PhaseResult>();
        var ratios = new List<(int Clients, double Ratio)>();
        foreach (var clients in ClientCounts)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app cart building over HTTP…");
            var building = await CheckoutWorkload.RunAppCartBuildingAsync(server.BaseAddress, clients, pick, CartTimes(quick), ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app checkouts over HTTP…");
            var checkout = await CheckoutWorkload.RunAppCheckoutsAsync(server.BaseAddress, clients, carts, times, ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: raw statements through Npgsql…");
            var raw = await CheckoutWorkload.RunRawAsync(database.ConnectionString, database.WarehouseId, clients, rawCarts, times, ct);
            rows.AddRange([checkout, raw, building]);
            ratios.Add((clients, raw.Throughput > 0 ? checkout.Throughput / raw.Throughput : 0));
        }

        Print(rows);
        foreach (var (clients, ratio) in ratios)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app/raw = {ratio:0.00}");
        }

        var overall = ratios.Min(r => r.Ratio);
        Console.WriteLine(FormattableString.Invariant($"{scenario}: ratio={overall:0.00}"));
        return 0;
    }

    private static void Print(IEnumerable<PhaseResult> rows)
    {
        var table = new Table().AddColumns("phase", "clients", "ops", "throughput/s", "p50 ms", "p99 ms", "errors");
        foreach (var row in rows)
        {
            table.AddRow(
                row.Name,
                row.Clients.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.Latencies.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.Throughput.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                row.Latencies.Percentile(50).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                row.Latencies.Percentile(99).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
                row.Latencies.Errors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        foreach (var row in rows.Where(r => r.Latencies.FirstError is not null))
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]{row.Name}, {row.Clients} clients, first failure: {row.Latencies.FirstError}[/]");
        }
    }
}

using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// The shared shape of the checkout scenarios: a <see cref="CheckoutRig"/>, then for each client
/// count the app over HTTP and the raw statements, a table, and <c>&lt;scenario&gt;: ratio=&lt;x&gt;</c> (app ÷ raw throughput, the
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

    /// <summary>The checkout server's resident memory limit (issue 16).</summary>
    public const int MemoryTargetMegabytes = 400;

    public static async Task<int> RunAsync(string scenario, int skuCount, long stockPerSku, Func<IReadOnlyList<string>, SkuPicker> picker, bool quick, CancellationToken ct)
    {
        var times = Times(quick);
        AnsiConsole.MarkupLineInterpolated($"[bold]{scenario}[/]: {skuCount:N0} SKUs, clients {string.Join(" and ", ClientCounts)}, warm-up {times.Warmup.TotalSeconds} s, measured {times.Measure.TotalSeconds} s per phase");

        await using var rig = await CheckoutRig.StartAsync(skuCount, stockPerSku, picker, cartsPerSide: quick ? 8_000 : 25_000, ct);
        await rig.WarmUpAsync(quick, ct);
        var (server, database, carts, rawCarts, pick) = (rig.Server, rig.Database, rig.AppCarts, rig.RawCarts, rig.Pick);

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
        Console.WriteLine(FormattableString.Invariant($"{scenario}: server peak working set {server.PeakWorkingSet / (1024.0 * 1024.0):0} MB (target: under {MemoryTargetMegabytes} MB)"));
        Console.WriteLine(FormattableString.Invariant($"{scenario}: ratio={overall:0.00}"));
        return 0;
    }

    public static void Print(IEnumerable<PhaseResult> rows)
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

using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// The shared shape of the checkout scenarios: a <see cref="CheckoutRig"/>, then for each client
/// count the app over HTTP, the minimal transaction (<see cref="MinimalCheckout"/>, the physical
/// limit) and the app's own statements sent raw, a table, then <c>&lt;scenario&gt;: ratio vs same
/// statements=&lt;x&gt;</c> and, last, <c>&lt;scenario&gt;: ratio=&lt;x&gt;</c> (app ÷ minimal limit
/// throughput; each the lowest across client counts). The run fails if the stock check does.
/// </summary>
public static class CheckoutBench
{
    public static readonly int[] ClientCounts = [8, 32];

    // --quick: the whole run within two minutes (issue 16), drains between phases included.
    public static PhaseTimes Times(bool quick) => quick
        ? new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8))
        : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    public static PhaseTimes CartTimes(bool quick) => quick
        ? new PhaseTimes(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4))
        : new PhaseTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));

    /// <summary>The checkout server's resident memory limit (issue 16).</summary>
    public const int MemoryTargetMegabytes = 400;

    /// <summary>The targets of issue 16: app ÷ minimal limit, per scenario.</summary>
    public const double Target = 0.25;

    public static async Task<int> RunAsync(string scenario, int skuCount, long stockPerSku, Func<IReadOnlyList<string>, SkuPicker> picker, bool quick, CancellationToken ct)
    {
        var times = Times(quick);
        AnsiConsole.MarkupLineInterpolated($"[bold]{scenario}[/]: {skuCount:N0} SKUs, clients {string.Join(" and ", ClientCounts)}, warm-up {times.Warmup.TotalSeconds} s, measured {times.Measure.TotalSeconds} s per phase");

        // The minimal transaction measured ~2,000/s by hand on a quiet machine: enough carts for that
        // rate over both client counts' phases and the warm-up, so a fast phase never runs dry.
        var minimalCarts = (int)((times.Warmup + times.Measure).TotalSeconds * 2_500 * ClientCounts.Length) + 10_000;
        // The app and the same statements raw: up to ~500/s each once the phases are drained of each
        // other's events (the raw side ran out of 8,000 carts at 32 clients in a quick run).
        var cartsPerSide = (int)((times.Warmup + times.Measure).TotalSeconds * 500 * ClientCounts.Length) + 2_000;
        await using var rig = await CheckoutRig.StartAsync(skuCount, stockPerSku, picker, cartsPerSide, minimalCarts, ct);
        await rig.ProbeMinimalGuardAsync(ct);
        await rig.WarmUpAsync(quick, ct);
        var (server, database, carts, rawCarts, pick) = (rig.Server, rig.Database, rig.AppCarts, rig.RawCarts, rig.Pick);

        var rows = new List<PhaseResult>();
        var ratios = new List<(int Clients, double Limit, double Same)>();
        foreach (var clients in ClientCounts)
        {
            await rig.DrainEventsAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app cart building over HTTP…");
            var building = await CheckoutWorkload.RunAppCartBuildingAsync(server.BaseAddress, clients, pick, CartTimes(quick), ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app checkouts over HTTP…");
            var checkout = await CheckoutWorkload.RunAppCheckoutsAsync(server.BaseAddress, clients, carts, times, ct);
            await rig.DrainEventsAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: minimal transaction (the physical limit) through Npgsql…");
            var minimal = await MinimalCheckout.RunAsync(database.ConnectionString, database.WarehouseId, clients, rig.MinimalCarts, times, ct);
            await rig.DrainEventsAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: the app's statements raw through Npgsql…");
            var raw = await CheckoutWorkload.RunRawAsync(database.ConnectionString, database.WarehouseId, clients, rawCarts, times, ct);
            rows.AddRange([checkout, minimal, raw, building]);
            ratios.Add((clients, Ratio(checkout, minimal), Ratio(checkout, raw)));
        }

        Print(rows);
        foreach (var (clients, limit, same) in ratios)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app/minimal limit = {limit:0.00} (target ≥ {Target:0.00}), app/same statements = {same:0.00}");
        }

        var failure = await rig.VerifyStockAsync(ct);
        Console.WriteLine(FormattableString.Invariant($"{scenario}: server peak working set {server.PeakWorkingSet / (1024.0 * 1024.0):0} MB (target: under {MemoryTargetMegabytes} MB)"));
        Console.WriteLine(FormattableString.Invariant($"{scenario}: ratio vs same statements={ratios.Min(r => r.Same):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"{scenario}: ratio={ratios.Min(r => r.Limit):0.00}"));
        if (failure is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failure}[/]");
            return 1;
        }

        return 0;
    }

    private static double Ratio(PhaseResult app, PhaseResult baseline) =>
        baseline.Throughput > 0 ? app.Throughput / baseline.Throughput : 0;

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

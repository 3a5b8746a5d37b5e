using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Latency under a realistic load: first the app's saturation throughput (closed loop, 8 clients)
/// and one client's raw checkout transaction latency, then checkouts arriving at a constant rate of
/// half that saturation (open loop). Ratio = open-loop p99 ÷ single-client raw p50.
/// </summary>
public static class LatencyScenario
{
    public const string Name = "latency";

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var saturation = quick ? new PhaseTimes(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        var single = quick ? new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)) : new PhaseTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        var open = quick ? new PhaseTimes(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: 3 random SKUs of 10,000 per order; saturation {saturation.Measure.TotalSeconds} s, single-client raw {single.Measure.TotalSeconds} s, open loop {open.Measure.TotalSeconds} s");

        await using var rig = await CheckoutRig.StartAsync(10_000, 1_000_000, skus => random => CheckoutScenario.Pick(skus, random), cartsPerSide: quick ? 6_000 : 20_000, ct);
        await rig.WarmUpAsync(quick, ct);

        AnsiConsole.MarkupLine("saturation: app checkouts, 8 clients, closed loop…");
        var saturated = await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, 8, rig.AppCarts, saturation, ct);
        AnsiConsole.MarkupLine("one client: raw checkout transactions…");
        var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, 1, rig.RawCarts, single, ct);
        var rate = Math.Max(1, saturated.Throughput / 2);
        AnsiConsole.MarkupLineInterpolated($"open loop: {rate:0.#} checkouts/s (half of {saturated.Throughput:0.#})…");
        var arrivals = await CheckoutWorkload.RunAppOpenLoopAsync(rig.Server.BaseAddress, rate, rig.AppCarts, open, ct);

        CheckoutBench.Print([saturated, raw, arrivals]);
        var rawP50 = raw.Latencies.Percentile(50);
        var p99 = arrivals.Latencies.Percentile(99);
        AnsiConsole.MarkupLineInterpolated($"open-loop p99 {p99:0.0} ms ÷ single-client raw p50 {rawP50:0.00} ms");
        var ratio = rawP50 > 0 && arrivals.Latencies.Count > 0 ? p99 / rawP50 : double.NaN;
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.00}"));
        return 0;
    }
}

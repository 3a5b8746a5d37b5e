using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Latency under a realistic load: first the app's saturation throughput (closed loop, 8 clients),
/// then one client's minimal transaction (<see cref="MinimalCheckout"/>, the physical limit) and one
/// client's raw run of the app's own statements, then checkouts arriving at a constant rate of half
/// that saturation (open loop). Ratio = open-loop p99 ÷ single-client minimal transaction p50
/// (target ≤ 10); the old reference (the same statements' p50) is printed as a second ratio.
/// </summary>
public static class LatencyScenario
{
    public const string Name = "latency";

    public const double Target = 10;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var saturation = quick ? new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        var single = quick ? new PhaseTimes(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)) : new PhaseTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        var open = quick ? new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(16)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: 3 random SKUs of 10,000 per order; saturation {saturation.Measure.TotalSeconds} s, single-client minimal and raw {single.Measure.TotalSeconds} s each, open loop {open.Measure.TotalSeconds} s");

        // One minimal client does at most ~1,000/s (about 1 ms a checkout); the warm-up takes 4 clients for 2 s.
        var minimalCarts = (int)(single.Warmup + single.Measure).TotalSeconds * 1_500 + 12_000;
        await using var rig = await CheckoutRig.StartAsync(10_000, 1_000_000, skus => random => CheckoutScenario.Pick(skus, random), cartsPerSide: quick ? 6_000 : 20_000, minimalCarts, ct);
        await rig.ProbeMinimalGuardAsync(ct);
        await rig.WarmUpAsync(quick, ct);

        await rig.DrainEventsAsync(ct);
        AnsiConsole.MarkupLine("saturation: app checkouts, 8 clients, closed loop…");
        var saturated = await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, 8, rig.AppCarts, saturation, ct);
        await rig.DrainEventsAsync(ct);
        AnsiConsole.MarkupLine("one client: minimal transactions (the physical limit)…");
        var minimal = await MinimalCheckout.RunAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, 1, rig.MinimalCarts, single, ct);
        await rig.DrainEventsAsync(ct);
        AnsiConsole.MarkupLine("one client: the app's statements raw…");
        var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, 1, rig.RawCarts, single, ct);
        var rate = Math.Max(1, saturated.Throughput / 2);
        await rig.DrainEventsAsync(ct);
        AnsiConsole.MarkupLineInterpolated($"open loop: {rate:0.#} checkouts/s (half of {saturated.Throughput:0.#})…");
        var arrivals = await CheckoutWorkload.RunAppOpenLoopAsync(rig.Server.BaseAddress, rate, rig.AppCarts, open, ct);

        CheckoutBench.Print([saturated, minimal, raw, arrivals]);
        var minimalP50 = minimal.Latencies.Percentile(50);
        var rawP50 = raw.Latencies.Percentile(50);
        var p99 = arrivals.Latencies.Percentile(99);
        AnsiConsole.MarkupLineInterpolated($"open-loop p99 {p99:0.0} ms ÷ single-client minimal transaction p50 {minimalP50:0.00} ms (its p99 {minimal.Latencies.Percentile(99):0.00} ms); target ≤ {Target:0}×");
        AnsiConsole.MarkupLineInterpolated($"open-loop p99 {p99:0.0} ms ÷ single-client same statements p50 {rawP50:0.00} ms");
        var ratio = minimalP50 > 0 && arrivals.Latencies.Count > 0 ? p99 / minimalP50 : double.NaN;
        var sameRatio = rawP50 > 0 && arrivals.Latencies.Count > 0 ? p99 / rawP50 : double.NaN;
        var failure = await rig.VerifyStockAsync(ct);
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio vs same statements={sameRatio:0.00}"));
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.00}"));
        if (failure is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{failure}[/]");
            return 1;
        }

        return 0;
    }
}

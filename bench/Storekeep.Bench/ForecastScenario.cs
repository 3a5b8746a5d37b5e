using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Storekeep.Planning.Forecasting;

namespace Storekeep.Bench;

/// <summary>
/// Per-SKU weekly demand forecasting, in process (the library's <see cref="Forecaster"/>, no
/// database, no server): 10,000 SKUs (1,000 with --quick) × 156 weeks of seeded weekly demand of
/// known structure, a quarter each trend + seasonal, smooth (a slowly wandering level, little
/// noise), intermittent (demand in ~30 % of weeks) and noise (a flat level, much noise).
/// <para>Speed: the full per-series work the planning API does — method selection by rolling-origin
/// MASE over every candidate, then the chosen method's 13-week forecast — timed over all series on
/// both cores (<c>Parallel.ForEach</c>) and on one (a plain loop; over a subset in the full run),
/// against the seasonal naive forecast of the same series timed the same way (the cheapest honest
/// forecast: the baseline every method must beat). Each timing is the median of several
/// repetitions after an untimed warm-up. Ratio = seasonal naive series/s ÷ full selection series/s
/// on both cores: how many times more a forecast chosen by backtest costs than the naive one
/// (higher is costlier; it says what the choice costs, the accuracy says what it buys).</para>
/// <para>Accuracy: the last 13 weeks of each series are held out; the selection runs on the 143
/// before (its own inner origins) and its forecast, seasonal naive's, SES's and MA13's are scored
/// by MASE against the held-out weeks (scale from the training weeks). Targets: the chosen
/// method's mean MASE ≤ 0.9 × seasonal naive's and ≤ min(SES's, MA13's), overall and per type.
/// For reference a second table scores the selection made on all 156 weeks against 13 more weeks
/// generated after them (with 143 weeks the selection has three inner origins, 130, 117 and 104
/// weeks, all with the two seasons Holt-Winters needs; with 156 it has four, down to 104).
/// A forecast that is not 13 finite, non-negative numbers fails the scenario (exit 1); a target
/// missed is reported, not failed.</para>
/// </summary>
public static class ForecastScenario
{
    public const string Name = "forecast";
    private const int Weeks = 156;
    private const int Horizon = 13;
    private const int SeasonLength = 52;

    private enum Kind
    {
        TrendSeasonal,
        Smooth,
        Intermittent,
        Noise,
    }

    public static Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var count = quick ? 1_000 : 10_000;
        var repetitions = quick ? 5 : 3;
        var singleCoreSeries = quick ? count : 2_000;
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200); // the tables, also when redirected

        // 169 weeks are generated: the store's three years (156) and the 13 after them, which only
        // the second accuracy table looks at.
        var generated = Enumerable.Range(0, count).Select(i => (Kind: (Kind)(i % 4), Units: Generate((Kind)(i % 4), Weeks + Horizon, seed: 1_000 + i))).ToArray();
        var series = generated.Select(s => (s.Kind, Units: s.Units[..Weeks])).ToArray();
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: {count:N0} SKUs × {Weeks} weeks ({string.Join(", ", Enum.GetValues<Kind>().Select(k => $"{series.Count(s => s.Kind == k):N0} {Describe(k)}"))}), {Horizon}-week horizon; {Environment.ProcessorCount} cores; median of {repetitions} repetitions");
        var run = Stopwatch.StartNew();

        // Correctness of what is timed: every forecast 13 finite, non-negative numbers.
        var invalid = 0;
        var methods = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        Parallel.ForEach(series, new ParallelOptions { CancellationToken = ct }, s =>
        {
            var outcome = Forecaster.Forecast(new WeeklySeries(s.Units, SeasonLength), Horizon);
            methods.AddOrUpdate(outcome.Forecast.Method, 1, (_, n) => n + 1);
            if (!Valid(outcome.Forecast.Mean))
            {
                Interlocked.Increment(ref invalid);
            }
        });

        // Speed: full selection + forecast, and seasonal naive, each on 2 cores and on 1.
        AnsiConsole.MarkupLine("timing…");
        var sink = 0.0;
        double Full(double[] y) => Forecaster.Forecast(new WeeklySeries(y, SeasonLength), Horizon).Forecast.Mean[0];
        double Naive(double[] y) => Forecaster.SeasonalNaive.Fit(y, SeasonLength, Horizon).Mean[0];
        // Seasonal naive takes about a microsecond a series: it is timed over many passes of the
        // series, so a repetition lasts long enough for the clock.
        var naivePasses = Math.Max(1, 200_000 / count);
        var fullParallel = Time(series, count, 1, repetitions, parallel: true, Full, ref sink, ct);
        var naiveParallel = Time(series, count, naivePasses, repetitions, parallel: true, Naive, ref sink, ct);
        var fullSingle = Time(series, singleCoreSeries, 1, repetitions, parallel: false, Full, ref sink, ct);
        var naiveSingle = Time(series, count, naivePasses, repetitions, parallel: false, Naive, ref sink, ct);

        var speed = new Table().AddColumn("forecast").AddColumn(new TableColumn("cores").RightAligned()).AddColumn(new TableColumn("series timed").RightAligned())
            .AddColumn(new TableColumn("median s").RightAligned()).AddColumn(new TableColumn("ms/series").RightAligned()).AddColumn(new TableColumn("series/s").RightAligned()).AddColumn(new TableColumn("runs (s)").RightAligned());
        foreach (var (label, cores, timing) in new[]
                 {
                     ("full selection + forecast", Environment.ProcessorCount, fullParallel), ("full selection + forecast", 1, fullSingle),
                     ("seasonal naive", Environment.ProcessorCount, naiveParallel), ("seasonal naive", 1, naiveSingle),
                 })
        {
            speed.AddRow(
                label,
                cores.ToString(CultureInfo.InvariantCulture),
                timing.Series.ToString("N0", CultureInfo.InvariantCulture),
                timing.MedianSeconds.ToString("0.000", CultureInfo.InvariantCulture),
                (1_000 * timing.MedianSeconds / timing.Series).ToString(timing.MedianSeconds / timing.Series < 0.0001 ? "0.00000" : "0.00", CultureInfo.InvariantCulture),
                timing.SeriesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" ", timing.Runs.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture))));
        }

        // Accuracy on the held-out last 13 weeks of the three years (the targets), and for reference
        // with all three years to choose from, on the 13 weeks after them.
        AnsiConsole.MarkupLine("scoring on held-out weeks…");
        var (heldOut, allMet) = Accuracy(series, Weeks - Horizon, ref invalid, ct);
        var (ahead, _) = Accuracy(generated, Weeks, ref invalid, ct);

        AnsiConsole.MarkupLine("[bold]speed[/] (all 156 weeks, selection over every candidate, then the 13-week forecast)");
        AnsiConsole.Write(speed);
        AnsiConsole.MarkupLineInterpolated($"methods chosen on the full history: {string.Join(", ", methods.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {m.Value:N0}"))}");
        AnsiConsole.MarkupLine("[bold]accuracy[/]: mean MASE on the held-out last 13 of the 156 weeks (selection on the 143 before); the targets");
        AnsiConsole.Write(heldOut);
        AnsiConsole.MarkupLine("for reference: selection on all 156 weeks, scored on the 13 generated after them");
        AnsiConsole.Write(ahead);
        var ratio = naiveParallel.SeriesPerSecond / fullParallel.SeriesPerSecond;
        Console.WriteLine(FormattableString.Invariant(
            $"full selection {fullParallel.SeriesPerSecond:N0} series/s on {Environment.ProcessorCount} cores, {fullSingle.SeriesPerSecond:N0} on 1 ({fullParallel.SeriesPerSecond / fullSingle.SeriesPerSecond:0.00}× from the second core); seasonal naive {naiveParallel.SeriesPerSecond:N0} series/s"));
        Console.WriteLine($"accuracy targets: {(allMet ? "all met" : "not all met")}; invalid forecasts: {invalid}; whole run {run.Elapsed.TotalSeconds:0} s");
        GC.KeepAlive(sink);
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.0}"));
        return Task.FromResult(invalid == 0 ? 0 : 1);
    }

    /// <summary>Selection on the first <paramref name="train"/> weeks of each series, scored by MASE on the 13 after; a table per series type and overall.</summary>
    private static (Table Table, bool AllMet) Accuracy((Kind Kind, double[] Units)[] series, int train, ref int invalid, CancellationToken ct)
    {
        var scores = new Score[series.Length];
        var bad = 0;
        Parallel.For(0, series.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var y = series[i].Units;
            var history = y[..train];
            var actual = y.AsSpan(train, Horizon);
            var outcome = Forecaster.Forecast(new WeeklySeries(history, SeasonLength), Horizon);
            if (!Valid(outcome.Forecast.Mean))
            {
                Interlocked.Increment(ref bad);
            }

            scores[i] = new Score(
                series[i].Kind,
                outcome.Forecast.Method,
                Mase.Of(actual, outcome.Forecast.Mean, history, SeasonLength),
                Mase.Of(actual, Forecaster.SeasonalNaive.Fit(history, SeasonLength, Horizon).Mean, history, SeasonLength),
                Mase.Of(actual, Forecaster.Ses.Fit(history, SeasonLength, Horizon).Mean, history, SeasonLength),
                Mase.Of(actual, Forecaster.MovingAverage13.Fit(history, SeasonLength, Horizon).Mean, history, SeasonLength));
        });
        invalid += bad;

        var table = new Table().AddColumn("series").AddColumn(new TableColumn("n").RightAligned())
            .AddColumn(new TableColumn("chosen").RightAligned()).AddColumn(new TableColumn("seasonal naive").RightAligned())
            .AddColumn(new TableColumn("SES").RightAligned()).AddColumn(new TableColumn("MA13").RightAligned())
            .AddColumn(new TableColumn("chosen ÷ s.naive").RightAligned()).AddColumn(new TableColumn("chosen ÷ min(SES, MA13)").RightAligned())
            .AddColumn("≤ 0.9 and ≤ 1.0").AddColumn("methods chosen (top 3)");
        var allMet = true;
        var groups = Enum.GetValues<Kind>().Select(k => (Label: Describe(k), Scores: scores.Where(s => s.Kind == k).ToList()))
            .Append(("all", scores.ToList()));
        foreach (var (label, group) in groups)
        {
            var chosen = group.Average(s => s.Chosen);
            var naive = group.Average(s => s.SeasonalNaive);
            var ses = group.Average(s => s.Ses);
            var ma = group.Average(s => s.MovingAverage13);
            var vsNaive = chosen / naive;
            var vsSimple = chosen / Math.Min(ses, ma);
            var met = vsNaive <= 0.9 && vsSimple <= 1.0;
            allMet &= met;
            var chosenMethods = group.GroupBy(s => s.Method).OrderByDescending(g => g.Count()).Take(3)
                .Select(g => FormattableString.Invariant($"{g.Key} {100.0 * g.Count() / group.Count:0}%"));
            table.AddRow(
                Markup.Escape(label),
                group.Count.ToString("N0", CultureInfo.InvariantCulture),
                chosen.ToString("0.000", CultureInfo.InvariantCulture),
                naive.ToString("0.000", CultureInfo.InvariantCulture),
                ses.ToString("0.000", CultureInfo.InvariantCulture),
                ma.ToString("0.000", CultureInfo.InvariantCulture),
                vsNaive.ToString("0.000", CultureInfo.InvariantCulture),
                vsSimple.ToString("0.000", CultureInfo.InvariantCulture),
                met ? "[green]met[/]" : "[red]missed[/]",
                Markup.Escape(string.Join(", ", chosenMethods)));
        }

        return (table, allMet);
    }

    private sealed record Score(Kind Kind, string Method, double Chosen, double SeasonalNaive, double Ses, double MovingAverage13);

    private sealed record Timing(int Series, double MedianSeconds, double[] Runs)
    {
        public double SeriesPerSecond => Series / MedianSeconds;
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.TrendSeasonal => "trend + seasonal",
        Kind.Smooth => "smooth",
        Kind.Intermittent => "intermittent",
        _ => "noise",
    };

    private static bool Valid(double[] mean) => mean.Length == Horizon && mean.All(v => double.IsFinite(v) && v >= 0);

    /// <summary>
    /// One untimed warm-up over a few series, then <paramref name="repetitions"/> timed runs, each
    /// <paramref name="passes"/> passes over the first <paramref name="count"/> series.
    /// </summary>
    private static Timing Time((Kind Kind, double[] Units)[] series, int count, int passes, int repetitions, bool parallel, Func<double[], double> forecast, ref double sink, CancellationToken ct)
    {
        var subset = Enumerable.Repeat(series.Take(count).Select(s => s.Units), passes).SelectMany(s => s).ToArray();
        var total = 0.0;
        foreach (var y in subset.Take(Math.Min(subset.Length, 40)))
        {
            total += forecast(y);
        }

        var runs = new double[repetitions];
        for (var r = 0; r < repetitions; r++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            if (parallel)
            {
                var partial = new double[subset.Length];
                Parallel.For(0, subset.Length, i => partial[i] = forecast(subset[i]));
                total += partial[0];
            }
            else
            {
                foreach (var y in subset)
                {
                    total += forecast(y);
                }
            }

            runs[r] = clock.Elapsed.TotalSeconds;
        }

        sink += total;
        var sorted = runs.Order().ToArray();
        return new Timing(subset.Length, sorted[sorted.Length / 2], runs);
    }

    /// <summary>Whole, non-negative weekly units with a known structure; each series its own level and shape (seeded).</summary>
    private static double[] Generate(Kind kind, int weeks, int seed)
    {
        var random = new Random(seed);
        var y = new double[weeks];
        var level = 40 + random.NextDouble() * 120;
        var slope = (random.NextDouble() - 0.3) * 0.5;
        var amplitude = 0.2 + random.NextDouble() * 0.3;
        var phase = random.NextDouble() * 2 * Math.PI;
        var wandering = level;
        var rate = 0.15 + random.NextDouble() * 0.3;
        var size = 2 + random.NextDouble() * 6;
        for (var t = 0; t < weeks; t++)
        {
            var season = Math.Sin((2 * Math.PI * t / SeasonLength) + phase) + (0.4 * Math.Sin((4 * Math.PI * t / SeasonLength) + (2 * phase)));
            wandering = Math.Max(5, wandering + (Normal(random) * 0.02 * level));
            y[t] = kind switch
            {
                Kind.TrendSeasonal => level + (slope * t) + (amplitude * level * season) + (Normal(random) * 0.07 * level),
                Kind.Smooth => wandering + (Normal(random) * 0.05 * level),
                Kind.Intermittent => random.NextDouble() < rate ? 1 + Math.Floor(-Math.Log(1 - random.NextDouble()) * size) : 0,
                _ => level + (Normal(random) * 0.35 * level),
            };
            y[t] = Math.Max(0, Math.Round(y[t]));
        }

        return y;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

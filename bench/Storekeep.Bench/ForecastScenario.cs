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
        var repetitions = quick ? 3 : 5;
        var singleCoreSeries = quick ? count : 2_000;
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        var series = Enumerable.Range(0, count).Select(i => (Kind: (Kind)(i % 4), Units: Generate((Kind)(i % 4), Weeks, seed: 1_000 + i))).ToArray();
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
        var fullParallel = Time(series, count, repetitions, parallel: true, Full, ref sink, ct);
        var naiveParallel = Time(series, count, repetitions, parallel: true, Naive, ref sink, ct);
        var fullSingle = Time(series, singleCoreSeries, repetitions, parallel: false, Full, ref sink, ct);
        var naiveSingle = Time(series, count, repetitions, parallel: false, Naive, ref sink, ct);

        var speed = new Table().AddColumn("forecast").AddColumn(new TableColumn("cores").RightAligned()).AddColumn(new TableColumn("series timed").RightAligned())
            .AddColumn(new TableColumn("median s").RightAligned()).AddColumn(new TableColumn("series/s").RightAligned()).AddColumn(new TableColumn("runs (s)").RightAligned());
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
                timing.SeriesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                string.Join(" ", timing.Runs.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture))));
        }

        // Accuracy on the held-out last 13 weeks.
        AnsiConsole.MarkupLine("scoring on the held-out last 13 weeks…");
        var scores = new Score[series.Length];
        Parallel.For(0, series.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var y = series[i].Units;
            var train = y[..(Weeks - Horizon)];
            var actual = y.AsSpan(Weeks - Horizon, Horizon);
            var outcome = Forecaster.Forecast(new WeeklySeries(train, SeasonLength), Horizon);
            if (!Valid(outcome.Forecast.Mean))
            {
                Interlocked.Increment(ref invalid);
            }

            scores[i] = new Score(
                series[i].Kind,
                outcome.Forecast.Method,
                Mase.Of(actual, outcome.Forecast.Mean, train, SeasonLength),
                Mase.Of(actual, Forecaster.SeasonalNaive.Fit(train, SeasonLength, Horizon).Mean, train, SeasonLength),
                Mase.Of(actual, Forecaster.Ses.Fit(train, SeasonLength, Horizon).Mean, train, SeasonLength),
                Mase.Of(actual, Forecaster.MovingAverage13.Fit(train, SeasonLength, Horizon).Mean, train, SeasonLength));
        });

        var accuracy = new Table().AddColumn("series").AddColumn(new TableColumn("n").RightAligned())
            .AddColumn(new TableColumn("chosen").RightAligned()).AddColumn(new TableColumn("seasonal naive").RightAligned())
            .AddColumn(new TableColumn("SES").RightAligned()).AddColumn(new TableColumn("MA13").RightAligned())
            .AddColumn(new TableColumn("chosen ÷ s.naive").RightAligned()).AddColumn(new TableColumn("chosen ÷ min(SES, MA13)").RightAligned())
            .AddColumn("targets (≤ 0.9, ≤ 1.0)").AddColumn("methods chosen");
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
            var chosenMethods = group.GroupBy(s => s.Method).OrderByDescending(g => g.Count()).Take(4)
                .Select(g => FormattableString.Invariant($"{g.Key} {100.0 * g.Count() / group.Count:0}%"));
            accuracy.AddRow(
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

        AnsiConsole.MarkupLine("[bold]speed[/] (all 156 weeks, selection over every candidate, then the 13-week forecast)");
        AnsiConsole.Write(speed);
        AnsiConsole.MarkupLineInterpolated($"methods chosen on the full history: {string.Join(", ", methods.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {m.Value:N0}"))}");
        AnsiConsole.MarkupLine("[bold]accuracy[/]: mean MASE on the held-out last 13 weeks (selection on the 143 before)");
        AnsiConsole.Write(accuracy);
        var ratio = naiveParallel.SeriesPerSecond / fullParallel.SeriesPerSecond;
        Console.WriteLine(FormattableString.Invariant(
            $"full selection {fullParallel.SeriesPerSecond:N0} series/s on {Environment.ProcessorCount} cores, {fullSingle.SeriesPerSecond:N0} on 1 ({fullParallel.SeriesPerSecond / fullSingle.SeriesPerSecond:0.00}× from the second core); seasonal naive {naiveParallel.SeriesPerSecond:N0} series/s"));
        Console.WriteLine($"accuracy targets: {(allMet ? "all met" : "not all met")}; invalid forecasts: {invalid}; whole run {run.Elapsed.TotalSeconds:0} s");
        GC.KeepAlive(sink);
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.0}"));
        return Task.FromResult(invalid == 0 ? 0 : 1);
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

    /// <summary>One untimed warm-up pass over a few series, then <paramref name="repetitions"/> timed passes over the first <paramref name="count"/>.</summary>
    private static Timing Time((Kind Kind, double[] Units)[] series, int count, int repetitions, bool parallel, Func<double[], double> forecast, ref double sink, CancellationToken ct)
    {
        var subset = series.Take(count).Select(s => s.Units).ToArray();
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

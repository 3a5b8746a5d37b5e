using System.Globalization;
using MudBlazor;

namespace Storekeep.Web.Admin;

/// <summary>
/// Axes a person can read: the value axis in a few round steps (0, 2k, 4k …, not 0, 640, 1280 … up
/// to 16,640 in 27 ticks), and few enough labels on the other axis that they do not overlap.
/// </summary>
public static class ChartAxes
{
    /// <summary>At most this many ticks on the value axis.</summary>
    private const int ValueTicks = 6;

    /// <summary>Options for a line chart of <paramref name="series"/>, its value axis fitted to their values.</summary>
    public static LineChartOptions Line(IEnumerable<ChartSeries<double>> series) => new()
    {
        YAxisTicks = Step(ValuesOf(series)),
        MaxNumYAxisTicks = ValueTicks + 2,
        YAxisToStringFunc = Compact,
    };

    /// <summary>Options for a bar chart of <paramref name="series"/>, its value axis fitted to their values.</summary>
    /// <param name="labelRotation">Degrees to turn the labels, for long names under narrow bars.</param>
    public static BarChartOptions Bar(IEnumerable<ChartSeries<double>> series, int labelRotation = 0) => Bar(ValuesOf(series), labelRotation);

    /// <summary>Options for a bar chart whose value axis reaches the largest of <paramref name="values"/> (a percentage chart: 100).</summary>
    public static BarChartOptions Bar(IEnumerable<double> values, int labelRotation = 0) => new()
    {
        YAxisTicks = Step(values),
        MaxNumYAxisTicks = ValueTicks + 2,
        YAxisToStringFunc = Compact,
        XAxisLabelRotation = labelRotation,
    };

    /// <summary>A round step (1, 2, 2.5 or 5 × a power of ten, at least 1) giving about <see cref="ValueTicks"/> ticks up to the largest value.</summary>
    public static int Step(IEnumerable<double> values)
    {
        var max = values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        if (max <= ValueTicks)
        {
            return 1;
        }

        var raw = max / ValueTicks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var nice = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * power).First(step => step >= raw);
        return (int)Math.Max(1, Math.Ceiling(nice));
    }

    private static IEnumerable<double> ValuesOf(IEnumerable<ChartSeries<double>> series) => series.SelectMany(s => s.Data.Values);

    /// <summary>1,500 as "1.5k", 2,000,000 as "2M": short enough for the axis.</summary>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.#", CultureInfo.InvariantCulture),
    };

    /// <summary>The labels with all but every k-th blanked, so at most <paramref name="most"/> show; the first always does.</summary>
    public static string[] Thin(IReadOnlyList<string> labels, int most = 7)
    {
        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / (double)most));
        return [.. labels.Select((label, i) => i % every == 0 ? label : "")];
    }
}

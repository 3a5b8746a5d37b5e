using Storekeep.Web.Admin;

namespace Storekeep.Tests.Admin;

public sealed class ChartAxesTests
{
    [Theory]
    [InlineData(16_640, 5_000)] // the category chart's 27 ticks of 640 become 0, 5k, 10k, 15k, 20k
    [InlineData(10_880, 2_000)]
    [InlineData(20, 5)]
    [InlineData(6, 1)]
    [InlineData(0, 1)]
    [InlineData(1_200, 200)]
    [InlineData(1_500, 250)]
    public void The_value_axis_steps_are_round_and_about_six(double max, int step)
    {
        Assert.Equal(step, ChartAxes.Step([max / 3, max, double.NaN]));
        Assert.InRange(Math.Ceiling(max / step), 0, 8);
    }

    [Theory]
    [InlineData(950, "950")]
    [InlineData(1_500, "1.5k")]
    [InlineData(20_000, "20k")]
    [InlineData(2_250_000, "2.3M")]
    public void Axis_values_are_short(double value, string shown) => Assert.Equal(shown, ChartAxes.Compact(value));

    [Fact]
    public void Thinned_labels_show_at_most_the_asked_number_the_first_among_them()
    {
        var days = Enumerable.Range(1, 30).Select(d => $"11-{d:00}").ToList();
        var thinned = ChartAxes.Thin(days, most: 7);
        Assert.Equal(30, thinned.Length);
        Assert.Equal("11-01", thinned[0]);
        Assert.InRange(thinned.Count(l => l.Length > 0), 6, 7);
        Assert.Equal(["a", "b"], ChartAxes.Thin(["a", "b"]));
    }
}

using System.Net;
using Storekeep.Planning;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Planning;

namespace Storekeep.Tests.Demo;

/// <summary>
/// The forecast accuracy report on the demo store (the figures in docs/planning.md, "Accuracy on
/// the store's history"): the endpoint's figures equal an independent computation from raw SQL,
/// and the measured figures are written to the test output.
/// </summary>
public sealed class DemoForecastAccuracyTests
{
    private static readonly Dictionary<string, string?> SeedDemo = new() { ["Seed:Demo"] = "true" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_demo_stores_accuracy_report_equals_an_independent_computation(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: SeedDemo);
        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        var body = await manager.GetAsync("/api/v1/planning/forecast-accuracy").Expect(HttpStatusCode.OK);
        TestContext.Current.TestOutputHelper?.WriteLine(body.ToJsonString());

        await using var db = store.Db();
        var thisWeek = DemandHistory.WeekStart(DateOnly.FromDateTime(DateTime.UtcNow));
        var (expected, skipped, forecasts) = await ForecastAccuracyReportTests.ExpectedAsync(db, thisWeek, ForecastAccuracy.DefaultOrigins);
        var s = expected.Values.ToList();
        double chosen = s.Average(e => e.Chosen), naive = s.Average(e => e.SeasonalNaive), ses = s.Average(e => e.Ses), ma = s.Average(e => e.MovingAverage13);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"demo store, {ForecastAccuracy.DefaultOrigins} origins held out from {thisWeek.AddDays(-7 * 13 * ForecastAccuracy.DefaultOrigins):yyyy-MM-dd}: {s.Count} SKUs ({skipped} skipped, {forecasts} forecasts); mean MASE chosen {chosen:F4}, seasonal naive {naive:F4}, SES {ses:F4}, MA13 {ma:F4}; "
            + $"chosen ÷ seasonal naive {chosen / naive:F4}, ÷ SES {chosen / ses:F4}, ÷ MA13 {chosen / ma:F4}; methods {string.Join(", ", s.GroupBy(e => e.Method).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}");

        // The demo store has years of history for most of its SKUs: the report scores them.
        Assert.True(s.Count >= 100, $"{s.Count} SKUs scored");
        Assert.Equal(s.Count, body["skus"]!.GetValue<int>());
        Assert.Equal(skipped, body["skippedSkus"]!.GetValue<int>());
        Assert.Equal(forecasts, body["forecasts"]!.GetValue<int>());
        var mase = body["mase"]!;
        Assert.Equal(chosen, mase["chosen"]!.GetValue<double>(), 0.00006);
        Assert.Equal(naive, mase["seasonalNaive"]!.GetValue<double>(), 0.00006);
        Assert.Equal(ses, mase["ses"]!.GetValue<double>(), 0.00006);
        Assert.Equal(ma, mase["movingAverage13"]!.GetValue<double>(), 0.00006);
        ForecastAccuracyReportTests.AssertRmsse(s, body["rmsse"]);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"RMSSE chosen {s.Average(e => e.Rmsse[0]):F4}, seasonal naive {s.Average(e => e.Rmsse[1]):F4}, SES {s.Average(e => e.Rmsse[2]):F4}, MA13 {s.Average(e => e.Rmsse[3]):F4}");
        Assert.Equal(s.Count(e => e.Chosen <= 0.9 * e.SeasonalNaive), body["counts"]!["beatSeasonalNaiveByTenPercent"]!.GetValue<int>());
        Assert.Equal(s.Count(e => e.Chosen <= Math.Min(e.Ses, e.MovingAverage13)), body["counts"]!["noWorseThanSesAndMovingAverage13"]!.GetValue<int>());
    }
}

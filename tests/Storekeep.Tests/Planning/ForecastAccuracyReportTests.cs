using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Planning.Forecasting;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Planning;

/// <summary>
/// GET /planning/forecast-accuracy against an independent computation: the order lines read with
/// raw SQL, summed into Monday weeks here, four rolling origins of 13 held-out weeks each (and one), and the forecaster and the
/// reference methods called directly on the weeks before them.
/// </summary>
public sealed class ForecastAccuracyReportTests
{
    private static Address Somewhere => new() { Name = "Ada", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" };
    private static long _number = 760_000;

    private static readonly DateOnly AsOf = new(2026, 6, 3); // a Wednesday: its week (from Monday 1 June) is not history
    private static readonly DateOnly Cutoff = new(2026, 6, 1);

    /// <summary>SKU, kind, weeks of history before the cut-off.</summary>
    private static readonly (string Sku, SyntheticDemand.Kind Kind, int Weeks)[] Series =
    [
        ("FA-SEASONAL", SyntheticDemand.Kind.SeasonalTrend, 170),
        ("FA-MULT", SyntheticDemand.Kind.SeasonalMultiplicative, 160),
        ("FA-LEVEL", SyntheticDemand.Kind.Level, 150),
        ("FA-INTERMITTENT", SyntheticDemand.Kind.Intermittent, 120),
        ("FA-SMOOTH", SyntheticDemand.Kind.Smooth, 60),
        ("FA-EDGE", SyntheticDemand.Kind.Noise, 39), // 26 training weeks: scored
        ("FA-SHORT", SyntheticDemand.Kind.Trend, 38), // 25: too short, skipped
    ];

    private static Order Place(DateTime at, IEnumerable<(string Sku, int Quantity)> lines) =>
        Order.Place(Interlocked.Increment(ref _number), "ada@example.com", null, "USD", Somewhere, "standard",
            lines.Select(l => new OrderLine { Sku = l.Sku, Title = "Thing", Quantity = l.Quantity, UnitPrice = 2m, LineTotal = l.Quantity * 2m }),
            0m, 0m, false, null, at);

    private static async Task SeedAsync(StorekeepDbContext db)
    {
        var generated = Series.Select((s, i) => (s.Sku, s.Weeks, Units: SyntheticDemand.Generate(s.Kind, s.Weeks, 4242 + i))).ToList();
        var random = new Random(7);
        for (var back = 170; back >= 1; back--)
        {
            // Somewhere in the week, Monday 00:00 and Sunday 23:59:59 included, so the week boundaries are exercised.
            var monday = Cutoff.AddDays(-7 * back).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var at = (back % 3) switch { 0 => monday, 1 => monday.AddDays(7).AddSeconds(-1), _ => monday.AddMinutes(random.Next(7 * 24 * 60)) };
            var lines = generated.Where(g => back <= g.Weeks && g.Units[g.Weeks - back] > 0).Select(g => (g.Sku, (int)g.Units[g.Weeks - back])).ToList();
            if (lines.Count > 0)
            {
                db.Orders.Add(Place(at, lines));
            }
        }

        // Not demand: a cancelled order, and the week in progress.
        var cancelled = Place(Cutoff.AddDays(-20).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), [("FA-LEVEL", 500)]);
        db.Orders.Add(cancelled);
        db.Orders.Add(Place(Cutoff.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), [("FA-LEVEL", 900)]));
        await db.SaveChangesAsync();
        var tracked = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == cancelled.Id);
        tracked.Cancel("test", Actor.System, DateTime.UtcNow);
        await db.SaveChangesAsync();
    }

    internal sealed class RawLine
    {
        public string Sku { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public long Quantity { get; set; }
    }

    internal sealed record Expected(double Chosen, double SeasonalNaive, double Ses, double MovingAverage13, string Method, double[] Rmsse);

    /// <summary>RMSSE written out here, apart from the production code: √(mean held-out squared error ÷ mean squared one-step training difference).</summary>
    internal static double RmsseOf(double[] actual, double[] forecast, double[] train)
    {
        var mse = actual.Select((a, i) => (a - forecast[i]) * (a - forecast[i])).Average();
        var scale = train.Skip(1).Select((t, i) => (t - train[i]) * (t - train[i])).Average();
        if (scale == 0)
        {
            scale = train.Average(t => t * t) is > 0 and var squares ? squares : 1;
        }

        return Math.Sqrt(mse / scale);
    }

    /// <summary>
    /// Per SKU scored: the four held-out MASEs and RMSSEs, each averaged over the origins the SKU has
    /// 26 training weeks before, and the latest origin's method, from raw SQL rows and the
    /// forecasting code alone. Origin k holds out the 13 weeks ending 13 × (k − 1) weeks before <paramref name="monday"/>.
    /// </summary>
    internal static async Task<(Dictionary<string, Expected> Scored, int Skipped, int Forecasts)> ExpectedAsync(StorekeepDbContext db, DateOnly monday, int origins)
    {
        var cutoff = monday.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var rows = await db.Database.SqlQuery<RawLine>($"SELECT l.sku AS \"Sku\", o.created_at AS \"CreatedAt\", CAST(l.quantity AS BIGINT) AS \"Quantity\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' AND o.created_at < {cutoff}").ToListAsync();
        var scored = new Dictionary<string, Expected>(StringComparer.Ordinal);
        var skipped = 0;
        var forecasts = 0;
        foreach (var sku in rows.GroupBy(r => r.Sku))
        {
            // Monday weeks by counting days from a known Monday.
            var byWeek = sku.GroupBy(r => monday.AddDays(-7 * (int)Math.Ceiling((monday.DayNumber - DateOnly.FromDateTime(r.CreatedAt).DayNumber) / 7.0)))
                .ToDictionary(g => g.Key, g => (double)g.Sum(r => r.Quantity));
            var first = byWeek.Keys.Min();
            var y = Enumerable.Range(0, (monday.DayNumber - first.DayNumber) / 7).Select(i => byWeek.GetValueOrDefault(first.AddDays(7 * i))).ToArray();
            var perOrigin = new List<Expected>();
            for (var k = 1; k <= origins; k++)
            {
                var end = y.Length - (13 * (k - 1));
                if (end - 13 < 26)
                {
                    break;
                }

                var train = y[..(end - 13)];
                var actual = y[(end - 13)..end];
                var chosen = Forecaster.Forecast(new WeeklySeries(train), 13).Forecast;
                double[][] f = [chosen.Mean, Forecaster.SeasonalNaive.Fit(train, 52, 13).Mean, Forecaster.Ses.Fit(train, 52, 13).Mean, Forecaster.MovingAverage13.Fit(train, 52, 13).Mean];
                perOrigin.Add(new Expected(
                    Mase.Of(actual, f[0], train, 52), Mase.Of(actual, f[1], train, 52), Mase.Of(actual, f[2], train, 52), Mase.Of(actual, f[3], train, 52),
                    chosen.Method, [.. f.Select(x => RmsseOf(actual, x, train))]));
            }

            if (perOrigin.Count == 0)
            {
                skipped++;
                continue;
            }

            forecasts += perOrigin.Count;
            scored[sku.Key] = new Expected(
                perOrigin.Average(e => e.Chosen),
                perOrigin.Average(e => e.SeasonalNaive),
                perOrigin.Average(e => e.Ses),
                perOrigin.Average(e => e.MovingAverage13),
                perOrigin[0].Method,
                [.. Enumerable.Range(0, 4).Select(i => perOrigin.Average(e => e.Rmsse[i]))]);
        }

        return (scored, skipped, forecasts);
    }

    /// <summary>The report's RMSSE block equals the means of the independently computed RMSSEs.</summary>
    internal static void AssertRmsse(IReadOnlyList<Expected> s, JsonNode? rmsse)
    {
        var means = Enumerable.Range(0, 4).Select(k => s.Average(e => e.Rmsse[k])).ToArray();
        Near(means[0], rmsse!["chosen"]);
        Near(means[1], rmsse["seasonalNaive"]);
        Near(means[2], rmsse["ses"]);
        Near(means[3], rmsse["movingAverage13"]);
        Near(means[0] / means[1], rmsse["chosenToSeasonalNaive"]);
        Near(means[0] / Math.Min(means[2], means[3]), rmsse["chosenToBetterOfSesAndMovingAverage13"]);
    }

    private static void Near(double expected, JsonNode? actual) =>
        Assert.True(Math.Abs(expected - actual!.GetValue<double>()) <= 0.00006, $"expected {expected:F6}, got {actual}");

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Held_out_mase_of_the_chosen_method_and_the_references_equals_an_independent_computation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        var body = await manager.GetAsync($"/api/v1/planning/forecast-accuracy?asOf={AsOf:yyyy-MM-dd}").Expect(HttpStatusCode.OK);
        TestContext.Current.TestOutputHelper?.WriteLine(body.ToJsonString());

        await using var check = store.Db();
        var (expected, skipped, forecasts) = await ExpectedAsync(check, Cutoff, 4);
        Assert.Equal(Series.Count(s => s.Weeks >= 39), expected.Count); // the independent reading agrees with the seed
        Assert.Equal(1, skipped);
        // FA-EDGE (39 weeks) is scored at the latest origin only, FA-SMOOTH (60) at two, the others at all four.
        Assert.Equal(4 + 4 + 4 + 4 + 2 + 1, forecasts);

        Assert.Equal("2025-06-02", body["heldOutFrom"]!.GetValue<string>()); // 52 weeks before the cut-off
        Assert.Equal("2026-05-25", body["heldOutThrough"]!.GetValue<string>());
        Assert.Equal(13, body["heldOutWeeks"]!.GetValue<int>());
        Assert.Equal(4, body["origins"]!.GetValue<int>());
        Assert.Equal(forecasts, body["forecasts"]!.GetValue<int>());
        Assert.Equal(expected.Count, body["skus"]!.GetValue<int>());
        Assert.Equal(skipped, body["skippedSkus"]!.GetValue<int>());

        var s = expected.Values.ToList();
        double chosen = s.Average(e => e.Chosen), naive = s.Average(e => e.SeasonalNaive), ses = s.Average(e => e.Ses), ma = s.Average(e => e.MovingAverage13);
        var mase = body["mase"]!;
        Near(chosen, mase["chosen"]);
        Near(naive, mase["seasonalNaive"]);
        Near(ses, mase["ses"]);
        Near(ma, mase["movingAverage13"]);
        var ratios = body["ratios"]!;
        Near(chosen / naive, ratios["chosenToSeasonalNaive"]);
        Near(chosen / ses, ratios["chosenToSes"]);
        Near(chosen / ma, ratios["chosenToMovingAverage13"]);
        Near(chosen / Math.Min(ses, ma), ratios["chosenToBetterOfSesAndMovingAverage13"]);
        Assert.Equal(chosen <= 0.9 * naive, body["meetsSeasonalNaiveTarget"]!.GetValue<bool>());
        Assert.Equal(chosen <= Math.Min(ses, ma), body["meetsSimpleTarget"]!.GetValue<bool>());
        AssertRmsse(s, body["rmsse"]);

        var counts = body["counts"]!;
        Assert.Equal(s.Count(e => e.Chosen <= 0.9 * e.SeasonalNaive), counts["beatSeasonalNaiveByTenPercent"]!.GetValue<int>());
        Assert.Equal(s.Count(e => e.Chosen <= e.SeasonalNaive), counts["noWorseThanSeasonalNaive"]!.GetValue<int>());
        Assert.Equal(s.Count(e => e.Chosen <= e.Ses), counts["noWorseThanSes"]!.GetValue<int>());
        Assert.Equal(s.Count(e => e.Chosen <= e.MovingAverage13), counts["noWorseThanMovingAverage13"]!.GetValue<int>());
        Assert.Equal(s.Count(e => e.Chosen <= Math.Min(e.Ses, e.MovingAverage13)), counts["noWorseThanSesAndMovingAverage13"]!.GetValue<int>());

        var methods = body["methods"]!.AsArray().ToDictionary(m => m!["method"]!.GetValue<string>(), m => m!["skus"]!.GetValue<int>());
        Assert.Equal(s.GroupBy(e => e.Method).ToDictionary(g => g.Key, g => g.Count()), methods);
        // The seasonal series are forecast by a seasonal method chosen on their training weeks.
        Assert.StartsWith("holt_winters", expected["FA-SEASONAL"].Method, StringComparison.Ordinal);

        // The forecast's own choice on the same weeks (asOf = the latest origin's first held-out week) is the report's.
        var forecast = await manager.GetAsync("/api/v1/planning/forecast?sku=FA-SEASONAL&asOf=2026-03-02").Expect(HttpStatusCode.OK);
        Assert.Equal(expected["FA-SEASONAL"].Method, forecast["items"]![0]!["method"]!.GetValue<string>());

        // One origin: the latest 13 weeks alone, against the same independent computation.
        var one = await manager.GetAsync($"/api/v1/planning/forecast-accuracy?asOf={AsOf:yyyy-MM-dd}&origins=1").Expect(HttpStatusCode.OK);
        var (single, singleSkipped, singleForecasts) = await ExpectedAsync(check, Cutoff, 1);
        Assert.Equal("2026-03-02", one["heldOutFrom"]!.GetValue<string>());
        Assert.Equal(1, one["origins"]!.GetValue<int>());
        Assert.Equal(single.Count, singleForecasts);
        Assert.Equal(singleSkipped, one["skippedSkus"]!.GetValue<int>());
        Near(single.Values.Average(e => e.Chosen), one["mase"]!["chosen"]);
        Near(single.Values.Average(e => e.SeasonalNaive), one["mase"]!["seasonalNaive"]);
        AssertRmsse([.. single.Values], one["rmsse"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_empty_store_has_nothing_to_score_and_bad_input_is_a_problem(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.ClientForAsync(Storekeep.Access.Role.Manager);
        var body = await manager.GetAsync("/api/v1/planning/forecast-accuracy?asOf=2026-06-03").Expect(HttpStatusCode.OK);
        Assert.Equal(0, body["skus"]!.GetValue<int>());
        Assert.Null(body["mase"]);
        Assert.Null(body["meetsSeasonalNaiveTarget"]);
        Assert.Empty(body["methods"]!.AsArray());
        await manager.GetAsync("/api/v1/planning/forecast-accuracy?asOf=2026-02-30").ExpectProblem(HttpStatusCode.BadRequest, "invalid_period");
        await manager.GetAsync("/api/v1/planning/forecast-accuracy?asOf=yesterday").ExpectProblem(HttpStatusCode.BadRequest, "invalid_period");
        await manager.GetAsync("/api/v1/planning/forecast-accuracy?origins=0").ExpectProblem(HttpStatusCode.BadRequest, "invalid_origins");
        await manager.GetAsync("/api/v1/planning/forecast-accuracy?origins=9").ExpectProblem(HttpStatusCode.BadRequest, "invalid_origins");
        await manager.GetAsync("/api/v1/planning/forecast-accuracy?origins=four").ExpectProblem(HttpStatusCode.BadRequest);
        await (await store.ClientForAsync(Storekeep.Access.Role.Sales)).GetAsync("/api/v1/planning/forecast-accuracy").ExpectProblem(HttpStatusCode.Forbidden);
    }
}

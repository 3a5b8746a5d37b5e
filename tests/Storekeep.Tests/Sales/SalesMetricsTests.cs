using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// The metrics of GET /sales/metrics against a computation written here, independently, over the
/// raw rows of sales_deals and sales_deal_stage_changes: two dozen deals with a known history made
/// through the API on a clock the test moves.
/// </summary>
public sealed class SalesMetricsTests
{
    /// <summary>A clock the test sets; every service of the store reads it.</summary>
    private static readonly string[] Stages = ["prospecting", "qualification", "proposal", "negotiation", "closing", "won", "lost"];

    private sealed record Step(DateTimeOffset At, int Deal, string Kind, string? Value);

    private sealed record DealRow(Guid Id, long AmountCents, string Stage, int Probability, string Category, DateTime CreatedAt, DateTime? ClosedAt, DateOnly ExpectedClose, Guid? Owner);

    private sealed record HistoryRow(Guid DealId, string To, DateTime At, string Id);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Every_metric_equals_an_independent_computation_over_the_raw_deal_and_history_rows(string database)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<TimeProvider>(clock));
        var users = await SalesTests.StaffAsync(store,
            ("a@example.com", "Rep A", Role.Sales), ("b@example.com", "Rep B", Role.Sales), ("c@example.com", "Rep C", Role.Sales));
        var east = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "East" }).Expect(HttpStatusCode.Created))["id"].Str();
        var west = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "West" }).Expect(HttpStatusCode.Created))["id"].Str();
        var reps = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            reps.Add((await store.Client.PostJson("/api/v1/sales/reps", new { userId = users[i], teamId = i < 2 ? east : west }).Expect(HttpStatusCode.Created))["id"].Str());
        }

        // Every deal's story, drawn once from a fixed seed, then played in time order through the API.
        var random = new Random(20261205);
        var steps = new List<Step>();
        var start = clock.Now;
        const int deals = 24;
        for (var d = 0; d < deals; d++)
        {
            var at = start.AddDays(random.Next(0, 140)).AddHours(random.Next(0, 10)).AddMinutes(d);
            steps.Add(new Step(at, d, "create", null));
            var stage = 0;
            var ending = d % 3; // 0 won, 1 lost, 2 open
            var moves = random.Next(1, 7);
            for (var m = 0; m < moves; m++)
            {
                at = at.AddDays(random.Next(1, 15)).AddHours(random.Next(0, 24)).AddMinutes(7);
                var roll = random.Next(10);
                if (roll == 0 && stage > 0)
                {
                    stage--; // backwards happens
                }
                else if (roll == 1 && stage < 3)
                {
                    stage += 2; // and skipping a stage
                }
                else if (stage < 4)
                {
                    stage++;
                }
                else
                {
                    continue;
                }

                steps.Add(new Step(at, d, "stage", Stages[stage]));
                if (random.Next(5) == 0)
                {
                    steps.Add(new Step(at.AddMinutes(3), d, "probability", random.Next(0, 101).ToString(CultureInfo.InvariantCulture)));
                }

                if (random.Next(3) == 0)
                {
                    steps.Add(new Step(at.AddMinutes(5), d, "category", new[] { "pipeline", "best_case", "commit", "omitted" }[random.Next(4)]));
                }
            }

            at = at.AddDays(random.Next(1, 20)).AddHours(random.Next(0, 24));
            if (ending == 0)
            {
                steps.Add(new Step(at, d, "win", null));
            }
            else if (ending == 1)
            {
                steps.Add(new Step(at, d, "lose", "budget"));
            }
        }

        var ids = new string[deals];
        foreach (var step in steps.OrderBy(s => s.At).ThenBy(s => s.Deal))
        {
            clock.Now = step.At;
            var url = step.Kind == "create" ? "" : $"/api/v1/sales/deals/{ids[step.Deal]}";
            switch (step.Kind)
            {
                case "create":
                    var amount = (random.Next(50_000, 5_000_000) / 100m) + 0.01m;
                    var expected = DateOnly.FromDateTime(step.At.UtcDateTime).AddDays(random.Next(10, 120));
                    var deal = await store.Client.PostJson("/api/v1/sales/deals", new
                    {
                        title = $"Deal {step.Deal}", amount, expectedCloseDate = expected.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ownerRepId = reps[step.Deal % 3],
                    }).Expect(HttpStatusCode.Created);
                    ids[step.Deal] = deal["id"].Str();
                    break;
                case "stage":
                    await store.Client.PostJson($"{url}/stage", new { stage = step.Value }).Expect(HttpStatusCode.OK);
                    break;
                case "probability":
                    await store.Client.PatchJson(url, new { probability = int.Parse(step.Value!, CultureInfo.InvariantCulture) }).Expect(HttpStatusCode.OK);
                    break;
                case "category":
                    await store.Client.PatchJson(url, new { forecastCategory = step.Value }).Expect(HttpStatusCode.OK);
                    break;
                case "win":
                    await store.Client.PostJson($"{url}/win", new { }).Expect(HttpStatusCode.OK);
                    break;
                case "lose":
                    await store.Client.PostJson($"{url}/lose", new { reason = step.Value }).Expect(HttpStatusCode.OK);
                    break;
            }
        }

        clock.Now = steps.Max(s => s.At).AddDays(1);
        var (rows, history) = await RawRowsAsync(store);
        Assert.Equal(deals, rows.Count);
        Assert.True(history.Count > deals * 2, $"Only {history.Count} stage changes.");

        // A territory worked by B and C (made after the deals, so it assigned none of them).
        var coast = (await store.Client.PostJson("/api/v1/sales/territories", new { name = "Coast", countries = new[] { "PT" }, assignment = "round_robin", repIds = new[] { reps[1], reps[2] } })
            .Expect(HttpStatusCode.Created))["id"].Str();
        var windows = new[] { ("2026-02-01", "2026-06-01"), ("2026-01-01", "2026-12-31"), ("2026-03-15", "2026-04-20") };
        var scopes = new (string Query, Func<DealRow, bool> Keep)[]
        {
            ("", _ => true),
            ($"&repId={reps[0]}", d => d.Owner == Guid.Parse(reps[0])),
            ($"&teamId={east}", d => d.Owner == Guid.Parse(reps[0]) || d.Owner == Guid.Parse(reps[1])),
            ($"&teamId={west}", d => d.Owner == Guid.Parse(reps[2])),
            ($"&territoryId={coast}", d => d.Owner == Guid.Parse(reps[1]) || d.Owner == Guid.Parse(reps[2])),
        };
        var checkedFigures = 0;
        foreach (var (from, to) in windows)
        {
            foreach (var (query, keep) in scopes)
            {
                var actual = await store.Client.GetAsync($"/api/v1/sales/metrics?from={from}&to={to}{query}").Expect(HttpStatusCode.OK);
                var kept = rows.Where(keep).ToList();
                var keptIds = kept.Select(d => d.Id).ToHashSet();
                var expected = Expected(kept, history.Where(h => keptIds.Contains(h.DealId)).ToList(), DateOnly.Parse(from, CultureInfo.InvariantCulture), DateOnly.Parse(to, CultureInfo.InvariantCulture));
                foreach (var (name, value) in expected)
                {
                    var node = Path(actual, name);
                    var got = node is null ? (decimal?)null : node.GetValue<decimal>();
                    Assert.True(value == got, $"{name} over [{from}, {to}){query}: expected {value?.ToString(CultureInfo.InvariantCulture) ?? "null"}, got {got?.ToString(CultureInfo.InvariantCulture) ?? "null"}");
                    checkedFigures++;
                }
            }
        }

        // The scenario exercises what it should: closes in the window, open deals, conversions.
        var all = await store.Client.GetAsync("/api/v1/sales/metrics?from=2026-01-01&to=2026-12-31").Expect(HttpStatusCode.OK);
        Assert.True(all["won"].Int() >= 5 && all["lost"].Int() >= 5 && all["openDeals"].Int() >= 5, all.ToJsonString());
        Assert.True(checkedFigures > 200);
    }

    private static JsonNode? Path(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
        {
            node = part.StartsWith('[') ? node!.AsArray()[int.Parse(part[1..^1], CultureInfo.InvariantCulture)] : node![part];
        }

        return node;
    }

    /// <summary>Each figure by its definition in docs/sales.md, in cents and hours, rounded at the end.</summary>
    private static List<(string Name, decimal? Value)> Expected(List<DealRow> deals, List<HistoryRow> history, DateOnly from, DateOnly to)
    {
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        bool InWindow(DateTime? t) => t >= start && t < end;
        var won = deals.Where(d => d.Stage == "won" && InWindow(d.ClosedAt)).ToList();
        var lost = deals.Where(d => d.Stage == "lost" && InWindow(d.ClosedAt)).ToList();
        var open = deals.Where(d => d.Stage is not "won" and not "lost").ToList();
        long wonCents = 0, lostCents = 0;
        won.ForEach(d => wonCents += d.AmountCents);
        lost.ForEach(d => lostCents += d.AmountCents);

        decimal? R4(decimal? x) => x is null ? null : Math.Round(x.Value, 4, MidpointRounding.AwayFromZero);
        decimal? R2(decimal? x) => x is null ? null : Math.Round(x.Value, 2, MidpointRounding.AwayFromZero);

        decimal? winRate = won.Count + lost.Count > 0 ? won.Count / (decimal)(won.Count + lost.Count) : null;
        decimal? byAmount = wonCents + lostCents > 0 ? wonCents / (decimal)(wonCents + lostCents) : null;
        decimal? averageCents = won.Count > 0 ? wonCents / (decimal)won.Count : null;

        // Cycle in whole minutes (the clock only ever moved by minutes), then days.
        var minutes = won.Select(d => (long)(d.ClosedAt!.Value - d.CreatedAt).TotalMinutes).OrderBy(m => m).ToArray();
        decimal? meanDays = minutes.Length > 0 ? minutes.Sum() / (decimal)minutes.Length / 1440m : null;
        decimal? medianDays = minutes.Length == 0 ? null
            : minutes.Length % 2 == 1 ? minutes[minutes.Length / 2] / 1440m
            : (minutes[(minutes.Length / 2) - 1] + minutes[minutes.Length / 2]) / 2m / 1440m;

        long pipelineCents = 0;
        decimal weightedCents = 0;
        foreach (var d in open)
        {
            pipelineCents += d.AmountCents;
            weightedCents += d.AmountCents * d.Probability / 100m;
        }

        decimal? velocity = winRate is not null && averageCents is not null && meanDays is > 0
            ? open.Count * winRate.Value * averageCents.Value / meanDays.Value / 100m
            : null;

        var forecast = open.Where(d => d.ExpectedClose >= from && d.ExpectedClose < to).ToList();
        decimal Sum(params string[] categories) => forecast.Where(d => categories.Contains(d.Category)).Sum(d => d.AmountCents) / 100m;

        var result = new List<(string, decimal?)>
        {
            ("won", won.Count), ("lost", lost.Count), ("winRate", R4(winRate)), ("winRateByAmount", R4(byAmount)),
            ("wonAmount", wonCents / 100m), ("averageDealSize", R2(averageCents / 100m)),
            ("salesCycleDaysMedian", R2(medianDays)), ("salesCycleDaysMean", R2(meanDays)),
            ("openDeals", open.Count), ("pipelineAmount", pipelineCents / 100m), ("weightedPipeline", R2(weightedCents / 100m)),
            ("pipelineVelocityPerDay", R2(velocity)),
            ("forecast.commit", Sum("commit")), ("forecast.bestCase", Sum("commit", "best_case")), ("forecast.pipeline", Sum("commit", "best_case", "pipeline")),
        };

        // Stage conversion: entered `from` in the window (first time there), later reached `to` or beyond (lost is not beyond).
        for (var i = 0; i < 5; i++)
        {
            var fromStage = Stages[i];
            var rank = i + 1;
            var entered = 0;
            var reached = 0;
            foreach (var rows in history.GroupBy(h => h.DealId))
            {
                var ordered = rows.OrderBy(h => h.At).ThenBy(h => h.Id, StringComparer.Ordinal).ToList();
                var entry = ordered.FindIndex(h => h.To == fromStage && InWindow(h.At));
                if (entry < 0)
                {
                    continue;
                }

                entered++;
                if (ordered.Skip(entry + 1).Any(h => h.To != "lost" && Array.IndexOf(Stages, h.To) >= rank))
                {
                    reached++;
                }
            }

            result.Add(($"stageConversion.[{i}].rate", entered == 0 ? null : R4(reached / (decimal)entered)));
        }

        return result;
    }

    /// <summary>The deals and their history read with plain ADO.NET: values as the database holds them.</summary>
    private static async Task<(List<DealRow> Deals, List<HistoryRow> History)> RawRowsAsync(TestStore store)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var deals = new List<DealRow>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, amount, stage, probability, forecast_category, created_at, closed_at, expected_close_date, owner_rep_id FROM sales_deals";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                deals.Add(new DealRow(
                    AsGuid(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), reader.GetString(2),
                    Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture), reader.GetString(4), AsTime(reader.GetValue(5))!.Value,
                    AsTime(reader.GetValue(6)), AsDate(reader.GetValue(7)), reader.IsDBNull(8) ? null : AsGuid(reader.GetValue(8))));
            }
        }

        var history = new List<HistoryRow>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT deal_id, to_stage, at, id FROM sales_deal_stage_changes";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                history.Add(new HistoryRow(AsGuid(reader.GetValue(0)), reader.GetString(1), AsTime(reader.GetValue(2))!.Value, AsGuid(reader.GetValue(3)).ToString()));
            }
        }

        return (deals, history);
    }

    private static Guid AsGuid(object value) => value is Guid g ? g : Guid.Parse((string)value);

    private static DateTime? AsTime(object value) => value switch
    {
        DBNull => null,
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        DateTimeOffset o => o.UtcDateTime,
        string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new InvalidOperationException($"A time as {value.GetType()}"),
    };

    private static DateOnly AsDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        string s => DateOnly.Parse(s, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"A date as {value.GetType()}"),
    };
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Sales;

/// <summary>
/// GET /sales/forecast-accuracy against the test's own record of every deal's state: deals whose
/// category, amount, expected close date, probability and stage change before and after a period's
/// start, played through the API on a clock the test moves.
/// </summary>
public sealed class ForecastAccuracyTests
{
    private sealed record State(DateTime At, string Stage, string Category, int Probability, long Amount, DateOnly Close, string? Owner, DateTime? ClosedAt);

    private sealed record Step(DateTimeOffset At, int Deal, string Kind);

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_forecast_at_the_start_and_what_was_won_equal_the_tests_own_record_of_every_deal(string database)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 9, 1, 9, 0, 0, TimeSpan.Zero));
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<TimeProvider>(clock));
        var users = await SalesTests.StaffAsync(store, ("a@example.com", "Rep A", Role.Sales), ("b@example.com", "Rep B", Role.Sales));
        var team = (await store.Client.PostJson("/api/v1/sales/teams", new { name = "East" }).Expect(HttpStatusCode.Created))["id"].Str();
        var reps = new List<string>();
        foreach (var user in users)
        {
            reps.Add((await store.Client.PostJson("/api/v1/sales/reps", new { userId = user, teamId = team }).Expect(HttpStatusCode.Created))["id"].Str());
        }

        var random = new Random(15_2026);
        var steps = new List<Step>();
        const int count = 30;
        var start = clock.Now;
        for (var d = 0; d < count; d++)
        {
            var at = start.AddDays(random.Next(0, 75)).AddHours(random.Next(0, 8)).AddMinutes(d);
            steps.Add(new Step(at, d, "create"));
            var changes = random.Next(1, 6);
            for (var c = 0; c < changes; c++)
            {
                at = at.AddDays(random.Next(1, 12)).AddMinutes(3);
                steps.Add(new Step(at, d, random.Next(4) switch { 0 => "category", 1 => "edit", 2 => "probability", _ => "stage" }));
            }

            at = at.AddDays(random.Next(1, 20)).AddMinutes(5);
            var end = d % 3;
            if (end != 2)
            {
                steps.Add(new Step(at, d, end == 0 ? "win" : "lose"));
            }
        }

        var ids = new string[count];
        var record = Enumerable.Range(0, count).Select(_ => new List<State>()).ToArray();
        string[] categories = ["pipeline", "best_case", "commit", "omitted"];
        string[] stages = ["qualification", "proposal", "negotiation", "closing"];
        foreach (var step in steps.OrderBy(s => s.At))
        {
            clock.Now = step.At;
            var url = $"/api/v1/sales/deals/{ids[step.Deal]}";
            JsonNode deal;
            if (step.Kind == "create")
            {
                deal = await store.Client.PostJson("/api/v1/sales/deals", new
                {
                    title = $"Deal {step.Deal}",
                    amount = random.Next(100, 5000) + (random.Next(100) / 100m),
                    expectedCloseDate = Date(step.At.AddDays(random.Next(5, 70))),
                    ownerRepId = reps[random.Next(reps.Count)],
                }).Expect(HttpStatusCode.Created);
                ids[step.Deal] = deal["id"].Str();
            }
            else if (record[step.Deal][^1].ClosedAt is not null)
            {
                continue;
            }
            else
            {
                deal = step.Kind switch
                {
                    "category" => await store.Client.PatchJson(url, new { forecastCategory = categories[random.Next(categories.Length)] }).Expect(HttpStatusCode.OK),
                    "edit" => await store.Client.PatchJson(url, new
                    {
                        amount = random.Next(100, 5000) + 0.5m,
                        expectedCloseDate = Date(step.At.AddDays(random.Next(1, 60))),
                        ownerRepId = reps[random.Next(reps.Count)],
                    }).Expect(HttpStatusCode.OK),
                    "probability" => await store.Client.PatchJson(url, new { probability = random.Next(0, 101) }).Expect(HttpStatusCode.OK),
                    "stage" => await store.Client.PostJson($"{url}/stage", new { stage = stages[random.Next(stages.Length)] }).Expect(HttpStatusCode.OK),
                    "win" => await store.Client.PostJson($"{url}/win", new { }).Expect(HttpStatusCode.OK),
                    _ => await store.Client.PostJson($"{url}/lose", new { reason = "Budget" }).Expect(HttpStatusCode.OK),
                };
            }

            record[step.Deal].Add(new State(
                step.At.UtcDateTime, deal["stage"].Str(), deal["forecastCategory"].Str(), deal["probability"]!.GetValue<int>(),
                (long)(deal["amount"].Dec() * 100m), DateOnly.Parse(deal["expectedCloseDate"].Str(), CultureInfo.InvariantCulture),
                deal["ownerRepId"]?.GetValue<string>(), deal["closedAt"] is { } closed ? DateTime.Parse(closed.Str(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null));
        }

        var checkedDeals = 0;
        foreach (var (period, from, to) in new[]
        {
            ("2026-10", new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("2026-11", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("2026-Q4", new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        })
        {
            var answer = await store.Client.GetAsync($"/api/v1/sales/forecast-accuracy?period={period}").Expect(HttpStatusCode.OK);
            checkedDeals += Compare(answer, record, from, to, owner: null);
            foreach (var rep in reps)
            {
                Compare(answer["perRep"]!.AsArray().Single(r => r!["repId"].Str() == rep)!, record, from, to, owner: rep);
            }
        }

        Assert.True(checkedDeals > 5, $"Only {checkedDeals} deals were in the forecasts: the story tests too little.");
        await store.Client.GetAsync("/api/v1/sales/forecast-accuracy?period=2026-W1").ExpectProblem(HttpStatusCode.BadRequest);
    }

    /// <summary>Compares one scope (all, or one rep) and returns how many deals its forecast holds.</summary>
    private static int Compare(JsonNode answer, List<State>[] record, DateTime from, DateTime to, string? owner)
    {
        var first = DateOnly.FromDateTime(from);
        var last = DateOnly.FromDateTime(to);
        var forecast = record
            .Select(states => states.LastOrDefault(s => s.At < from))
            .Where(s => s is not null && s.Stage is not ("won" or "lost") && s.Category != "omitted" && s.Close >= first && s.Close < last && (owner is null || s.Owner == owner))
            .Select(s => s!)
            .ToList();
        long Sum(string category) => forecast.Where(s => s.Category == category).Sum(s => s.Amount);
        var commit = Sum("commit");
        var bestCase = commit + Sum("best_case");
        var pipeline = bestCase + Sum("pipeline");
        var weighted = forecast.Sum(s => (decimal)s.Amount * s.Probability / 100m);
        var wonDeals = record.Select(states => states[^1])
            .Where(s => s.Stage == "won" && s.ClosedAt >= from && s.ClosedAt < to && (owner is null || s.Owner == owner)).ToList();
        var won = wonDeals.Sum(s => s.Amount);
        var committed = record.Where(states => states.LastOrDefault(s => s.At < from) is { Category: "commit" } c && forecast.Contains(c)).Select(states => states[^1]).ToHashSet();
        var wonFromCommit = wonDeals.Where(committed.Contains).Sum(s => s.Amount);

        var f = answer["forecast"]!;
        Assert.Equal(
            (commit / 100m, bestCase / 100m, pipeline / 100m, Math.Round(weighted / 100m, 2, MidpointRounding.AwayFromZero), forecast.Count),
            (f["commit"].Dec(), f["bestCase"].Dec(), f["pipeline"].Dec(), f["weighted"].Dec(), f["deals"]!.GetValue<int>()));
        Assert.Equal((won / 100m, wonDeals.Count, wonFromCommit / 100m), (answer["won"].Dec(), answer["wonDeals"]!.GetValue<int>(), answer["wonFromCommit"].Dec()));
        Assert.Equal(commit == 0 ? null : Math.Round((decimal)won / commit, 4, MidpointRounding.AwayFromZero), answer["accuracy"]?.GetValue<decimal>());
        Assert.Equal(weighted == 0 ? null : Math.Round(won / weighted, 4, MidpointRounding.AwayFromZero), answer["weightedAccuracy"]?.GetValue<decimal>());
        return forecast.Count;
    }

    private static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

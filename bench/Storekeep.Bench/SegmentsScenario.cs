using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Spectre.Console;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Loyalty;

namespace Storekeep.Bench;

/// <summary>
/// Segment evaluation at 500,000 customers (50,000 with --quick) and 1,000,000 orders (100,000) from
/// them, bulk-loaded. Three segments made through the real app's API: profile only (country and
/// consent), figures (total spent and order count), RFM (champions). Per segment, in rounds (1
/// untimed + 5 timed): the app's live count (<c>GET /segments/{id}</c>), a hand-written Npgsql count
/// of the same customers, and the app's first page of members (<c>GET /segments/{id}/customers?limit=50</c>).
/// Every round's app count must equal the raw count, or the scenario fails. Afterwards the app's own
/// SQL (built in process by the Segments code, captured by an EF interceptor) is run under
/// EXPLAIN (ANALYZE, BUFFERS) and the plans are written to a file.
/// Ratio = median over the three segments of raw count ms ÷ app count ms.
/// </summary>
public static partial class SegmentsScenario
{
    public const string Name = "segments";
    private const int Warmup = 1;
    private const int Timed = 5;
    private const int Skus = 500;

    private sealed record Case(string Label, string Kind, object[] Rules, string RawSql);

    private sealed record Result(Case Case, long Count, double AppCountMs, double RawCountMs, double PageMs, int Rechecks);

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var customers = quick ? 50_000 : 500_000;
        var orders = quick ? 100_000 : 1_000_000;
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: segment counts and first pages at {customers:N0} customers and {orders:N0} orders; {Warmup} untimed + {Timed} timed rounds per segment (app count, raw count, app page)");
        var run = Stopwatch.StartNew();
        var now = DateTime.UtcNow;

        await using var database = await BenchDatabase.CreateAsync(ct);
        // The history holds unpaid bank transfers up to 7 days old; the sweep would cancel those past
        // the 3-day hold while the bench runs, changing spend between the app's count and the raw one.
        // The hourly RFM rescoring is pushed out of the run: the bench scores once, on request, and times it.
        var settings = new Dictionary<string, string> { ["Checkout__UnpaidOrderHoldMinutes"] = "1000000", ["Customers__RfmScoreEveryMinutes"] = "10080" };
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, settings, ct);
        await database.SeedAsync(Skus, 1_000_000, ct);
        var key = await ServerProcess.CreateApiKeyAsync(database.ConnectionString, ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var notes = new List<string>();
        notes.Add(await LoadAsync(database.ConnectionString, customers, orders, now, ct));
        notes.Add(await RebuildAsync(database.ConnectionString, orders, ct));

        var cases = new[]
        {
            new Case("DE, accepts email", "profile", [new { field = "country", op = "eq", value = "DE" }, new { field = "acceptsEmail", op = "eq", value = true }],
                "SELECT count(*) FROM customers WHERE country = 'DE' AND accepts_email"),
            new Case("spent ≥ 200, ≥ 2 orders", "figures", [new { field = "totalSpent", op = "gte", value = 200 }, new { field = "ordersCount", op = "gte", value = 2 }],
                """
                SELECT count(*) FROM customers c JOIN (
                  SELECT o.email FROM orders o
                  LEFT JOIN (SELECT order_id, SUM(amount) AS amount FROM refunds WHERE status = 'succeeded' GROUP BY order_id) rf ON rf.order_id = o.id
                  GROUP BY o.email
                  HAVING count(*) >= 2 AND SUM(CASE WHEN o.status <> 'cancelled' THEN o.total - COALESCE(rf.amount, 0) ELSE 0 END) >= 20000) s ON s.email = c.email
                """),
            // RFM segments read the scores of the last scoring run (docs/crm.md), as the raw count does;
            // the ranking itself is timed once below, against the same ranking written by hand.
            new Case("RFM champions", "rfm", [new { field = "rfmSegment", op = "eq", value = "champions" }],
                """
                SELECT count(*) FROM customers c JOIN customer_rfm_scores s ON s.email = c.email
                WHERE s.recency_score = 5 AND s.frequency_score + s.monetary_score >= 7
                """),
        };

        notes.Add(await ScoreAsync(http, database.ConnectionString, ct));

        var results = new List<Result>();
        var ids = new List<Guid>();
        foreach (var c in cases)
        {
            var clock = Stopwatch.StartNew();
            var created = await PostAsync(http, "/api/v1/segments", new { name = c.Label, match = "all", rules = c.Rules }, ct);
            var id = Guid.Parse(created.GetProperty("id").GetString()!);
            ids.Add(id);
            notes.Add(FormattableString.Invariant($"{c.Label}: POST /segments answered in {clock.Elapsed.TotalMilliseconds:0} ms (count {created.GetProperty("count").GetInt32():N0})"));
            results.Add(await MeasureAsync(http, database.ConnectionString, c, id, ct));
        }

        var table = new Table().AddColumn("segment").AddColumn(new TableColumn("count").RightAligned())
            .AddColumn(new TableColumn("app count ms").RightAligned()).AddColumn(new TableColumn("raw count ms").RightAligned())
            .AddColumn(new TableColumn("raw/app").RightAligned()).AddColumn(new TableColumn("app page ms").RightAligned());
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape($"{r.Case.Kind}: {r.Case.Label}"),
                r.Count.ToString("N0", CultureInfo.InvariantCulture),
                r.AppCountMs.ToString("0.0", CultureInfo.InvariantCulture),
                r.RawCountMs.ToString("0.0", CultureInfo.InvariantCulture),
                (r.RawCountMs / r.AppCountMs).ToString("0.000", CultureInfo.InvariantCulture),
                r.PageMs.ToString("0.0", CultureInfo.InvariantCulture));
        }

        foreach (var r in results.Where(r => r.Rechecks > 0))
        {
            notes.Add($"{r.Case.Label}: {r.Rechecks} round(s) counted differently once and agreed on the recheck");
        }

        AnsiConsole.MarkupLine("[bold]summary[/] (medians of 5 timed rounds)");
        foreach (var note in notes)
        {
            AnsiConsole.MarkupLineInterpolated($"  {note}");
        }

        AnsiConsole.Write(table);
        var measured = run.Elapsed;

        // Where the time goes: the app's own SQL under EXPLAIN ANALYZE (not part of the timings).
        var explained = Stopwatch.StartNew();
        var planFile = Path.Combine(Path.GetTempPath(), $"segments-explain-{database.Name}.txt");
        await ExplainAsync(database.ConnectionString, cases.Zip(ids).ToList(), planFile, ct);
        AnsiConsole.MarkupLineInterpolated($"EXPLAIN (ANALYZE, BUFFERS) of the app's SQL: {planFile} ({explained.Elapsed.TotalSeconds:0} s)");

        var ratio = Median(results.Select(r => r.RawCountMs / r.AppCountMs));
        Console.WriteLine(FormattableString.Invariant(
            $"sizes: {customers:N0} customers, {orders:N0} orders; measured in {measured.TotalSeconds:0} s, whole run {run.Elapsed.TotalSeconds:0} s"));
        Console.WriteLine(FormattableString.Invariant(
            $"medians: app count {string.Join(" / ", results.Select(r => r.AppCountMs.ToString("0", CultureInfo.InvariantCulture)))} ms, raw count {string.Join(" / ", results.Select(r => r.RawCountMs.ToString("0", CultureInfo.InvariantCulture)))} ms, app page {string.Join(" / ", results.Select(r => r.PageMs.ToString("0", CultureInfo.InvariantCulture)))} ms (profile / figures / rfm)"));
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.000}"));
        return 0;
    }

    private static async Task<string> LoadAsync(string connectionString, int customers, int orders, DateTime now, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            // The emails OrderLoader gives orders (customer0…customerN-1@example.com); 20 % in DE, two thirds consenting.
            await using var command = new NpgsqlCommand("""
                INSERT INTO customers (id, email, first_name, last_name, country, created_at, accepts_email, email_consent_at, email_consent_source, accepts_sms)
                SELECT gen_random_uuid(), 'customer' || g || '@example.com', 'Customer', g::text,
                  (ARRAY['DE', 'DE', 'US', 'US', 'US', 'FR', 'GB', 'NL', 'AT', 'IT'])[g % 10 + 1],
                  @now - (g % 400) * interval '1 day', g % 3 <> 0, CASE WHEN g % 3 <> 0 THEN @now END, CASE WHEN g % 3 <> 0 THEN 'bench' END, false
                FROM generate_series(0, @total - 1) AS g
                """, connection) { CommandTimeout = 600 };
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("total", customers);
            await command.ExecuteNonQueryAsync(ct);
        }

        var customersLoaded = clock.Elapsed;
        var loader = await OrderLoader.CreateAsync(connectionString, orders, customers, now, ct);
        var written = await loader.LoadAsync(_ => true, ct);
        var ordersLoaded = clock.Elapsed - customersLoaded;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE customers, orders, order_lines, payments, refunds", connection) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync(ct);
        }

        return FormattableString.Invariant(
            $"loaded {customers:N0} customers in {customersLoaded.TotalSeconds:0.0} s, {written:N0} orders (+ lines, payments, refunds) in {ordersLoaded.TotalSeconds:0.0} s, VACUUM ANALYZE {(clock.Elapsed - customersLoaded - ordersLoaded).TotalSeconds:0.0} s");
    }

    /// <summary>
    /// The COPY raised no order events, so the customers' order figures (customer_order_stats, which the
    /// app's figures segments read) are rebuilt as after any bulk load: <c>storekeep rebuild-analytics</c>.
    /// </summary>
    private static async Task<string> RebuildAsync(string connectionString, int orders, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (exitCode, output) = await ServerProcess.RunCommandAsync(connectionString, ["rebuild-analytics"], ct);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rebuild-analytics failed ({exitCode}):{Environment.NewLine}{output}");
        }

        var stats = StatsRebuildLine().Match(output);
        var rollups = RollupsRebuildLine().Match(output);
        return FormattableString.Invariant(
            $"rebuild-analytics at {orders:N0} orders: customers' order figures {(stats.Success ? $"{stats.Groups[1].Value} emails in {stats.Groups[2].Value} s" : "?")}, sales and KPI rollups {(rollups.Success ? rollups.Groups[1].Value : "?")} s ({clock.Elapsed.TotalSeconds:0.0} s with process start)");
    }

    [GeneratedRegex(@"order figures: ([0-9,]+) email\(s\) in ([0-9.]+) s")]
    private static partial Regex StatsRebuildLine();

    [GeneratedRegex(@"day\(s\) in ([0-9.]+) s")]
    private static partial Regex RollupsRebuildLine();

    /// <summary>Rounds of app count, raw count, app page; every round's two counts must agree.</summary>
    private static async Task<Result> MeasureAsync(HttpClient http, string connectionString, Case c, Guid id, CancellationToken ct)
    {
        var appCount = new List<double>();
        var rawCount = new List<double>();
        var page = new List<double>();
        var rechecks = 0;
        long count = -1;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        for (var round = 0; round < Warmup + Timed; round++)
        {
            var clock = Stopwatch.StartNew();
            var app = (await GetAsync(http, $"/api/v1/segments/{id}", ct)).GetProperty("count").GetInt32();
            var appMs = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            var raw = await RawCountAsync(connection, c.RawSql, ct);
            var rawMs = clock.Elapsed.TotalMilliseconds;

            if (app != raw)
            {
                // Nothing should move between the two counts (no orders are placed, RFM is rescored only
                // on request here); one more try, untimed, before calling it a difference all the same.
                rechecks++;
                app = (await GetAsync(http, $"/api/v1/segments/{id}", ct)).GetProperty("count").GetInt32();
                raw = await RawCountAsync(connection, c.RawSql, ct);
                if (app != raw)
                {
                    throw new InvalidOperationException($"{c.Label}: the app counts {app:N0} customers, raw SQL {raw:N0}.");
                }
            }

            clock.Restart();
            var items = (await GetAsync(http, $"/api/v1/segments/{id}/customers?limit=50", ct)).GetProperty("items").GetArrayLength();
            var pageMs = clock.Elapsed.TotalMilliseconds;
            if (items != Math.Min(50, raw))
            {
                throw new InvalidOperationException($"{c.Label}: the first page holds {items} customers of {raw:N0}.");
            }

            count = raw;
            AnsiConsole.MarkupLineInterpolated($"  {c.Label} {(round < Warmup ? "warm-up" : $"round {round}")}: {app:N0} customers; app count {appMs:0} ms, raw {rawMs:0} ms, app page {pageMs:0} ms");
            if (round >= Warmup)
            {
                appCount.Add(appMs);
                rawCount.Add(rawMs);
                page.Add(pageMs);
            }
        }

        return new Result(c, count, Median(appCount), Median(rawCount), Median(page), rechecks);
    }

    private static async Task<long> RawCountAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// One RFM scoring run through the API (POST /customers/rfm/score), against the same ranking
    /// written by hand as of the run's time: the champions each gives must be the same customers' count.
    /// </summary>
    private static async Task<string> ScoreAsync(HttpClient http, string connectionString, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var run = await PostAsync(http, "/api/v1/customers/rfm/score", new { }, ct);
        var appMs = clock.Elapsed.TotalMilliseconds;
        var scoredAt = run.GetProperty("scoredAt").GetDateTime().ToUniversalTime();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        clock.Restart();
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM customers c JOIN (
              SELECT email,
                5 - (5 * (RANK() OVER (ORDER BY recency) - 1)) / COUNT(*) OVER () AS r,
                5 - (5 * (RANK() OVER (ORDER BY frequency DESC) - 1)) / COUNT(*) OVER () AS f,
                5 - (5 * (RANK() OVER (ORDER BY monetary DESC) - 1)) / COUNT(*) OVER () AS m
              FROM (SELECT o.email, FLOOR(EXTRACT(EPOCH FROM (@now - MAX(o.created_at))) / 86400) AS recency,
                      COUNT(*) AS frequency, SUM(o.total - COALESCE(rf.amount, 0)) AS monetary
                    FROM orders o LEFT JOIN (SELECT order_id, SUM(amount) AS amount FROM refunds WHERE status = 'succeeded' GROUP BY order_id) rf ON rf.order_id = o.id
                    WHERE o.status <> 'cancelled' AND o.payment_status IN ('paid', 'partially_refunded') AND o.created_at >= @since
                    GROUP BY o.email) p) s ON s.email = c.email
            WHERE s.r = 5 AND s.f + s.m >= 7
            """, connection) { CommandTimeout = 600 };
        command.Parameters.AddWithValue("now", scoredAt);
        command.Parameters.AddWithValue("since", scoredAt.AddDays(-RfmSettings.Default.WindowDays));
        var raw = (long)(await command.ExecuteScalarAsync(ct))!;
        var rawMs = clock.Elapsed.TotalMilliseconds;
        var scored = await RawCountAsync(connection, "SELECT count(*) FROM customers c JOIN customer_rfm_scores s ON s.email = c.email WHERE s.recency_score = 5 AND s.frequency_score + s.monetary_score >= 7", ct);
        if (scored != raw)
        {
            throw new InvalidOperationException($"RFM scoring: the app's scores make {scored:N0} champions, the hand-written ranking {raw:N0}.");
        }

        return FormattableString.Invariant(
            $"RFM scoring run: {run.GetProperty("customers").GetInt32():N0} buyers scored in {appMs:0} ms (POST /customers/rfm/score); the hand-written ranking counts the same {raw:N0} champions in {rawMs:0} ms");
    }

    /// <summary>
    /// The app's SQL for each segment's count and first page of members, built by the app's own
    /// Segments code in process and run under EXPLAIN (ANALYZE, BUFFERS) by a command interceptor.
    /// </summary>
    private static async Task ExplainAsync(string connectionString, List<(Case Case, Guid Id)> segments, string file, CancellationToken ct)
    {
        var explainer = new Explainer();
        var options = new DbContextOptionsBuilder<StorekeepDbContext>();
        DatabaseSetup.Configure(options, DatabaseProvider.Postgres, connectionString);
        options.AddInterceptors(explainer);
        await using var db = new StorekeepDbContext(options.Options);
        var figures = new CustomerFigures(db, TimeProvider.System);
        var service = new Storekeep.Segments.Segments(db, figures, new LoyaltyPrograms(db, TimeProvider.System), TimeProvider.System);
        var text = new StringBuilder();
        foreach (var (c, id) in segments)
        {
            explainer.Label = $"{c.Label}: count (GET /segments/{{id}})";
            await service.GetAsync(id, ct);

            // GET /segments/{id}/customers: CustomerDirectory's page query over the member ids, then
            // the figures of the page's customers.
            explainer.Label = $"{c.Label}: first page of members";
            var members = await service.MemberIdsAsync(id, ct);
            var page = await db.Customers.AsNoTracking().Where(x => members.Contains(x.Id)).OrderByDescending(x => x.Id).Take(51).Select(x => x.Email).ToListAsync(ct);
            explainer.Label = $"{c.Label}: figures of the page's customers";
            await figures.Of([.. page.Take(50)]).ToListAsync(ct);
            explainer.Label = null;
        }

        foreach (var (label, plan) in explainer.Plans)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"==== {label}").AppendLine(plan).AppendLine();
            var execution = plan.Split('\n').LastOrDefault(l => l.Contains("Execution Time", StringComparison.Ordinal))?.Trim();
            AnsiConsole.MarkupLineInterpolated($"  EXPLAIN {label}: {execution}");
        }

        await File.WriteAllTextAsync(file, text.ToString(), ct);
    }

    /// <summary>Before each customers query of a labelled step, runs the same command text and parameters under EXPLAIN (ANALYZE, BUFFERS).</summary>
    private sealed class Explainer : DbCommandInterceptor
    {
        public string? Label { get; set; }

        public List<(string Label, string Plan)> Plans { get; } = [];

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (Label is { } label && (command.CommandText.Contains("FROM customers", StringComparison.Ordinal) || command.CommandText.Contains("FROM customer_order_stats", StringComparison.Ordinal)))
            {
                await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + command.CommandText, (NpgsqlConnection)command.Connection!, (NpgsqlTransaction?)command.Transaction) { CommandTimeout = 600 };
                foreach (NpgsqlParameter parameter in command.Parameters)
                {
                    explain.Parameters.Add(parameter.Clone());
                }

                var lines = new StringBuilder();
                await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        lines.AppendLine(reader.GetString(0));
                    }
                }

                Plans.Add((label, command.CommandText + Environment.NewLine + "----" + Environment.NewLine + lines));
            }

            return result;
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(path.TrimStart('/'), body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

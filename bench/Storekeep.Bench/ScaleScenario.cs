using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Does the back office stay fast as the store grows? Two stores, each its own database and server:
/// 10,000 orders, and 1,000,000 (200,000 with --quick) of the same 400-day history, bulk-loaded with
/// binary COPY into the app's tables (the large one gets its first 10,000 orders, then grows). The
/// app's CLI rebuilds the analytics rollups of each. Then the order list's first page, order search
/// by email, the dashboard API and the KPI report (last 12 months by month, and by category) are
/// timed, requests alternating between the stores so both see the same machine. Ratio = the largest
/// median(large) ÷ median(10k). Finally every dashboard figure, and the orders, gross and net sales
/// and units of every month of the KPI report, are checked against raw SQL to the cent (exit 1 when
/// any differs).
/// </summary>
public static partial class ScaleScenario
{
    public const string Name = "scale";
    private const int Small = 10_000;
    private const int Skus = 500;
    private const int Warmup = 5;
    private const int Timed = 30;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var large = quick ? 200_000 : 1_000_000;
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120); // the figures' table, also when redirected
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: {Small:N0} orders against {large:N0} (the same {OrderLoader.HistoryDays}-day history, denser); {Warmup} untimed + {Timed} timed requests per operation and size");
        var now = DateTime.UtcNow;
        var run = Stopwatch.StartNew();
        var stride = large / Small;

        // Two stores, each its own database and server: 10,000 orders, and the large one (its first
        // 10,000 orders loaded, then grown). Requests alternate between them, so both sizes see the
        // same machine (other processes, autovacuum) and the ratio compares sizes, not moments.
        // Customers are 30 % of each store's orders, so a customer's page of orders is alike in both.
        var starting = new[] { Store.StartAsync("10k", Small, large, now, ct), Store.StartAsync("large", large, large, now, ct) };
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }

        await using var small = starting[0].Result;
        await using var grown = starting[1].Result;

        async Task PrepareSmallAsync()
        {
            await small.LoadAsync(i => i % stride == 0, ct);
            await small.RebuildAsync(ct);
        }

        async Task PrepareLargeAsync()
        {
            await grown.LoadAsync(i => i % stride == 0, ct);
            await grown.LoadAsync(i => i % stride != 0, ct);
            await grown.RebuildAsync(ct);
        }

        await Task.WhenAll(PrepareSmallAsync(), PrepareLargeAsync());

        var rows = new List<(Timing Small, Timing Large)>();
        rows.Add(await TimeAsync(small, grown, "order list, first page (limit=50)", (_, _) => "api/v1/orders?limit=50", page => page["items"]!.AsArray().Count == 50, ct));
        rows.Add(await TimeAsync(small, grown, "order search by email", (store, n) => $"api/v1/orders?email={Uri.EscapeDataString(store.Emails[n % store.Emails.Count])}", page => page["items"]!.AsArray().Count > 0, ct));
        rows.Add(await TimeAsync(small, grown, "dashboard (/analytics/dashboard)", (_, _) => "api/v1/analytics/dashboard", view => view["periods"]!.AsArray().Count == 3, ct));

        // KPIs over the last 12 whole months (and the current one's start): by month, and by category.
        var (kpiFrom, kpiTo) = KpiRange(now);
        var kpis = FormattableString.Invariant($"api/v1/analytics/kpis?from={kpiFrom:yyyy-MM-dd}&to={kpiTo:yyyy-MM-dd}");
        rows.Add(await TimeAsync(small, grown, "KPIs by month, 12 months (/analytics/kpis)", (_, _) => kpis + "&groupBy=month", view => view["rows"]!.AsArray().Count == 12, ct));
        rows.Add(await TimeAsync(small, grown, "KPIs by category, same range", (_, _) => kpis + "&groupBy=category", view => view["rows"]!.AsArray().Count > 0, ct));

        var table = new Table().AddColumn("orders").AddColumn("operation")
            .AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("p90 ms").RightAligned()).AddColumn(new TableColumn("ratio").RightAligned());
        foreach (var row in rows.Select(r => r.Small).Concat(rows.Select(r => r.Large)))
        {
            var pair = rows.Single(r => r.Small.Operation == row.Operation);
            table.AddRow(
                row.Orders.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(row.Operation),
                row.MedianMs.ToString("0.00", CultureInfo.InvariantCulture),
                row.P90Ms.ToString("0.00", CultureInfo.InvariantCulture),
                ReferenceEquals(row, pair.Small) ? "" : (row.MedianMs / pair.Small.MedianMs).ToString("0.00", CultureInfo.InvariantCulture));
        }

        AnsiConsole.MarkupLine("[bold]summary[/]");
        foreach (var note in small.Notes.Concat(grown.Notes))
        {
            AnsiConsole.MarkupLineInterpolated($"  {note}");
        }

        AnsiConsole.Write(table);

        var exact = await DashboardEqualsRawSqlAsync(small, ct) & await DashboardEqualsRawSqlAsync(grown, ct);
        Console.WriteLine($"dashboard equals raw SQL: {(exact ? "yes" : "no")}");
        var kpisExact = await KpisEqualRawSqlAsync(small, kpiFrom, kpiTo, ct) & await KpisEqualRawSqlAsync(grown, kpiFrom, kpiTo, ct);
        Console.WriteLine($"KPIs by month equal raw SQL: {(kpisExact ? "yes" : "no")}");
        exact &= kpisExact;
        Console.WriteLine(FormattableString.Invariant($"sizes: {Small:N0} and {large:N0} orders; whole run {run.Elapsed.TotalSeconds:0} s"));
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={rows.Max(r => r.Large.MedianMs / r.Small.MedianMs):0.00}"));
        return exact ? 0 : 1;
    }

    /// <summary>One store under test: its database, server, API client and order history.</summary>
    private sealed class Store : IAsyncDisposable
    {
        private BenchDatabase database = null!;
        private ServerProcess server = null!;

        public long Size { get; private set; }

        public long Loaded { get; private set; }

        public HttpClient Http { get; private set; } = null!;

        public OrderLoader Loader { get; private set; } = null!;

        public List<string> Emails { get; } = [];

        public List<string> Notes { get; } = [];

        public string ConnectionString => database.ConnectionString;

        public required string Label { get; init; }

        public static async Task<Store> StartAsync(string label, long size, long history, DateTime now, CancellationToken ct)
        {
            var store = new Store { Label = label, Size = size };
            try
            {
                store.database = await BenchDatabase.CreateAsync(ct);
                store.server = await ServerProcess.StartAsync(store.database.ConnectionString, ct);
                await store.database.SeedAsync(Skus, 1_000_000, ct);
                var key = await ServerProcess.CreateApiKeyAsync(store.database.ConnectionString, ct);
                store.Http = new HttpClient { BaseAddress = store.server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                store.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                store.Loader = await OrderLoader.CreateAsync(store.database.ConnectionString, history, size * 3 / 10, now, ct);
                return store;
            }
            catch
            {
                await store.DisposeAsync();
                throw;
            }
        }

        public async Task LoadAsync(Func<long, bool> include, CancellationToken ct)
        {
            AnsiConsole.MarkupLineInterpolated($"{Label} store: loading orders with binary COPY…");
            var clock = Stopwatch.StartNew();
            var written = await Loader.LoadAsync(include, ct);
            var copied = clock.Elapsed;
            Loaded += written;

            // VACUUM too: the measurement should not race autovacuum over freshly copied pages.
            await using (var connection = new NpgsqlConnection(ConnectionString))
            {
                await connection.OpenAsync(ct);
                await using var analyze = new NpgsqlCommand("VACUUM ANALYZE orders, order_lines, payments, refunds", connection) { CommandTimeout = 600 };
                await analyze.ExecuteNonQueryAsync(ct);
            }

            Note(FormattableString.Invariant($"{Label} store: loaded {written:N0} orders (+ lines, payments, refunds) in {copied.TotalSeconds:0.0} s ({written / copied.TotalSeconds:N0} orders/s); VACUUM ANALYZE {(clock.Elapsed - copied).TotalSeconds:0.0} s; {Loaded:N0} orders, emails from {Size * 3 / 10:N0} customers"));
        }

        public async Task RebuildAsync(CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var (exitCode, output) = await ServerProcess.RunCommandAsync(ConnectionString, ["rebuild-analytics"], ct);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"rebuild-analytics failed ({exitCode}):{Environment.NewLine}{output}");
            }

            var reported = RebuildLine().Match(output);
            Note(FormattableString.Invariant($"{Label} store: rebuild-analytics at {Loaded:N0} orders: {(reported.Success ? reported.Groups[1].Value : "?")} s in the command ({clock.Elapsed.TotalSeconds:0.0} s with process start)"));

            // Emails of the loaded customers for the search, at random, a different one per request.
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT email FROM (SELECT DISTINCT email FROM orders) e ORDER BY random() LIMIT $1", connection);
            command.Parameters.AddWithValue(Warmup + Timed);
            await using var reader = await command.ExecuteReaderAsync(ct);
            Emails.Clear();
            while (await reader.ReadAsync(ct))
            {
                Emails.Add(reader.GetString(0));
            }
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (database is not null)
            {
                await database.DisposeAsync();
            }
        }

        private void Note(string line)
        {
            AnsiConsole.MarkupLineInterpolated($"{line}");
            Notes.Add(line);
        }
    }

    private sealed record Timing(long Orders, string Operation, double MedianMs, double P90Ms);

    /// <summary>Sequential requests alternating between the two stores (which goes first alternates too).</summary>
    private static async Task<(Timing Small, Timing Large)> TimeAsync(Store small, Store large, string operation, Func<Store, int, string> path, Func<JsonNode, bool> valid, CancellationToken ct)
    {
        AnsiConsole.MarkupLineInterpolated($"timing {operation}…");
        var times = new Dictionary<Store, List<double>> { [small] = [], [large] = [] };
        for (var n = 0; n < Warmup + Timed; n++)
        {
            foreach (var store in n % 2 == 0 ? new[] { small, large } : [large, small])
            {
                var uri = new Uri(path(store, n), UriKind.Relative);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await store.Http.GetAsync(uri, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (!response.IsSuccessStatusCode || !valid(JsonNode.Parse(body)!))
                {
                    throw new InvalidOperationException($"{operation}: unexpected answer {(int)response.StatusCode} to {uri}: {body[..Math.Min(body.Length, 400)]}");
                }

                if (n >= Warmup)
                {
                    times[store].Add(elapsed);
                }
            }
        }

        Timing Of(Store store)
        {
            var sorted = times[store].Order().ToList();
            return new Timing(store.Loaded, operation, Percentile(sorted, 0.5), Percentile(sorted, 0.9));
        }

        return (Of(small), Of(large));
    }

    private static double Percentile(List<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    /// <summary>
    /// The loaded history has unpaid bank transfers older than the unpaid-order hold: the server's
    /// sweep cancels them while the bench runs (hundreds at a million orders), and the rollups
    /// follow through the outbox a poll later. The comparison waits until no such order is left
    /// and the daily-sales subscriber has handled every event (at most two minutes).
    /// </summary>
    private static async Task SettledAsync(Store store, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT NOT EXISTS (SELECT 1 FROM orders o JOIN payments p ON p.order_id = o.id
                               WHERE o.status = 'open' AND o.payment_status = 'pending' AND o.fulfillment_status = 'unfulfilled'
                                 AND p.method <> 'card' AND p.status = 'pending' AND o.created_at < now() - interval '3 days')
               AND NOT EXISTS (SELECT 1 FROM outbox_events WHERE position IS NULL)
               AND coalesce((SELECT position FROM event_subscriptions WHERE name = 'daily-sales'), 0)
                   >= coalesce((SELECT max(position) FROM outbox_events), 0)
            """, connection);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(bool)(await command.ExecuteScalarAsync(ct))! && waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(500, ct);
        }

        if (waited.Elapsed > TimeSpan.FromSeconds(1))
        {
            AnsiConsole.MarkupLineInterpolated($"{store.Label}: waited {waited.Elapsed.TotalSeconds:0} s for the unpaid-order sweep and the rollups to settle");
        }
    }

    /// <summary>Every figure of every period (current and previous) of the API against SQL over orders, order_lines and refunds.</summary>
    private static async Task<bool> DashboardEqualsRawSqlAsync(Store store, CancellationToken ct)
    {
        await SettledAsync(store, ct);
        var asked = DateTime.UtcNow;
        var view = JsonNode.Parse(await store.Http.GetStringAsync(new Uri("api/v1/analytics/dashboard", UriKind.Relative), ct))!;
        var answered = DateTime.UtcNow;
        var currency = view["currency"]!.GetValue<string>();
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        var table = new Table().AddColumn("period").AddColumn(new TableColumn("orders").RightAligned()).AddColumn(new TableColumn("gross").RightAligned())
            .AddColumn(new TableColumn("refunds").RightAligned()).AddColumn(new TableColumn("revenue").RightAligned()).AddColumn(new TableColumn("AOV").RightAligned())
            .AddColumn(new TableColumn("units").RightAligned()).AddColumn("SQL");
        var exact = true;
        foreach (var period in view["periods"]!.AsArray())
        {
            var days = period!["days"]!.GetValue<int>();
            var from = DateOnly.Parse(period["from"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var to = DateOnly.Parse(period["to"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            // Today is compared with yesterday up to the same time of day (docs/analytics.md): the
            // previous period stops at previousUntil, which must be the moment of the request a day
            // earlier; the longer periods' previous ones are whole days, stopping where theirs start.
            var previousUntil = period["previousUntil"]!.GetValue<DateTime>().ToUniversalTime();
            var untilAsDefined = days == 1
                ? previousUntil >= asked.AddDays(-1) && previousUntil <= answered.AddDays(-1)
                : previousUntil == from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            foreach (var (which, first, until) in new[] { ("current", from, to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), ("previous", from.AddDays(-days), previousUntil) })
            {
                var api = Figures.Of(period[which]!);
                var raw = await RawAsync(connection, currency, first, until, ct);
                var equal = api == raw && untilAsDefined;
                exact &= equal;
                table.AddRow(
                    $"{days}d{(which == "previous" ? " prev" : "")}",
                    api.Orders.ToString("N0", CultureInfo.InvariantCulture), Money(api.Gross), Money(api.Refunds), Money(api.Revenue), Money(api.AverageOrderValue),
                    api.Units.ToString("N0", CultureInfo.InvariantCulture),
                    equal ? "[green]=[/]" : Markup.Escape(untilAsDefined ? $"differs: {raw}" : $"previousUntil {previousUntil:O} is not as defined"));
            }
        }

        AnsiConsole.MarkupLineInterpolated($"dashboard at {store.Loaded:N0} orders ({currency}, today {view["today"]}) against raw SQL:");
        AnsiConsole.Write(table);
        return exact;
    }

    /// <summary>The 12 whole months before the current one: [first of the month 12 months ago, first of this month).</summary>
    private static (DateOnly From, DateOnly To) KpiRange(DateTime now)
    {
        var to = new DateOnly(now.Year, now.Month, 1);
        return (to.AddMonths(-12), to);
    }

    /// <summary>Orders, gross sales, net sales and units of every month of the KPI report against SQL over orders, order_lines and refunds.</summary>
    private static async Task<bool> KpisEqualRawSqlAsync(Store store, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var view = JsonNode.Parse(await store.Http.GetStringAsync(new Uri(FormattableString.Invariant($"api/v1/analytics/kpis?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&groupBy=month"), UriKind.Relative), ct))!;
        var currency = view["currency"]!.GetValue<string>();
        const string sql = """
            WITH placed AS (
              SELECT to_char(o.created_at, 'YYYY-MM') AS month, count(*) AS orders,
                     coalesce(sum((SELECT sum(l.line_total) FROM order_lines l WHERE l.order_id = o.id)), 0)::bigint AS gross,
                     coalesce(sum((SELECT sum(l.quantity) FROM order_lines l WHERE l.order_id = o.id)), 0)::bigint AS units
              FROM orders o WHERE o.status <> 'cancelled' AND o.currency = $1 AND o.created_at >= $2 AND o.created_at < $3
              GROUP BY 1),
            refunded AS (
              SELECT to_char(r.created_at, 'YYYY-MM') AS month, sum(r.amount)::bigint AS refunds
              FROM refunds r JOIN orders o ON o.id = r.order_id
              WHERE r.status = 'succeeded' AND o.status <> 'cancelled' AND o.currency = $1 AND r.created_at >= $2 AND r.created_at < $3
              GROUP BY 1)
            SELECT coalesce(p.month, r.month), coalesce(p.orders, 0), coalesce(p.gross, 0), coalesce(r.refunds, 0), coalesce(p.units, 0)
            FROM placed p FULL JOIN refunded r ON r.month = p.month
            """;
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        command.Parameters.AddWithValue(currency);
        command.Parameters.AddWithValue(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        command.Parameters.AddWithValue(to.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var raw = new Dictionary<string, (long Orders, decimal Gross, decimal Net, long Units)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var gross = reader.GetInt64(2) / 100m;
                raw[reader.GetString(0)] = (reader.GetInt64(1), gross, gross - (reader.GetInt64(3) / 100m), reader.GetInt64(4));
            }
        }

        var table = new Table().AddColumn("month").AddColumn(new TableColumn("orders").RightAligned()).AddColumn(new TableColumn("gross").RightAligned())
            .AddColumn(new TableColumn("net").RightAligned()).AddColumn(new TableColumn("units").RightAligned()).AddColumn("SQL");
        var exact = true;
        foreach (var row in view["rows"]!.AsArray())
        {
            var key = row!["key"]!.GetValue<string>();
            var api = (row["orders"]!.GetValue<long>(), row["grossSales"]!.GetValue<decimal>(), row["netSales"]!.GetValue<decimal>(), row["units"]!.GetValue<long>());
            var expected = raw.GetValueOrDefault(key);
            var equal = api == expected;
            exact &= equal;
            table.AddRow(key, api.Item1.ToString("N0", CultureInfo.InvariantCulture), Money(api.Item2), Money(api.Item3), api.Item4.ToString("N0", CultureInfo.InvariantCulture), equal ? "[green]=[/]" : Markup.Escape($"differs: {expected}"));
        }

        exact &= raw.Keys.All(k => view["rows"]!.AsArray().Any(r => r!["key"]!.GetValue<string>() == k));
        AnsiConsole.MarkupLineInterpolated($"KPIs by month at {store.Loaded:N0} orders ({currency}, {from:yyyy-MM-dd} to {to:yyyy-MM-dd}) against raw SQL:");
        AnsiConsole.Write(table);
        return exact;
    }

    private static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>The figures of orders placed (and refunds made) from the start of <paramref name="first"/> up to <paramref name="until"/>, exclusive.</summary>
    private static async Task<Figures> RawAsync(NpgsqlConnection connection, string currency, DateOnly first, DateTime until, CancellationToken ct)
    {
        const string sql = """
            SELECT
              (SELECT count(*) FROM orders o WHERE o.status <> 'cancelled' AND o.currency = $1 AND o.created_at >= $2 AND o.created_at < $3),
              (SELECT coalesce(sum(o.total), 0)::bigint FROM orders o WHERE o.status <> 'cancelled' AND o.currency = $1 AND o.created_at >= $2 AND o.created_at < $3),
              (SELECT coalesce(sum(r.amount), 0)::bigint FROM refunds r JOIN orders o ON o.id = r.order_id
                 WHERE r.status = 'succeeded' AND o.status <> 'cancelled' AND o.currency = $1 AND r.created_at >= $2 AND r.created_at < $3),
              (SELECT coalesce(sum(l.quantity), 0)::bigint FROM order_lines l JOIN orders o ON o.id = l.order_id
                 WHERE o.status <> 'cancelled' AND o.currency = $1 AND o.created_at >= $2 AND o.created_at < $3)
            """;
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        command.Parameters.AddWithValue(currency);
        command.Parameters.AddWithValue(first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        command.Parameters.AddWithValue(until);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var orders = reader.GetInt64(0);
        var gross = reader.GetInt64(1) / 100m;
        var refunds = reader.GetInt64(2) / 100m;
        var units = reader.GetInt64(3);
        return new Figures(orders, gross, refunds, gross - refunds, orders == 0 ? 0m : Math.Round(gross / orders, 2, MidpointRounding.AwayFromZero), units);
    }

    private sealed record Figures(long Orders, decimal Gross, decimal Refunds, decimal Revenue, decimal AverageOrderValue, long Units)
    {
        public static Figures Of(JsonNode node) => new(
            node["orders"]!.GetValue<long>(),
            node["gross"]!.GetValue<decimal>(),
            node["refunds"]!.GetValue<decimal>(),
            node["revenue"]!.GetValue<decimal>(),
            node["averageOrderValue"]!.GetValue<decimal>(),
            node["units"]!.GetValue<long>());
    }

    [GeneratedRegex(@"day\(s\) in ([0-9.]+) s")]
    private static partial Regex RebuildLine();
}

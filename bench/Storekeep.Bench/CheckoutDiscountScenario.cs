using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// What discounts cost a checkout (issue 13: within 10 %). The checkout scenario's rig and carts,
/// with and without discounts: "with" is an automatic 5 % off everything and a 10 % code entered on
/// every cart (the engine picks the better one per cart); "without" is the same store with both
/// switched off and carts without a code. At each client count the two are measured in alternating
/// rounds (without, raw, with; then with, raw, without; …), so a drift of the machine or of the
/// growing store falls on both alike, and each round's raw checkout is the baseline of its two app
/// phases: the round's (app with ÷ raw) ÷ (app without ÷ raw). The result is the median of the
/// rounds, the lower of the client counts; 1.00 means discounts cost nothing, the target is ≥ 0.90.
/// Each app phase also prints the server's CPU per order.
/// </summary>
public static class CheckoutDiscountScenario
{
    public const string Name = "checkout-discounts";
    public const string Code = "BENCH10";

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var rounds = quick ? 2 : 3;
        // --quick: twelve phases in two minutes with the setup (issue 16).
        var times = quick
            ? new PhaseTimes(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
            : new PhaseTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(25));
        var phases = rounds * CheckoutBench.ClientCounts.Length;
        // Enough that no phase runs out: the app takes ~150/s, the raw transaction up to ~600/s, each over a warm-up and the measured time.
        var appPerPhase = (int)((times.Warmup + times.Measure).TotalSeconds * 200);
        var rawPerPhase = (int)((times.Warmup + times.Measure).TotalSeconds * 700);
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: 10,000 SKUs, clients {string.Join(" and ", CheckoutBench.ClientCounts)}, {rounds} rounds of without / with discounts, measured {times.Measure.TotalSeconds} s per phase");
        await using var rig = await CheckoutRig.StartAsync(10_000, 1_000_000, skus => random => CheckoutScenario.Pick(skus, random), phases * Math.Max(appPerPhase, rawPerPhase) + 2_000, minimalCarts: 0, ct);

        // Carts for the discounted phases, with the code already entered (as POST /discount-codes leaves them).
        var random = new Random(7);
        var discounted = await rig.Database.PrebuildCartsAsync(Enumerable.Range(0, phases * appPerPhase + 2_000).Select(_ => rig.Pick(random)), ct);
        await EnterCodeAsync(rig.Database.ConnectionString, discounted, ct);
        var discountedCarts = new ConcurrentQueue<PrebuiltCart>(discounted);
        await rig.WarmUpAsync(quick, ct);

        var discountIds = await CreateDiscountsAsync(rig, ct);
        AnsiConsole.MarkupLine("warming up the discount path (untimed)…");
        await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, 4, discountedCarts, new PhaseTimes(TimeSpan.FromSeconds(quick ? 3 : 6), TimeSpan.Zero), ct);
        var active = true;

        async Task<PhaseResult> AppAsync(bool withDiscounts, int clients)
        {
            if (active != withDiscounts)
            {
                await SetActiveAsync(rig, discountIds, withDiscounts, ct);
                active = withDiscounts;
            }

            var label = withDiscounts ? "with discounts" : "no discounts";
            var result = await CpuPerOrder.MeasureAsync(rig, label, clients,
                () => CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, clients, withDiscounts ? discountedCarts : rig.AppCarts, times, ct), ct);
            return result with { Name = $"app, {label}" };
        }

        var rows = new List<PhaseResult>();
        var ratios = new Dictionary<int, List<double>>();
        foreach (var clients in CheckoutBench.ClientCounts)
        {
            ratios[clients] = [];
            for (var round = 1; round <= rounds; round++)
            {
                // Alternate which goes first, so a drift within the round favours neither.
                var withFirst = round % 2 == 0;
                AnsiConsole.MarkupLineInterpolated($"{clients} clients, round {round}: {(withFirst ? "with, raw, without" : "without, raw, with")}…");
                var first = await AppAsync(withFirst, clients);
                var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, clients, rig.RawCarts, times, ct);
                var second = await AppAsync(!withFirst, clients);
                var (with, without) = withFirst ? (first, second) : (second, first);
                rows.AddRange([first, raw, second]);
                var ratio = with.Throughput / raw.Throughput / (without.Throughput / raw.Throughput);
                ratios[clients].Add(ratio);
                AnsiConsole.MarkupLineInterpolated($"  app/raw {without.Throughput / raw.Throughput:0.000} without, {with.Throughput / raw.Throughput:0.000} with: with ÷ without = {ratio:0.00}");
            }
        }

        CheckoutBench.Print(rows);
        foreach (var (clients, list) in ratios)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: with ÷ without per round {string.Join(", ", list.Select(r => r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}; median {Median(list):0.00}");
        }

        // Honest: the discounted checkouts really were discounted, by the code, to the cent.
        var (orders, discountedOrders) = await CountDiscountedAsync(rig.Database.ConnectionString, discounted, ct);
        Console.WriteLine($"discounted phases: {discountedOrders:N0} of {orders:N0} orders carry a discount");
        var overall = ratios.Values.Min(Median);
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={overall:0.00}"));
        return orders > 0 && discountedOrders == orders ? 0 : 1;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task EnterCodeAsync(string connectionString, IReadOnlyList<PrebuiltCart> carts, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var writer = await connection.BeginBinaryImportAsync("COPY cart_discount_codes (cart_id, code, added_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            var now = DateTime.UtcNow;
            foreach (var cart in carts)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(cart.Id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(Code, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await writer.CompleteAsync(ct);
        }

        // As applying a code through the API marks the cart, so pricing reads its codes.
        await using var mark = new NpgsqlCommand("UPDATE carts SET price_adjusted = TRUE WHERE id = ANY($1)", connection);
        mark.Parameters.AddWithValue(carts.Select(c => c.Id).ToArray());
        await mark.ExecuteNonQueryAsync(ct);
    }

    /// <summary>An HTTP client to the server with a new API key, as a member of staff's integration would call it.</summary>
    private static async Task<HttpClient> StaffClientAsync(CheckoutRig rig, CancellationToken ct)
    {
        var key = await ServerProcess.CreateApiKeyAsync(rig.Database.ConnectionString, ct);
        var http = new HttpClient { BaseAddress = rig.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Switches the bench's discounts on (PATCH status active) or off (deactivate), as staff would.</summary>
    private static async Task SetActiveAsync(CheckoutRig rig, IReadOnlyList<string> ids, bool active, CancellationToken ct)
    {
        using var http = await StaffClientAsync(rig, ct);
        foreach (var id in ids)
        {
            using var response = active
                ? await http.PatchAsJsonAsync($"api/v1/discounts/{id}", new { status = "active" }, ct)
                : await http.PostAsync(new Uri($"api/v1/discounts/{id}/deactivate", UriKind.Relative), null, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"switching a discount {(active ? "on" : "off")} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        }
    }

    private static async Task<IReadOnlyList<string>> CreateDiscountsAsync(CheckoutRig rig, CancellationToken ct)
    {
        var ids = new List<string>();
        using var http = await StaffClientAsync(rig, ct);
        object[] discounts =
        [
            new { title = "Everything 5 % off", type = "percentage", value = 5m, appliesTo = new { all = true }, status = "active" },
            new { title = "Bench code", code = Code, type = "percentage", value = 10m, appliesTo = new { all = true }, status = "active" },
        ];
        foreach (var discount in discounts)
        {
            using var response = await http.PostAsJsonAsync("api/v1/discounts", discount, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"creating a discount failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }

            var created = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
            ids.Add(created.GetProperty("id").GetString()!);
        }

        return ids;
    }

    private static async Task<(long Orders, long Discounted)> CountDiscountedAsync(string connectionString, IReadOnlyList<PrebuiltCart> carts, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE discount_total > 0) FROM orders WHERE cart_id = ANY(@carts)", connection);
        command.Parameters.AddWithValue("carts", carts.Select(c => c.Id).ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}

/// <summary>
/// The server's CPU per order placed during one app phase (warm-up included, background work such
/// as event subscribers and captures too), and the database's (every local <c>postgres</c>
/// process), so a discounted checkout's extra work shows as milliseconds rather than only as
/// throughput, which the phases' swings blur.
/// </summary>
internal static class CpuPerOrder
{
    public static async Task<PhaseResult> MeasureAsync(CheckoutRig rig, string label, int clients, Func<Task<PhaseResult>> phase, CancellationToken ct)
    {
        var orders = await OrdersAsync(rig.Database.ConnectionString, ct);
        var server = rig.Server.ProcessorTime;
        var database = PostgresProcessorTime();
        var result = await phase();
        var placed = Math.Max(1, await OrdersAsync(rig.Database.ConnectionString, ct) - orders);
        var serverMs = (rig.Server.ProcessorTime - server).TotalMilliseconds / placed;
        var databaseMs = (PostgresProcessorTime() - database).TotalMilliseconds / placed;
        AnsiConsole.MarkupLineInterpolated($"  {clients} clients, {label}: {placed:N0} orders, CPU per order: server {serverMs:0.00} ms, database {databaseMs:0.00} ms");
        return result;
    }

    /// <summary>
    /// CPU of the local PostgreSQL server (Linux): user and system time of every live postgres
    /// process, plus the postmaster's reaped children (backends and workers that exited), so a
    /// connection closing mid-phase does not take its CPU with it. Zero where /proc is missing.
    /// </summary>
    private static TimeSpan PostgresProcessorTime()
    {
        const double TicksPerSecond = 100; // USER_HZ on Linux
        long ticks = 0;
        foreach (var directory in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                // Fields after the command: state, ppid, …; utime, stime, cutime, cstime are the 14th–17th fields.
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)
                    + long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // Exited while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static async Task<long> OrdersAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

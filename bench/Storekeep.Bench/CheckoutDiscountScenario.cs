using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// What discounts cost a checkout (issue 13: within 10 %). The checkout scenario's rig and carts,
/// measured twice in one run: first with no discount in the store, then with an automatic 5 % off
/// everything and a 10 % code entered on every cart (the engine picks the better one per cart).
/// Each app phase is paired with the raw statements measured right after it, and the result is
/// (app ÷ raw with discounts) ÷ (app ÷ raw without): 1.00 means discounts cost nothing; the
/// target is ≥ 0.90. "Without" is measured before and again after (discounts deactivated) and
/// averaged, so the store growing during the run is not charged to the discounts. Each app phase
/// also prints the server's CPU per order.
/// </summary>
public static class CheckoutDiscountScenario
{
    public const string Name = "checkout-discounts";
    public const string Code = "BENCH10";

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var times = CheckoutBench.Times(quick);
        // Enough that no phase runs out: the raw transaction takes ~300/s at 32 clients over a warm-up and 30 s measured.
        var perPhase = quick ? 8_000 : 40_000;
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: 10,000 SKUs, clients {string.Join(" and ", CheckoutBench.ClientCounts)}, without then with discounts, measured {times.Measure.TotalSeconds} s per phase");
        // The undiscounted carts serve two passes (before and after the discounted one).
        await using var rig = await CheckoutRig.StartAsync(10_000, 1_000_000, skus => random => CheckoutScenario.Pick(skus, random), 2 * perPhase, minimalCarts: 0, ct);

        // Carts for the discounted phases, with the code already entered (as POST /discount-codes leaves them).
        var random = new Random(7);
        var discounted = await rig.Database.PrebuildCartsAsync(Enumerable.Range(0, perPhase).Select(_ => rig.Pick(random)), ct);
        await EnterCodeAsync(rig.Database.ConnectionString, discounted, ct);
        var discountedCarts = new ConcurrentQueue<PrebuiltCart>(discounted);
        var rawWith = new ConcurrentQueue<PrebuiltCart>(await rig.Database.PrebuildCartsAsync(Enumerable.Range(0, perPhase).Select(_ => rig.Pick(random)), ct));
        await rig.WarmUpAsync(quick, ct);

        var rows = new List<PhaseResult>();

        // One app phase and the raw phase after it, at each client count: app ÷ raw per client count.
        async Task<Dictionary<int, double>> PhasesAsync(string label, ConcurrentQueue<PrebuiltCart> appCarts, ConcurrentQueue<PrebuiltCart> rawCarts)
        {
            var ratio = new Dictionary<int, double>();
            foreach (var clients in CheckoutBench.ClientCounts)
            {
                AnsiConsole.MarkupLineInterpolated($"{clients} clients, {label}: app, then raw…");
                var app = await CpuPerOrder.MeasureAsync(rig, label, clients, () => CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, clients, appCarts, times, ct), ct);
                var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, clients, rawCarts, times, ct);
                rows.AddRange([app with { Name = $"app, {label}" }, raw]);
                ratio[clients] = app.Throughput / raw.Throughput;
            }

            return ratio;
        }

        var without = await PhasesAsync("no discounts", rig.AppCarts, rig.RawCarts);

        var discountIds = await CreateDiscountsAsync(rig, ct);
        AnsiConsole.MarkupLine("warming up the discount path (untimed)…");
        await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, 4, discountedCarts, new PhaseTimes(TimeSpan.FromSeconds(quick ? 3 : 6), TimeSpan.Zero), ct);
        var with = await PhasesAsync("with discounts", discountedCarts, rawWith);

        // Without discounts once more (both deactivated, carts without a code): the store has grown by
        // then (orders, outbox, ledger), so "without" is the mean of before and after, which cancels a
        // drift that would otherwise be charged to the discounts.
        await DeactivateAsync(rig, discountIds, ct);
        var again = await PhasesAsync("no discounts again", rig.AppCarts, rig.RawCarts);

        var ratios = CheckoutBench.ClientCounts.Select(c => (Clients: c, Without: (without[c] + again[c]) / 2, With: with[c])).ToList();
        CheckoutBench.Print(rows);
        foreach (var (clients, before, after) in ratios)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app/raw {without[clients]:0.00} without discounts before, {again[clients]:0.00} after (mean {before:0.00}), {after:0.00} with; with ÷ without = {after / before:0.00}");
        }

        // Honest: the discounted checkouts really were discounted, by the code, to the cent.
        var (orders, discountedOrders) = await CountDiscountedAsync(rig.Database.ConnectionString, discounted, ct);
        Console.WriteLine($"discounted phase: {discountedOrders:N0} of {orders:N0} orders carry a discount");
        var overall = ratios.Min(r => r.With / r.Without);
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={overall:0.00}"));
        return orders > 0 && discountedOrders == orders ? 0 : 1;
    }

    private static async Task EnterCodeAsync(string connectionString, IReadOnlyList<PrebuiltCart> carts, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var writer = await connection.BeginBinaryImportAsync("COPY cart_discount_codes (cart_id, code, added_at) FROM STDIN (FORMAT BINARY)", ct);
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

    private static async Task DeactivateAsync(CheckoutRig rig, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var key = await ServerProcess.CreateApiKeyAsync(rig.Database.ConnectionString, ct);
        using var http = new HttpClient { BaseAddress = rig.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var id in ids)
        {
            using var response = await http.PostAsync(new Uri($"api/v1/discounts/{id}/deactivate", UriKind.Relative), null, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"deactivating a discount failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        }
    }

    private static async Task<IReadOnlyList<string>> CreateDiscountsAsync(CheckoutRig rig, CancellationToken ct)
    {
        var ids = new List<string>();
        var key = await ServerProcess.CreateApiKeyAsync(rig.Database.ConnectionString, ct);
        using var http = new HttpClient { BaseAddress = rig.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
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
/// as event subscribers and captures too), so a discounted checkout's extra work shows as
/// milliseconds rather than only as throughput, which the raw phases' swings blur.
/// </summary>
internal static class CpuPerOrder
{
    public static async Task<PhaseResult> MeasureAsync(CheckoutRig rig, string label, int clients, Func<Task<PhaseResult>> phase, CancellationToken ct)
    {
        var orders = await OrdersAsync(rig.Database.ConnectionString, ct);
        var server = rig.Server.ProcessorTime;
        var result = await phase();
        var placed = await OrdersAsync(rig.Database.ConnectionString, ct) - orders;
        var serverMs = (rig.Server.ProcessorTime - server).TotalMilliseconds / Math.Max(1, placed);
        AnsiConsole.MarkupLineInterpolated($"  {clients} clients, {label}: {placed:N0} orders, server CPU {serverMs:0.00} ms per order");
        return result;
    }

    private static async Task<long> OrdersAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

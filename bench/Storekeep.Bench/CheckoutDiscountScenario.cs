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
/// target is ≥ 0.90.
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
        await using var rig = await CheckoutRig.StartAsync(10_000, 1_000_000, skus => random => CheckoutScenario.Pick(skus, random), perPhase, minimalCarts: 0, ct);

        // Carts for the discounted phases, with the code already entered (as POST /discount-codes leaves them).
        var random = new Random(7);
        var discounted = await rig.Database.PrebuildCartsAsync(Enumerable.Range(0, perPhase).Select(_ => rig.Pick(random)), ct);
        await EnterCodeAsync(rig.Database.ConnectionString, discounted, ct);
        var discountedCarts = new ConcurrentQueue<PrebuiltCart>(discounted);
        var rawWith = new ConcurrentQueue<PrebuiltCart>(await rig.Database.PrebuildCartsAsync(Enumerable.Range(0, perPhase).Select(_ => rig.Pick(random)), ct));
        await rig.WarmUpAsync(quick, ct);

        var rows = new List<PhaseResult>();
        var without = new Dictionary<int, double>();
        foreach (var clients in CheckoutBench.ClientCounts)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients, no discounts: app, then raw…");
            var app = await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, clients, rig.AppCarts, times, ct);
            var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, clients, rig.RawCarts, times, ct);
            rows.AddRange([app with { Name = "app, no discounts" }, raw]);
            without[clients] = app.Throughput / raw.Throughput;
        }

        await CreateDiscountsAsync(rig, ct);
        AnsiConsole.MarkupLine("warming up the discount path (untimed)…");
        await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, 4, discountedCarts, new PhaseTimes(TimeSpan.FromSeconds(quick ? 3 : 6), TimeSpan.Zero), ct);

        var ratios = new List<(int Clients, double Without, double With)>();
        foreach (var clients in CheckoutBench.ClientCounts)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients, with discounts: app, then raw…");
            var app = await CheckoutWorkload.RunAppCheckoutsAsync(rig.Server.BaseAddress, clients, discountedCarts, times, ct);
            var raw = await CheckoutWorkload.RunRawAsync(rig.Database.ConnectionString, rig.Database.WarehouseId, clients, rawWith, times, ct);
            rows.AddRange([app with { Name = "app, with discounts" }, raw]);
            ratios.Add((clients, without[clients], app.Throughput / raw.Throughput));
        }

        CheckoutBench.Print(rows);
        foreach (var (clients, before, after) in ratios)
        {
            AnsiConsole.MarkupLineInterpolated($"{clients} clients: app/raw {before:0.00} without discounts, {after:0.00} with; with ÷ without = {after / before:0.00}");
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

    private static async Task CreateDiscountsAsync(CheckoutRig rig, CancellationToken ct)
    {
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
        }
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

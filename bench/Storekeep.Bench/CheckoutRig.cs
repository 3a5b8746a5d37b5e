using System.Collections.Concurrent;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// What every checkout-shaped scenario starts from: a fresh database, the real app as a child
/// process (it migrates), bulk-seeded stock, and carts written straight into the database for
/// each side (app, the same statements raw, and the minimal transaction), so the measured phases
/// are checkouts alone.
/// </summary>
public sealed class CheckoutRig : IAsyncDisposable
{
    private CheckoutRig(BenchDatabase database, ServerProcess server, SkuPicker pick, long stockPerSku, ConcurrentQueue<PrebuiltCart> appCarts, ConcurrentQueue<PrebuiltCart> rawCarts, ConcurrentQueue<PrebuiltCart> minimalCarts)
    {
        StockPerSku = stockPerSku;
        MinimalCarts = minimalCarts;
        Database = database;
        Server = server;
        Pick = pick;
        AppCarts = appCarts;
        RawCarts = rawCarts;
    }

    public BenchDatabase Database { get; }

    public ServerProcess Server { get; }

    public SkuPicker Pick { get; }

    public ConcurrentQueue<PrebuiltCart> AppCarts { get; }

    public ConcurrentQueue<PrebuiltCart> RawCarts { get; }

    /// <summary>Carts for <see cref="MinimalCheckout"/>, apart from the others so every side consumes stock alike.</summary>
    public ConcurrentQueue<PrebuiltCart> MinimalCarts { get; }

    public long StockPerSku { get; }

    public static async Task<CheckoutRig> StartAsync(int skuCount, long stockPerSku, Func<IReadOnlyList<string>, SkuPicker> picker, int cartsPerSide, int minimalCarts, CancellationToken ct)
    {
        var database = await BenchDatabase.CreateAsync(ct);
        AnsiConsole.MarkupLineInterpolated($"database {database.Name}");
        ServerProcess? server = null;
        try
        {
            server = await ServerProcess.StartAsync(database.ConnectionString, ct);
            AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
            var seeded = DateTime.UtcNow;
            var skus = await database.SeedAsync(skuCount, stockPerSku, ct);
            AnsiConsole.MarkupLineInterpolated($"seeded {skus.Count:N0} SKUs × {stockPerSku:N0} units in {(DateTime.UtcNow - seeded).TotalSeconds:0.0} s");
            var pick = picker(skus);
            var random = new Random(42);
            var appCarts = new ConcurrentQueue<PrebuiltCart>(await database.PrebuildCartsAsync(Enumerable.Range(0, cartsPerSide).Select(_ => pick(random)), ct));
            var rawCarts = new ConcurrentQueue<PrebuiltCart>(await database.PrebuildCartsAsync(Enumerable.Range(0, cartsPerSide).Select(_ => pick(random)), ct));
            var minimal = new ConcurrentQueue<PrebuiltCart>(await database.PrebuildCartsAsync(Enumerable.Range(0, minimalCarts).Select(_ => pick(random)), ct));
            AnsiConsole.MarkupLineInterpolated($"prepared {cartsPerSide:N0} carts for the app and the same statements each, {minimalCarts:N0} for the minimal transaction");
            return new CheckoutRig(database, server, pick, stockPerSku, appCarts, rawCarts, minimal);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A cold server spends its first seconds compiling; on a busy 2-core box that is longer than
    /// a warm-up phase, so every path runs untimed first.
    /// </summary>
    public async Task WarmUpAsync(bool quick, CancellationToken ct)
    {
        AnsiConsole.MarkupLine("warming up (untimed)…");
        var prewarm = new PhaseTimes(TimeSpan.FromSeconds(quick ? 4 : 8), TimeSpan.Zero);
        await CheckoutWorkload.RunAppCartBuildingAsync(Server.BaseAddress, 4, Pick, prewarm, ct);
        await CheckoutWorkload.RunAppCheckoutsAsync(Server.BaseAddress, 4, AppCarts, prewarm, ct);
        await CheckoutWorkload.RunRawAsync(Database.ConnectionString, Database.WarehouseId, 4, RawCarts, new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.Zero), ct);
        if (!MinimalCarts.IsEmpty)
        {
            await MinimalCheckout.RunAsync(Database.ConnectionString, Database.WarehouseId, 4, MinimalCarts, new PhaseTimes(TimeSpan.FromSeconds(2), TimeSpan.Zero), ct);
        }
    }

    /// <summary>
    /// The outbox types the raw sides write instead of the app's <c>order.placed</c> and
    /// <c>order.paid</c>: the same rows (id, payload of the same size), which no subscriber of the
    /// server handles. With the app's types the server rolled up, mailed and scored the raw sides'
    /// 2,000–3,000 orders a second *while they were measured*: it took CPU from the limit it was
    /// compared with, and its memory peak came from that flood (18 times its own checkout rate),
    /// not from checkouts.
    /// </summary>
    public const string RawOrderPlaced = "bench.order_placed";

    /// <inheritdoc cref="RawOrderPlaced"/>
    public const string RawOrderPaid = "bench.order_paid";

    /// <summary>
    /// Waits (at most 3 minutes) until every event subscriber of the server has handled every
    /// outbox event and every checkout's capture is recorded, so a phase measures its own work: without it a raw phase ran beside the server
    /// still handling the app's checkouts (and, before the raw sides wrote <see cref="RawOrderPlaced"/>,
    /// the app's phase paid for the raw phases' orders). Prints the backlog it waited for.
    /// </summary>
    public async Task DrainEventsAsync(CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var behind = new Npgsql.NpgsqlCommand(
            // Events not yet given a position by the publisher, plus those the slowest subscriber has
            // not reached, plus card payments still to capture (Payments:CheckoutCapture = batched).
            """
            SELECT (SELECT count(*) FROM outbox_events WHERE position IS NULL)
                 + coalesce((SELECT max(position) FROM outbox_events), 0) - coalesce((SELECT min(position) FROM event_subscriptions), 0)
                 + (SELECT count(*) FROM payments WHERE status = 'capturing')
            """, connection);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var first = Convert.ToInt64(await behind.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        var left = first;
        while (left > 0 && started.Elapsed < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(250, ct);
            left = Convert.ToInt64(await behind.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (first > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[grey]  events drained: {first:N0} behind, {left:N0} left after {started.Elapsed.TotalSeconds:0.0} s[/]");
        }
    }

    /// <summary>Before measuring: a refused decrement must leave nothing behind (throws otherwise).</summary>
    public async Task ProbeMinimalGuardAsync(CancellationToken ct)
    {
        if (await MinimalCheckout.ProbeGuardAsync(Database.ConnectionString, Database.WarehouseId, MinimalCarts, ct) is { } failure)
        {
            throw new InvalidOperationException(failure);
        }

        AnsiConsole.MarkupLine("guard probe: a cart asking for more than there is left no order and no reservation");
    }

    /// <summary>After the phases: stock consumed equals the committed orders' units, SKU by SKU, none negative.</summary>
    public Task<string?> VerifyStockAsync(CancellationToken ct) => MinimalCheckout.VerifyStockAsync(Database.ConnectionString, StockPerSku, ct);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}

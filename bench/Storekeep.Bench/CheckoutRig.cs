using System.Collections.Concurrent;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// What every checkout-shaped scenario starts from: a fresh database, the real app as a child
/// process (it migrates), bulk-seeded stock, and carts written straight into the database for
/// each side (app and raw), so the measured phases are checkouts alone.
/// </summary>
public sealed class CheckoutRig : IAsyncDisposable
{
    private CheckoutRig(BenchDatabase database, ServerProcess server, SkuPicker pick, ConcurrentQueue<PrebuiltCart> appCarts, ConcurrentQueue<PrebuiltCart> rawCarts)
    {
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

    public static async Task<CheckoutRig> StartAsync(int skuCount, long stockPerSku, Func<IReadOnlyList<string>, SkuPicker> picker, int cartsPerSide, CancellationToken ct)
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
            AnsiConsole.MarkupLineInterpolated($"prepared {cartsPerSide:N0} carts for each side");
            return new CheckoutRig(database, server, pick, appCarts, rawCarts);
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
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}

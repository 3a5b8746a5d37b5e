using System.Collections.Concurrent;
using System.Diagnostics;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Read throughput of the catalog: the storefront product page and the product-list API against
/// a static file served by the same Kestrel (the most a request can cost less than). Closed loop,
/// 16 clients, each request a GET on a kept-alive connection. Every product page is visited once
/// first (the cache misses, reported apart); then pages drawn at random from all 10,000, once
/// alone and once while a shopper places orders (each order changes one product's stock, so only
/// that page may leave the cache). Ratio = the lower of page ÷ static (the slower page phase) and
/// list ÷ static, the static file being the faster of a run before and one after the others.
/// </summary>
public static class CatalogScenario
{
    public const string Name = "catalog";
    private const int Clients = 16;
    private const int Products = 10_000;
    private const int StockPerSku = 100;
    private const int UnitsPerOrder = 2;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var times = quick ? new PhaseTimes(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: {Products:N0} products, {Clients} clients, warm-up {times.Warmup.TotalSeconds} s, measured {times.Measure.TotalSeconds} s per phase");

        await using var database = await BenchDatabase.CreateAsync(ct);
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, ct);
        AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
        await database.SeedAsync(Products, StockPerSku, ct);

        // Every product page a shopper could land on, at random; the list API as a shop front
        // or an integration reads it, first page of 20.
        string StaticFile(Random _) => "css/storefront.css";
        string ProductPage(Random r) => $"p/bench-product-{r.Next(Products)}";
        string ProductList(Random _) => "api/v1/products?limit=20";

        AnsiConsole.MarkupLine("warming up (untimed)…");
        var prewarm = new PhaseTimes(TimeSpan.FromSeconds(quick ? 3 : 8), TimeSpan.Zero);
        foreach (var path in new Func<Random, string>[] { StaticFile, ProductPage, ProductList })
        {
            await RunGetAsync(server.BaseAddress, "warm-up", 4, path, prewarm, ct);
        }

        // A store's product pages are in the cache once each has been seen (they live 10 minutes and
        // are dropped only when their own product changes), so the page phase measures that steady
        // state: every page is visited once first, and that pass is reported apart as the cost of a
        // page built from the database (a cache miss).
        AnsiConsole.MarkupLine("first visit of every product page (cache misses)…");
        var firstVisits = await VisitEveryPageAsync(server.BaseAddress, Clients, Products, i => $"p/bench-product-{i}", ct);

        AnsiConsole.MarkupLine("static file…");
        var file = await RunGetAsync(server.BaseAddress, "static file (/css/storefront.css)", Clients, StaticFile, times, ct);
        AnsiConsole.MarkupLine("product page…");
        var page = await RunGetAsync(server.BaseAddress, "product page (/p/{slug}, random of 10,000)", Clients, ProductPage, times, ct);
        AnsiConsole.MarkupLine("product page while shoppers buy (each order changes one product's stock)…");
        var bought = new ConcurrentDictionary<int, int>();
        var warmOrders = await BuyAsync(server.BaseAddress, bought, TimeSpan.Zero, quick ? 60 : 200, ct); // a live store has sold before: its checkout code is compiled
        AnsiConsole.MarkupLineInterpolated($"{warmOrders.Count} orders placed first to warm the checkout path (untimed)");
        using var buying = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var buyer = BuyAsync(server.BaseAddress, bought, TimeSpan.FromMilliseconds(100), int.MaxValue, buying.Token);
        var pageWhileBuying = await RunGetAsync(server.BaseAddress, "product page while orders change stock", Clients, ProductPage, times, ct);
        await buying.CancelAsync();
        var orders = await buyer;
        pageWhileBuying = pageWhileBuying with { Name = $"product page while {orders.Count / (times.Warmup + times.Measure).TotalSeconds:0.0} orders/s change stock" };
        AnsiConsole.MarkupLine("product list API…");
        var list = await RunGetAsync(server.BaseAddress, "product list API (/api/v1/products?limit=20)", Clients, ProductList, times, ct);
        AnsiConsole.MarkupLine("static file again…");
        var fileAgain = await RunGetAsync(server.BaseAddress, "static file, again after the others", Clients, StaticFile, times, ct);

        CheckoutBench.Print([file, page, pageWhileBuying, list, fileAgain, firstVisits]);

        // The baseline is the faster of the two static runs: a moment of machine noise in one
        // cannot flatter the ratio.
        file = fileAgain.Throughput > file.Throughput ? fileAgain : file;
        if (!await PagesShowTheirStockAsync(server.BaseAddress, bought, ct))
        {
            return 1;
        }

        var pageRatio = file.Throughput > 0 ? Math.Min(page.Throughput, pageWhileBuying.Throughput) / file.Throughput : 0;
        var listRatio = file.Throughput > 0 ? list.Throughput / file.Throughput : 0;
        AnsiConsole.MarkupLineInterpolated($"product page / static = {pageRatio:0.00}; product list / static = {listRatio:0.00}");
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={Math.Min(pageRatio, listRatio):0.00}"));
        return 0;
    }

    /// <summary>
    /// One shopper buying: two units of a random product per order (cart, item, card checkout over
    /// the API), <paramref name="pause"/> between orders, until <paramref name="orders"/> or cancelled. Each order changes that product's stock, so
    /// its page must be dropped from the cache; a store-wide eviction would make every page a miss.
    /// </summary>
    private static async Task<LatencyRecorder> BuyAsync(Uri baseAddress, ConcurrentDictionary<int, int> bought, TimeSpan pause, int orders, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var placed = new LatencyRecorder();
        var random = new Random(4242 + orders);
        for (var i = 0; i < orders && !ct.IsCancellationRequested; i++)
        {
            var product = random.Next(Products);
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                if (await CheckoutWorkload.BuyAsync(http, $"BENCH-{product:D5}", UnitsPerOrder, orders, i, placed, ct))
                {
                    bought.AddOrUpdate(product, 1, (_, n) => n + 1);
                    placed.Record(Stopwatch.GetElapsedTime(t0));
                }
                else
                {
                    placed.Error();
                }

                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, ct);
                }
            }
            catch (Exception e) when (e is OperationCanceledException && ct.IsCancellationRequested)
            {
                break;
            }
        }

        return placed;
    }

    /// <summary>
    /// Each bought product's page must show its stock after the orders (the quantity field's maximum
    /// is the units available, up to 99): a page still cached from before an order fails the run.
    /// </summary>
    private static async Task<bool> PagesShowTheirStockAsync(Uri baseAddress, ConcurrentDictionary<int, int> bought, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        var stale = new List<string>();
        foreach (var (product, orders) in bought.OrderBy(b => b.Key).Take(50))
        {
            var page = await http.GetStringAsync(new Uri($"p/bench-product-{product}", UriKind.Relative), ct);
            var expected = $"max=\"{Math.Min(99, StockPerSku - (orders * UnitsPerOrder))}\"";
            if (!page.Contains($"Bench product {product}", StringComparison.Ordinal) || !page.Contains(expected, StringComparison.Ordinal))
            {
                stale.Add($"bench-product-{product} (bought {orders}×{UnitsPerOrder}, expected {expected})");
            }
        }

        if (stale.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]product pages not showing their stock after orders:[/] {string.Join(", ", stale)}");
            return false;
        }

        AnsiConsole.MarkupLineInterpolated($"{bought.Count:N0} products bought; the pages of {Math.Min(50, bought.Count)} of them checked: each shows its stock after the orders");
        return bought.Count > 0;
    }

    /// <summary>Every one of <paramref name="count"/> paths once, shared out among the clients; reported, not in the ratio.</summary>
    private static async Task<PhaseResult> VisitEveryPageAsync(Uri baseAddress, int clients, int count, Func<int, string> pathOf, CancellationToken ct)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        var result = await RunGetAsync(baseAddress, $"product page, first visit of each (cache miss, all {count:N0})", clients,
            _ => Interlocked.Increment(ref next) is var i && i < count ? pathOf(i) : null,
            new PhaseTimes(TimeSpan.Zero, TimeSpan.FromHours(1)), ct);
        return result with { Measured = clock.Elapsed };
    }

    /// <summary>Closed-loop GETs until the window ends or <paramref name="path"/> gives none; a request counts when it completes inside the measured window with a 2xx.</summary>
    public static async Task<PhaseResult> RunGetAsync(Uri baseAddress, string name, int clients, Func<Random, string?> path, PhaseTimes times, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var deadline = times.Warmup + times.Measure;

        async Task Client(int client)
        {
            var random = new Random(client * 31337);
            var buffer = new byte[64 * 1024];
            while (clock.Elapsed < deadline && !ct.IsCancellationRequested && path(random) is { } next)
            {
                var t0 = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var response = await http.GetAsync(new Uri(next, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
                    await using var body = await response.Content.ReadAsStreamAsync(ct);
                    while (await body.ReadAsync(buffer, ct) > 0)
                    {
                        // Read the whole body, as a browser would.
                    }

                    ok = response.IsSuccessStatusCode;
                    if (!ok)
                    {
                        latencies.Note($"{(int)response.StatusCode} on {response.RequestMessage?.RequestUri}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    latencies.Note(e.Message);
                }

                var finished = clock.Elapsed;
                if (finished < times.Warmup || finished > deadline)
                {
                    continue;
                }

                if (ok)
                {
                    latencies.Record(Stopwatch.GetElapsedTime(t0));
                }
                else
                {
                    latencies.Error();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c), ct)));
        return new PhaseResult(name, clients, latencies, times.Measure);
    }
}

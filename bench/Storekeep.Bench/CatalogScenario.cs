using System.Diagnostics;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Read throughput of the catalog: the storefront product page and the product-list API against
/// a static file served by the same Kestrel (the most a request can cost less than). Closed loop,
/// 16 clients, each request a GET on a kept-alive connection. Ratio = the lower of page ÷ static
/// and list ÷ static.
/// </summary>
public static class CatalogScenario
{
    public const string Name = "catalog";
    private const int Clients = 16;
    private const int Products = 10_000;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var times = quick ? new PhaseTimes(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)) : new PhaseTimes(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: {Products:N0} products, {Clients} clients, warm-up {times.Warmup.TotalSeconds} s, measured {times.Measure.TotalSeconds} s per phase");

        await using var database = await BenchDatabase.CreateAsync(ct);
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, ct);
        AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
        await database.SeedAsync(Products, 100, ct);

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

        AnsiConsole.MarkupLine("static file…");
        var file = await RunGetAsync(server.BaseAddress, "static file (/css/storefront.css)", Clients, StaticFile, times, ct);
        AnsiConsole.MarkupLine("product page…");
        var page = await RunGetAsync(server.BaseAddress, "product page (/p/{slug}, random of 10,000)", Clients, ProductPage, times, ct);
        AnsiConsole.MarkupLine("product list API…");
        var list = await RunGetAsync(server.BaseAddress, "product list API (/api/v1/products?limit=20)", Clients, ProductList, times, ct);

        CheckoutBench.Print([file, page, list]);
        var pageRatio = file.Throughput > 0 ? page.Throughput / file.Throughput : 0;
        var listRatio = file.Throughput > 0 ? list.Throughput / file.Throughput : 0;
        AnsiConsole.MarkupLineInterpolated($"product page / static = {pageRatio:0.00}; product list / static = {listRatio:0.00}");
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={Math.Min(pageRatio, listRatio):0.00}"));
        return 0;
    }

    /// <summary>Closed-loop GETs; a request counts when it completes inside the measured window with a 2xx.</summary>
    public static async Task<PhaseResult> RunGetAsync(Uri baseAddress, string name, int clients, Func<Random, string> path, PhaseTimes times, CancellationToken ct)
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
            while (clock.Elapsed < deadline && !ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    using var response = await http.GetAsync(new Uri(path(random), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
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

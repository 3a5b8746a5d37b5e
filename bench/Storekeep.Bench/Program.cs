using Storekeep.Bench;

// dotnet run -c Release --project bench/Storekeep.Bench -- <scenario> [--quick]
var scenarios = new Dictionary<string, Func<bool, CancellationToken, Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    [CheckoutScenario.Name] = CheckoutScenario.RunAsync,
    [CheckoutDiscountScenario.Name] = CheckoutDiscountScenario.RunAsync,
    [HotSkuScenario.Name] = HotSkuScenario.RunAsync,
    [LatencyScenario.Name] = LatencyScenario.RunAsync,
    [CatalogScenario.Name] = CatalogScenario.RunAsync,
    [ScaleScenario.Name] = ScaleScenario.RunAsync,
    [ImportScenario.Name] = ImportScenario.RunAsync,
    [OrderImportScenario.Name] = OrderImportScenario.RunAsync,
    [ForecastScenario.Name] = ForecastScenario.RunAsync,
    [CampaignScenario.Name] = CampaignScenario.RunAsync,
    [SegmentsScenario.Name] = SegmentsScenario.RunAsync,
};

var quick = args.Contains("--quick", StringComparer.OrdinalIgnoreCase);
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (args.Contains("--help", StringComparer.OrdinalIgnoreCase) || args.Contains("-h") || names.Count != 1 || !scenarios.ContainsKey(names[0]))
{
    Console.WriteLine("""
        Storekeep benchmarks: the app against the raw database, on this machine.

        usage: dotnet run -c Release --project bench/Storekeep.Bench -- <scenario> [--quick]

        scenarios:
          checkout   checkouts of 3 random SKUs out of 10,000, 8 and 32 clients: the app vs the minimal checkout
                     transaction (physical limit; prepared, batched, no TLS), and vs the app's statements raw
          checkout-discounts
                     the checkout scenario without, then with discounts (an automatic 5 % and a 10 % code on
                     every cart); ratio = (app/raw with) ÷ (app/raw without), target ≥ 0.90
          hot-sku    every checkout buys the same SKU, 8 and 32 clients, the same three sides as checkout
          latency    open-loop checkouts at half the app's saturation: p99 vs one client's minimal transaction p50
          catalog    product page and product-list API vs a static file from the same Kestrel
          scale      order list, email search and dashboard API at 10,000 vs 1,000,000 bulk-loaded orders
                     (200,000 with --quick); checks the dashboard against raw SQL to the cent
          import     Shopify CSV of 100,000 variants through the import API vs binary COPY of the same rows
          import-orders
                     order history CSV of 1,000,000 lines through the order import API vs binary COPY of the
                     same rows (50,000 with --quick); checks orders, lines and Σ line totals to the cent
          forecast   per-SKU weekly forecasts (method chosen by rolling-origin MASE, 13 weeks ahead) of 10,000
                     SKUs × 156 weeks in process (1,000 with --quick): series/s on 2 cores and 1, accuracy on
                     the held-out last 13 weeks vs seasonal naive and SES/MA13; needs no database or server
          campaign   an email campaign to 100,000 consenting customers (10,000 with --quick) into a local SMTP
                     sink: recipients/s queued vs a raw INSERT … SELECT, sent/s vs the configured rate and raw
                     MailKit sends; checks each consenting customer got exactly one message, nobody else
          segments   three segments (profile, figures, RFM champions) at 500,000 customers and 1,000,000 orders
                     (50,000 and 100,000 with --quick): median live count and first page of members through the
                     API vs a hand-written count; checks the counts agree; ratio = median raw ms ÷ app ms;
                     writes EXPLAIN (ANALYZE, BUFFERS) of the app's SQL to $TMPDIR/segments-explain-*.txt

        --quick      short phases (whole run within two minutes; import: 20,000 variants)
        --help       this text

        needs: STOREKEEP_BENCH_POSTGRES (e.g. Host=localhost;Username=postgres;Password=postgres) and a
        Release build of src/Storekeep.Web (or STOREKEEP_BENCH_SERVER=<path to storekeep.dll>).
        Each run creates a fresh database and drops it afterwards. Last line: <scenario>: ratio=<x>.
        """);
    return names.Count == 1 && !scenarios.ContainsKey(names[0]) ? 2 : 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await scenarios[names[0]](quick, cancel.Token);

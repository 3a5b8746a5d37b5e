using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Spectre.Console;

namespace Storekeep.Bench;

/// <summary>
/// Order history import: a generated CSV of 1,000,000 order lines (50,000 with --quick; 1–6 lines
/// per order, a few thousand SKUs, customers by email, categories, channel, country, cost, three
/// years of dates; every line repeats its order's fields, as a Superstore-style export does)
/// posted as multipart (<c>file</c> and <c>map</c>) to <c>POST /api/v1/orders/import</c> of the
/// real app on a fresh database, against PostgreSQL binary COPY of the equivalent rows into a
/// second fresh database with the same schema. COPY writes what the importer leaves behind: the
/// categories, one draft product and variant per SKU, the customers, the orders, their lines and
/// the one "imported" timeline entry per order, in one transaction; not the work that is the app's
/// own (reading and checking every line, the daily sales rollup it rebuilds, audit rows). Ratio =
/// COPY seconds ÷ import seconds (= import lines/s ÷ COPY lines/s). Afterwards the app's database
/// must hold exactly the expected imported orders, lines, Σ line totals (to the cent), products,
/// categories and customers, and importing the same file again (untimed) must add nothing, or the
/// scenario fails.
/// </summary>
public static class OrderImportScenario
{
    public const string Name = "import-orders";
    private const string Actor = "api-key:bench";
    private const string Header = "Order ID,Order Date,Ship Date,Customer Email,Customer Name,Company,Country,Region,City,Postal Code,Channel,Ship Mode,SKU,Product Name,Category,Quantity,Sales,Cost";

    private const string Map = """
        {"columns": {"orderNumber": "Order ID", "placedAt": "Order Date", "shippedAt": "Ship Date", "customerEmail": "Customer Email",
          "customerName": "Customer Name", "company": "Company", "country": "Country", "region": "Region", "city": "City",
          "postalCode": "Postal Code", "channel": "Channel", "shipMode": "Ship Mode", "sku": "SKU", "productTitle": "Product Name",
          "category": "Category", "quantity": "Quantity", "lineTotal": "Sales", "cost": "Cost"}, "currency": "USD"}
        """;

    private static readonly string[] Categories = ["Office Supplies", "Furniture", "Technology", "Kitchen", "Garden", "Toys", "Books", "Outdoor", "Apparel", "Beauty", "Pet Care", "Stationery"];
    private static readonly string[] Adjectives = ["Classic", "Deluxe", "Compact", "Eco", "Pro", "Mini", "Heavy-Duty", "Premium"];
    private static readonly string[] Channels = ["web", "web", "web", "retail", "marketplace"];
    private static readonly string[] ShipModes = ["Standard Class", "Standard Class", "Second Class", "First Class", "Same Day"];
    private static readonly (string Written, string Code, string Region, string City, string Postal)[] Places =
    [
        ("US", "US", "NY", "New York", "10001"), ("United States", "US", "CA", "Los Angeles", "90001"), ("US", "US", "TX", "Houston", "77001"),
        ("CA", "CA", "ON", "Toronto", "M5H 2N2"), ("United Kingdom", "GB", "England", "London", "SW1A 1AA"), ("DE", "DE", "Berlin", "Berlin", "10115"),
        ("France", "FR", "IDF", "Paris", "75001"), ("AU", "AU", "NSW", "Sydney", "2000"),
    ];

    private const int WarmupLines = 6_000;

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var lineCount = quick ? 50_000 : 1_000_000;
        var history = Generate(lineCount, skus: quick ? 1_000 : 3_000, customers: quick ? 5_000 : 60_000, prefix: "SO", skuPrefix: "SKU", emailDomain: "example.com", categorySuffix: "", seed: 42);
        var csv = ToCsv(history);
        // The warm-up runs the importer's per-batch code a few times so the JIT has tiered it up: with
        // 300 lines, background tier-1 compiles took 24 % of the server's CPU in the timed --quick import (perf, 2026-12-06).
        var warmup = ToCsv(Generate(WarmupLines, skus: 50, customers: 400, prefix: "WU", skuPrefix: "WARM", emailDomain: "warmup.example.com", categorySuffix: " (warm-up)", seed: 7));
        var expected = Expected(history);
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: order history CSV of {lineCount:N0} lines = {expected.Orders:N0} orders, {expected.Products:N0} SKUs, {expected.Customers:N0} customers ({csv.Length / 1024.0 / 1024.0:0.0} MB) vs binary COPY of the same rows");

        // The app: a fresh database it migrates, an owner API key; an untimed warm-up import of
        // other lines (other SKUs, customers and categories: JIT), then the timed import.
        double importSeconds;
        double serverCpuSeconds;
        Counts imported;
        (int NewOrders, int AlreadyImported, Counts After) reimport;
        await using (var database = await BenchDatabase.CreateAsync(ct))
        {
            AnsiConsole.MarkupLineInterpolated($"database {database.Name}");
            await using var server = await ServerProcess.StartAsync(database.ConnectionString, ct);
            AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
            var key = await ServerProcess.CreateApiKeyAsync(database.ConnectionString, ct);

            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            AnsiConsole.MarkupLineInterpolated($"warm-up import of {WarmupLines:N0} lines (untimed)…");
            await PostImportAsync(http, warmup, ct);

            AnsiConsole.MarkupLineInterpolated($"importing {lineCount:N0} lines over HTTP…");
            var cpu = server.ProcessorTime;
            var clock = Stopwatch.StartNew();
            var report = await PostImportAsync(http, csv, ct);
            importSeconds = clock.Elapsed.TotalSeconds;
            serverCpuSeconds = (server.ProcessorTime - cpu).TotalSeconds;
            AnsiConsole.MarkupLineInterpolated($"[grey]report: {report}[/]");

            imported = await CountAsync(database.ConnectionString, ct);

            // Importing the same file again must add nothing (untimed): every order already imported.
            AnsiConsole.MarkupLine("importing the same file again (untimed; must add nothing)…");
            var again = await PostImportAsync(http, csv, ct);
            reimport = (again.GetProperty("orders").GetInt32(), again.GetProperty("alreadyImported").GetInt32(), await CountAsync(database.ConnectionString, ct));
        }

        // COPY: a second fresh database, migrated by the app's own CLI.
        double copySeconds;
        Counts copied;
        await using (var database = await BenchDatabase.CreateAsync(ct))
        {
            AnsiConsole.MarkupLineInterpolated($"database {database.Name} (COPY side)");
            await ServerProcess.RunCommandOrThrowAsync(database.ConnectionString, ["migrate"], ct);
            AnsiConsole.MarkupLineInterpolated($"binary COPY of {lineCount:N0} lines…");
            var clock = Stopwatch.StartNew();
            await CopyAsync(database.ConnectionString, history, ct);
            copySeconds = clock.Elapsed.TotalSeconds;
            copied = await CountAsync(database.ConnectionString, ct);
        }

        var rows = expected.Orders * 2 + expected.Lines + expected.Products * 2 + expected.Customers + expected.Categories;
        var table = new Table().AddColumns("side", "lines", "rows", "seconds", "lines/s");
        void Row(string side, double seconds) => table.AddRow(
            side,
            lineCount.ToString("N0", CultureInfo.InvariantCulture),
            rows.ToString("N0", CultureInfo.InvariantCulture),
            seconds.ToString("0.00", CultureInfo.InvariantCulture),
            (lineCount / seconds).ToString("N0", CultureInfo.InvariantCulture));
        Row("app import (HTTP)", importSeconds);
        Row("binary COPY", copySeconds);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"import holds {imported}");
        AnsiConsole.MarkupLineInterpolated($"server CPU during the import: {serverCpuSeconds:0.0} s in {importSeconds:0.0} s (the rest is waiting on PostgreSQL or for a core)");

        var failed = false;
        foreach (var (side, counts) in new[] { ("import", imported), ("COPY", copied) })
        {
            if (counts != expected)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{side}: the database holds {counts}, expected {expected}[/]");
                failed = true;
            }
        }

        if (reimport.NewOrders != 0 || reimport.AlreadyImported != expected.Orders || reimport.After != expected)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]importing again: {reimport.NewOrders} new orders, {reimport.AlreadyImported} already imported (expected 0 and {expected.Orders}); the database holds {reimport.After}[/]");
            failed = true;
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"importing the same file again added nothing ({reimport.AlreadyImported:N0} orders already imported)");
        }

        if (failed)
        {
            return 1;
        }

        var ratio = importSeconds > 0 ? copySeconds / importSeconds : 0;
        AnsiConsole.MarkupLineInterpolated($"import {lineCount / importSeconds:0} lines/s, COPY {lineCount / copySeconds:0} lines/s: COPY time / import time = {ratio:0.000}");
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.000}"));
        return 0;
    }

    // ----- the history -----

    private sealed record GenCustomer(string Email, string Name, string? Company, int Place);

    private sealed record GenSku(string Sku, string Title, string Category, long PriceCents);

    private sealed record GenLine(GenSku Sku, int Quantity, long LineTotalCents, long CostCents);

    private sealed record GenOrder(string Number, DateTime PlacedAt, DateTime ShippedAt, GenCustomer Customer, string Channel, string ShipMode, List<GenLine> Lines);

    private sealed record Counts(long Orders, long Lines, long LineTotalCents, long Products, long Categories, long Customers)
    {
        public override string ToString() => FormattableString.Invariant(
            $"{Orders:N0} orders, {Lines:N0} lines, Σ line totals {LineTotalCents / 100m:N2}, {Products:N0} products, {Categories} categories, {Customers:N0} customers");
    }

    private static Counts Expected(List<GenOrder> history) => new(
        history.Count,
        history.Sum(o => o.Lines.Count),
        history.Sum(o => o.Lines.Sum(l => l.LineTotalCents)),
        history.SelectMany(o => o.Lines).Select(l => l.Sku.Sku).Distinct(StringComparer.Ordinal).Count(),
        history.SelectMany(o => o.Lines).Select(l => l.Sku.Category).Distinct(StringComparer.Ordinal).Count(),
        history.Select(o => o.Customer.Email).Distinct(StringComparer.Ordinal).Count());

    /// <summary>Orders of 1–6 lines (mostly 1–3) until <paramref name="lines"/> lines, over the three years before 2026-11-01; seeded.</summary>
    private static List<GenOrder> Generate(int lines, int skus, int customers, string prefix, string skuPrefix, string emailDomain, string categorySuffix, int seed)
    {
        var random = new Random(seed);
        var catalog = Enumerable.Range(0, skus).Select(i => new GenSku(
            $"{skuPrefix}-{i:D5}",
            $"{Adjectives[i % Adjectives.Length]} {Categories[i % Categories.Length].TrimEnd('s')} {i:D5}",
            Categories[(i / Adjectives.Length) % Categories.Length] + categorySuffix,
            199 + (i * 7_919L % 19_800))).ToArray();
        var people = Enumerable.Range(0, customers).Select(i => new GenCustomer(
            $"customer{i:D6}@{emailDomain}",
            $"Customer{i % 97} Buyer{i:D6}",
            i % 10 == 0 ? $"Company {i / 10} Ltd" : null,
            i % Places.Length)).ToArray();

        var end = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var span = TimeSpan.FromDays(3 * 364).Ticks;
        var orders = new List<GenOrder>(lines / 3);
        var written = 0;
        while (written < lines)
        {
            var count = Math.Min(lines - written, 1 + (int)(random.NextDouble() * random.NextDouble() * 6));
            var orderLines = new List<GenLine>(count);
            for (var l = 0; l < count; l++)
            {
                // A skewed pick: some SKUs sell far more than others.
                var u = random.NextDouble();
                var sku = catalog[(int)(u * u * skus)];
                var quantity = random.NextDouble() < 0.7 ? 1 : 2 + random.Next(4);
                var gross = sku.PriceCents * quantity;
                var total = random.NextDouble() < 0.2 ? ((gross * 85) + 50) / 100 : gross; // 15 % off on some lines
                orderLines.Add(new GenLine(sku, quantity, total, ((gross * 40) + 50) / 100));
            }

            var placed = end.AddTicks(-span + (long)((double)written / lines * span)).AddSeconds(random.Next(3_600));
            var placedAt = new DateTime(placed.Year, placed.Month, placed.Day, placed.Hour, placed.Minute, placed.Second, DateTimeKind.Utc);
            var c = random.NextDouble();
            orders.Add(new GenOrder(
                $"{prefix}-{orders.Count + 1:D7}",
                placedAt,
                placedAt.Date.AddDays(1 + random.Next(5)),
                people[(int)(c * c * customers)],
                Channels[random.Next(Channels.Length)],
                ShipModes[random.Next(ShipModes.Length)],
                orderLines));
            written += count;
        }

        return orders;
    }

    private static byte[] ToCsv(List<GenOrder> history)
    {
        var text = new StringBuilder(capacity: history.Count * 3 * 180);
        text.Append(Header).Append('\n');
        foreach (var o in history)
        {
            var place = Places[o.Customer.Place];
            foreach (var l in o.Lines)
            {
                text.Append(o.Number).Append(',')
                    .Append(o.PlacedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
                    .Append(o.ShippedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
                    .Append(o.Customer.Email).Append(',')
                    .Append(o.Customer.Name).Append(',')
                    .Append(o.Customer.Company).Append(',')
                    .Append(place.Written).Append(',')
                    .Append(place.Region).Append(',')
                    .Append(place.City).Append(',')
                    .Append(place.Postal).Append(',')
                    .Append(o.Channel).Append(',')
                    .Append(o.ShipMode).Append(',')
                    .Append(l.Sku.Sku).Append(',')
                    .Append(l.Sku.Title).Append(',')
                    .Append(l.Sku.Category).Append(',')
                    .Append(l.Quantity.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(Money(l.LineTotalCents)).Append(',')
                    .Append(Money(l.CostCents)).Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Money(long cents) => (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    // ----- the app side -----

    private static async Task<JsonElement> PostImportAsync(HttpClient http, byte[] csv, CancellationToken ct)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", "orders.csv");
        content.Add(new StringContent(Map, Encoding.UTF8), "map");
        using var response = await http.PostAsync(new Uri("api/v1/orders/import?dryRun=false", UriKind.Relative), content, ct);
        return await ImportReport.ReadAsync(response, ct);
    }

    /// <summary>What the run's own rows add up to (the warm-up's orders, SKUs, customers and categories left out).</summary>
    private static async Task<Counts> CountAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand(
            """
            SELECT
              (SELECT count(*) FROM orders WHERE source = 'import' AND external_number LIKE 'SO-%'),
              (SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.source = 'import' AND o.external_number LIKE 'SO-%'),
              (SELECT coalesce(sum(l.line_total), 0)::bigint FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.source = 'import' AND o.external_number LIKE 'SO-%'),
              (SELECT count(*) FROM product_variants WHERE sku LIKE 'SKU-%'),
              (SELECT count(*) FROM categories WHERE name NOT LIKE '%(warm-up)'),
              (SELECT count(*) FROM customers WHERE email LIKE '%@example.com')
            """, connection) { CommandTimeout = 600 };
        await using var reader = await count.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Counts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    // ----- the COPY side -----

    private static string Slug(string text) => string.Join('-', text.ToLowerInvariant().Split([' ', '(', ')'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// What the import leaves behind, written by binary COPY in one transaction: categories, one
    /// draft product and variant per SKU (price and cost per unit), customers, orders (numbers
    /// oldest first, then the order-number sequence moved past them), their lines and one timeline
    /// entry per order.
    /// </summary>
    private static async Task CopyAsync(string connectionString, List<GenOrder> history, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var now = DateTime.UtcNow;

        var lines = history.SelectMany(o => o.Lines).ToList();
        var categories = lines.Select(l => l.Sku.Category).Distinct(StringComparer.Ordinal).ToDictionary(c => c, _ => Guid.CreateVersion7(), StringComparer.Ordinal);
        using (var w = connection.BeginBinaryImport("COPY categories (id, name, slug, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (name, id) in categories)
            {
                w.StartRow();
                w.Write(id, NpgsqlDbType.Uuid);
                w.Write(name, NpgsqlDbType.Varchar);
                w.Write(Slug(name), NpgsqlDbType.Varchar);
                w.Write(now, NpgsqlDbType.TimestampTz);
            }

            w.Complete();
        }

        // The first line of each SKU sets its draft's price and cost, as the importer does.
        var firstLines = new Dictionary<string, GenLine>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            firstLines.TryAdd(line.Sku.Sku, line);
        }

        var variants = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var products = firstLines.Values.Select(l => (Line: l, ProductId: Guid.CreateVersion7(), VariantId: Guid.CreateVersion7())).ToList();
        using (var w = connection.BeginBinaryImport("COPY products (id, title, slug, category_id, status, featured, created_at, updated_at, search_text) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (line, productId, _) in products)
            {
                w.StartRow();
                w.Write(productId, NpgsqlDbType.Uuid);
                w.Write(line.Sku.Title, NpgsqlDbType.Varchar);
                w.Write(Slug(line.Sku.Title), NpgsqlDbType.Varchar);
                w.Write(categories[line.Sku.Category], NpgsqlDbType.Uuid);
                w.Write("draft", NpgsqlDbType.Varchar);
                w.Write(false, NpgsqlDbType.Boolean);
                w.Write(now, NpgsqlDbType.TimestampTz);
                w.Write(now, NpgsqlDbType.TimestampTz);
                w.Write($"{line.Sku.Title} {line.Sku.Sku}".ToLowerInvariant(), NpgsqlDbType.Varchar);
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport("COPY product_variants (id, product_id, sku, price, cost, position) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (line, productId, variantId) in products)
            {
                variants[line.Sku.Sku] = variantId;
                w.StartRow();
                w.Write(variantId, NpgsqlDbType.Uuid);
                w.Write(productId, NpgsqlDbType.Uuid);
                w.Write(line.Sku.Sku, NpgsqlDbType.Varchar);
                w.Write(PerUnit(line.LineTotalCents, line.Quantity), NpgsqlDbType.Bigint);
                w.Write(PerUnit(line.CostCents, line.Quantity), NpgsqlDbType.Bigint);
                w.Write(0, NpgsqlDbType.Integer);
            }

            w.Complete();
        }

        var customers = new Dictionary<string, Guid>(StringComparer.Ordinal);
        using (var w = connection.BeginBinaryImport("COPY customers (id, email, first_name, last_name, company, country, created_at, accepts_email, accepts_sms) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var c in history.Select(o => o.Customer).DistinctBy(c => c.Email, StringComparer.Ordinal))
            {
                var id = Guid.CreateVersion7();
                customers[c.Email] = id;
                var name = c.Name.Split(' ', 2);
                w.StartRow();
                w.Write(id, NpgsqlDbType.Uuid);
                w.Write(c.Email, NpgsqlDbType.Varchar);
                w.Write(name[0], NpgsqlDbType.Varchar);
                w.Write(name[1], NpgsqlDbType.Varchar);
                WriteOrNull(w, c.Company);
                w.Write(Places[c.Place].Code, NpgsqlDbType.Varchar);
                w.Write(now, NpgsqlDbType.TimestampTz);
                w.Write(false, NpgsqlDbType.Boolean); // an imported buyer has given no marketing consent
                w.Write(false, NpgsqlDbType.Boolean);
            }

            w.Complete();
        }

        var ordered = history.OrderBy(o => o.PlacedAt).Select(o => (Order: o, Id: Guid.CreateVersion7())).ToList();
        using (var w = connection.BeginBinaryImport(
            "COPY orders (id, number, status, payment_status, fulfillment_status, email, customer_id, channel, currency, subtotal, shipping_total, tax_total, total, prices_include_tax, shipping_method, ship_name, ship_line1, ship_city, ship_region, ship_postal_code, ship_country, created_at, updated_at, source, external_number, shipped_at) FROM STDIN (FORMAT BINARY)"))
        {
            var number = 1001L;
            foreach (var (o, id) in ordered)
            {
                var place = Places[o.Customer.Place];
                var subtotal = o.Lines.Sum(l => l.LineTotalCents);
                w.StartRow();
                w.Write(id, NpgsqlDbType.Uuid);
                w.Write(number++, NpgsqlDbType.Bigint);
                w.Write("completed", NpgsqlDbType.Varchar);
                w.Write("paid", NpgsqlDbType.Varchar);
                w.Write("delivered", NpgsqlDbType.Varchar);
                w.Write(o.Customer.Email, NpgsqlDbType.Varchar);
                w.Write(customers[o.Customer.Email], NpgsqlDbType.Uuid);
                w.Write(o.Channel, NpgsqlDbType.Varchar);
                w.Write("USD", NpgsqlDbType.Varchar);
                w.Write(subtotal, NpgsqlDbType.Bigint);
                w.Write(0L, NpgsqlDbType.Bigint);
                w.Write(0L, NpgsqlDbType.Bigint);
                w.Write(subtotal, NpgsqlDbType.Bigint);
                w.Write(false, NpgsqlDbType.Boolean);
                w.Write(o.ShipMode, NpgsqlDbType.Varchar);
                w.Write(o.Customer.Name, NpgsqlDbType.Varchar);
                w.Write("", NpgsqlDbType.Varchar);
                w.Write(place.City, NpgsqlDbType.Varchar);
                w.Write(place.Region, NpgsqlDbType.Varchar);
                w.Write(place.Postal, NpgsqlDbType.Varchar);
                w.Write(place.Code, NpgsqlDbType.Varchar);
                w.Write(o.PlacedAt, NpgsqlDbType.TimestampTz);
                w.Write(now, NpgsqlDbType.TimestampTz);
                w.Write("import", NpgsqlDbType.Varchar);
                w.Write(o.Number, NpgsqlDbType.Varchar);
                w.Write(o.ShippedAt, NpgsqlDbType.TimestampTz);
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport(
            "COPY order_lines (id, order_id, variant_id, sku, title, quantity, unit_price, line_total, tax_amount, unit_cost, fulfilled_quantity, returned_quantity) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (o, id) in ordered)
            {
                foreach (var l in o.Lines)
                {
                    w.StartRow();
                    w.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    w.Write(id, NpgsqlDbType.Uuid);
                    w.Write(variants[l.Sku.Sku], NpgsqlDbType.Uuid);
                    w.Write(l.Sku.Sku, NpgsqlDbType.Varchar);
                    w.Write(l.Sku.Title, NpgsqlDbType.Varchar);
                    w.Write(l.Quantity, NpgsqlDbType.Integer);
                    w.Write(PerUnit(l.LineTotalCents, l.Quantity), NpgsqlDbType.Bigint);
                    w.Write(l.LineTotalCents, NpgsqlDbType.Bigint);
                    w.Write(0L, NpgsqlDbType.Bigint);
                    w.Write(PerUnit(l.CostCents, l.Quantity), NpgsqlDbType.Bigint);
                    w.Write(l.Quantity, NpgsqlDbType.Integer);
                    w.Write(0, NpgsqlDbType.Integer);
                }
            }

            w.Complete();
        }

        using (var w = connection.BeginBinaryImport("COPY order_timeline (id, order_id, kind, message, actor, at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (o, id) in ordered)
            {
                w.StartRow();
                w.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                w.Write(id, NpgsqlDbType.Uuid);
                w.Write("imported", NpgsqlDbType.Varchar);
                w.Write($"Imported from order {o.Number}.", NpgsqlDbType.Varchar);
                w.Write(Actor, NpgsqlDbType.Varchar);
                w.Write(now, NpgsqlDbType.TimestampTz);
            }

            w.Complete();
        }

        await using (var sequence = new NpgsqlCommand("SELECT setval('order_numbers', (SELECT max(number) FROM orders))", connection, transaction))
        {
            await sequence.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>A line's amount per unit in cents, rounded half away from zero (the importer's Round(total ÷ quantity)).</summary>
    private static long PerUnit(long cents, int quantity) => (long)Math.Round((decimal)cents / quantity, MidpointRounding.AwayFromZero);

    private static void WriteOrNull(NpgsqlBinaryImporter w, string? value)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, NpgsqlDbType.Varchar);
        }
    }
}

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
/// Catalog import: a generated Shopify product CSV (4 variants per product, every column of
/// docs/samples/shopify-products.csv) posted to <c>POST /api/v1/products/import</c> of the real app
/// on a fresh database, against PostgreSQL binary COPY of the equivalent rows into a second fresh
/// database with the same schema. COPY writes what the import is for: categories, products, product
/// images, variants, stock levels and one ledger row (stock movement) per SKU, in one transaction;
/// not the app's machinery (outbox events, audit log). Ratio = COPY seconds ÷ import seconds
/// (= import variants/s ÷ COPY variants/s). The import is checked afterwards: exactly the expected
/// products, variants, images, stock levels, ledger rows and stock total, or the scenario fails.
/// </summary>
public static class ImportScenario
{
    public const string Name = "import";
    private const int VariantsPerProduct = 4;
    private const string WarehouseCode = "BENCH";
    private const string Actor = "api-key:bench";

    private static readonly string[] Types = ["Shirts", "Hoodies", "Jackets", "Trousers", "Shorts", "Socks", "Hats", "Bags", "Mugs", "Candles", "Notebooks", "Posters"];
    private static readonly string[] Vendors = ["Northwind Apparel", "Harbor Goods", "Fjord & Fern", "Copperleaf", "Tallow Works"];
    private static readonly string[] Colors = ["Black", "White", "Navy", "Olive", "Rust", "Sand"];
    private static readonly string[] Sizes = ["S", "M", "L", "XL"];

    public static async Task<int> RunAsync(bool quick, CancellationToken ct)
    {
        var variantCount = quick ? 20_000 : 100_000;
        var catalog = Generate(variantCount / VariantsPerProduct, "bench", seed: 42);
        var csv = ToCsv(catalog);
        var warmup = ToCsv(Generate(50, "warmup", seed: 7));
        AnsiConsole.MarkupLineInterpolated($"[bold]{Name}[/]: Shopify CSV of {catalog.Count:N0} products × {VariantsPerProduct} = {variantCount:N0} variants ({csv.Length / 1024.0 / 1024.0:0.0} MB) vs binary COPY of the same rows");

        // The app: a fresh database it migrates, one warehouse, an owner API key; an untimed warm-up
        // import of 50 other products (JIT), then the timed import.
        double importSeconds;
        double serverCpuSeconds;
        ImportCounts imported;
        var expected = Expected(catalog);
        await using (var database = await BenchDatabase.CreateAsync(ct))
        {
            AnsiConsole.MarkupLineInterpolated($"database {database.Name}");
            await using var server = await ServerProcess.StartAsync(database.ConnectionString, ct);
            AnsiConsole.MarkupLineInterpolated($"storekeep listening on {server.BaseAddress}");
            await CreateWarehouseAsync(database.ConnectionString, ct);
            var key = await ServerProcess.CreateApiKeyAsync(database.ConnectionString, ct);

            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            AnsiConsole.MarkupLine("warm-up import of 50 products (untimed)…");
            await PostImportAsync(http, warmup, ct);

            AnsiConsole.MarkupLineInterpolated($"importing {variantCount:N0} variants over HTTP…");
            var cpu = server.ProcessorTime;
            var clock = Stopwatch.StartNew();
            var report = await PostImportAsync(http, csv, ct);
            importSeconds = clock.Elapsed.TotalSeconds;
            serverCpuSeconds = (server.ProcessorTime - cpu).TotalSeconds;
            AnsiConsole.MarkupLineInterpolated($"[grey]report: {report}[/]");

            imported = await CountAsync(database.ConnectionString, "bench-", ct);
        }

        // COPY: a second fresh database, migrated by the app's own CLI, the same warehouse.
        double copySeconds;
        ImportCounts copied;
        await using (var database = await BenchDatabase.CreateAsync(ct))
        {
            AnsiConsole.MarkupLineInterpolated($"database {database.Name} (COPY side)");
            await ServerProcess.RunCommandOrThrowAsync(database.ConnectionString, ["migrate"], ct);
            var warehouseId = await CreateWarehouseAsync(database.ConnectionString, ct);
            AnsiConsole.MarkupLineInterpolated($"binary COPY of {variantCount:N0} variants…");
            var clock = Stopwatch.StartNew();
            await CopyAsync(database.ConnectionString, catalog, warehouseId, ct);
            copySeconds = clock.Elapsed.TotalSeconds;
            copied = await CountAsync(database.ConnectionString, "bench-", ct);
        }

        // Rows written: products, images, variants, stock levels and ledger rows (categories aside).
        var table = new Table().AddColumns("side", "variants", "rows", "seconds", "variants/s");
        void Row(string side, ImportCounts c, double seconds) => table.AddRow(
            side,
            c.Variants.ToString(CultureInfo.InvariantCulture),
            (c.Products + c.Images + c.Variants + c.StockLevels + c.Movements).ToString(CultureInfo.InvariantCulture),
            seconds.ToString("0.00", CultureInfo.InvariantCulture),
            (c.Variants / seconds).ToString("0", CultureInfo.InvariantCulture));
        Row("app import (HTTP)", imported, importSeconds);
        Row("binary COPY", copied, copySeconds);
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

        if (failed)
        {
            return 1;
        }

        var ratio = importSeconds > 0 ? copySeconds / importSeconds : 0;
        AnsiConsole.MarkupLineInterpolated($"import {variantCount / importSeconds:0} variants/s, COPY {variantCount / copySeconds:0} variants/s: COPY time / import time = {ratio:0.000}");
        Console.WriteLine(FormattableString.Invariant($"{Name}: ratio={ratio:0.000}"));
        return 0;
    }

    // ----- the catalog -----

    private sealed record GenVariant(string Sku, string Color, string Size, decimal Price, decimal? CompareAt, int Grams, string Barcode, int Quantity, decimal Cost);

    private sealed record GenProduct(string Handle, string Title, string Body, string Vendor, string Type, string Tags, string ImageUrl, string ImageAlt, List<GenVariant> Variants);

    private sealed record ImportCounts(long Products, long Variants, long Images, long StockLevels, long Movements, long Available);

    private static ImportCounts Expected(List<GenProduct> catalog)
    {
        var variants = catalog.Sum(p => p.Variants.Count);
        return new ImportCounts(catalog.Count, variants, catalog.Count, variants, variants, catalog.Sum(p => p.Variants.Sum(v => (long)v.Quantity)));
    }

    private static List<GenProduct> Generate(int products, string prefix, int seed)
    {
        var random = new Random(seed);
        var catalog = new List<GenProduct>(products);
        for (var i = 0; i < products; i++)
        {
            var type = Types[random.Next(Types.Length)];
            var vendor = Vendors[random.Next(Vendors.Length)];
            var handle = $"{prefix}-{type.ToLowerInvariant()}-{i:D6}";
            var title = $"{vendor.Split(' ')[0]} {type.TrimEnd('s')} No. {i}";
            var body = $"<p>The {title.ToLowerInvariant()}: made to last, in {Colors[random.Next(Colors.Length)].ToLowerInvariant()} and more.</p>\n<ul>\n<li>Fits \"true to size\"</li>\n<li>Care: see label</li>\n</ul>";
            var price = 5m + random.Next(0, 20_000) / 100m;
            var color = Colors[random.Next(Colors.Length)];
            var variants = new List<GenVariant>(VariantsPerProduct);
            for (var v = 0; v < VariantsPerProduct; v++)
            {
                var size = Sizes[v % Sizes.Length];
                variants.Add(new GenVariant(
                    $"{prefix.ToUpperInvariant()}-{i:D6}-{color[..3].ToUpperInvariant()}-{size}",
                    color,
                    size,
                    price + v,
                    random.Next(3) == 0 ? price + v + 10m : null,
                    100 + random.Next(2_000),
                    (4_000_000_000_000L + (long)i * VariantsPerProduct + v).ToString(CultureInfo.InvariantCulture),
                    1 + random.Next(200),
                    Math.Round(price * 0.4m, 2)));
            }

            catalog.Add(new GenProduct(handle, title, body, vendor, type, $"{type.ToLowerInvariant()}, {color.ToLowerInvariant()}, new", $"https://cdn.example.com/{handle}.jpg", $"{title} in {color.ToLowerInvariant()}", variants));
        }

        return catalog;
    }

    private static byte[] ToCsv(List<GenProduct> catalog)
    {
        var text = new StringBuilder(capacity: catalog.Count * 1_000);
        text.Append("Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Variant Image,Variant Weight Unit,Cost per item,Status\n");
        foreach (var p in catalog)
        {
            for (var i = 0; i < p.Variants.Count; i++)
            {
                var v = p.Variants[i];
                var first = i == 0;
                string[] fields =
                [
                    p.Handle,
                    first ? p.Title : "",
                    first ? p.Body : "",
                    first ? p.Vendor : "",
                    first ? "Apparel & Accessories > " + p.Type : "",
                    first ? p.Type : "",
                    first ? p.Tags : "",
                    first ? "TRUE" : "",
                    first ? "Color" : "",
                    v.Color,
                    first ? "Size" : "",
                    v.Size,
                    "",
                    "",
                    v.Sku,
                    v.Grams.ToString(CultureInfo.InvariantCulture),
                    "shopify",
                    v.Quantity.ToString(CultureInfo.InvariantCulture),
                    "deny",
                    "manual",
                    v.Price.ToString("0.00", CultureInfo.InvariantCulture),
                    v.CompareAt?.ToString("0.00", CultureInfo.InvariantCulture) ?? "",
                    "TRUE",
                    "TRUE",
                    v.Barcode,
                    first ? p.ImageUrl : "",
                    first ? "1" : "",
                    first ? p.ImageAlt : "",
                    first ? "FALSE" : "",
                    first ? $"{p.Title} | {p.Vendor}" : "",
                    "",
                    "",
                    "g",
                    v.Cost.ToString("0.00", CultureInfo.InvariantCulture),
                    first ? "active" : "",
                ];
                for (var f = 0; f < fields.Length; f++)
                {
                    if (f > 0)
                    {
                        text.Append(',');
                    }

                    var field = fields[f];
                    if (field.AsSpan().IndexOfAny(",\"\n\r") >= 0)
                    {
                        text.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                    }
                    else
                    {
                        text.Append(field);
                    }
                }

                text.Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    // ----- the app side -----

    private static async Task<JsonElement> PostImportAsync(HttpClient http, byte[] csv, CancellationToken ct)
    {
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await http.PostAsync(new Uri($"api/v1/products/import?dryRun=false&warehouse={WarehouseCode}", UriKind.Relative), content, ct);
        return await ImportReport.ReadAsync(response, ct);
    }

    private static async Task<Guid> CreateWarehouseAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var id = Guid.CreateVersion7();
        await using var insert = new NpgsqlCommand("INSERT INTO warehouses (id, code, name, priority, created_at) VALUES ($1, $2, 'Bench warehouse', 0, $3)", connection);
        insert.Parameters.AddWithValue(id);
        insert.Parameters.AddWithValue(WarehouseCode);
        insert.Parameters.AddWithValue(DateTime.UtcNow);
        await insert.ExecuteNonQueryAsync(ct);
        return id;
    }

    private static async Task<ImportCounts> CountAsync(string connectionString, string handlePrefix, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand(
            """
            SELECT
              (SELECT count(*) FROM products WHERE slug LIKE $1),
              (SELECT count(*) FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.slug LIKE $1),
              (SELECT count(*) FROM product_images i JOIN products p ON p.id = i.product_id WHERE p.slug LIKE $1),
              (SELECT count(*) FROM stock_levels WHERE sku LIKE $2),
              (SELECT count(*) FROM stock_movements WHERE sku LIKE $2),
              (SELECT coalesce(sum(on_hand - reserved), 0)::bigint FROM stock_levels WHERE sku LIKE $2)
            """, connection);
        count.Parameters.AddWithValue(handlePrefix + "%");
        count.Parameters.AddWithValue(handlePrefix.ToUpperInvariant() + "%");
        await using var reader = await count.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new ImportCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    // ----- the COPY side -----

    private static long Cents(decimal amount) => (long)Math.Round(amount * 100m, MidpointRounding.AwayFromZero);

    /// <summary>
    /// What the import leaves behind, written by binary COPY in one transaction: the categories
    /// (from Type), products (search text as the app builds it), images, variants, stock levels
    /// and one adjustment per SKU in the stock ledger.
    /// </summary>
    private static async Task CopyAsync(string connectionString, List<GenProduct> catalog, Guid warehouseId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var now = DateTime.UtcNow;
        var reference = $"import:{Guid.CreateVersion7()}";

        var categories = catalog.Select(p => p.Type).Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => Guid.CreateVersion7(), StringComparer.Ordinal);
        await using (var writer = await connection.BeginBinaryImportAsync("COPY categories (id, name, slug, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (name, id) in categories)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(id, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(name, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(name.ToLowerInvariant(), NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await writer.CompleteAsync(ct);
        }

        var productIds = catalog.Select(_ => Guid.CreateVersion7()).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY products (id, title, slug, description, vendor, product_type, category_id, tags, status, featured, seo_title, option1_name, option2_name, created_at, updated_at, search_text) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < catalog.Count; i++)
            {
                var p = catalog[i];
                var searchText = string.Join(' ', new[] { p.Title }.Concat(p.Variants.SelectMany(v => new[] { v.Sku, v.Barcode, $"{v.Color} / {v.Size}" })).Append(p.Body)).ToLowerInvariant();
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(productIds[i], NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(p.Title, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(p.Handle, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(p.Body, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(p.Vendor, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(p.Type, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(categories[p.Type], NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(p.Tags, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync("active", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await writer.WriteAsync($"{p.Title} | {p.Vendor}", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync("Color", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync("Size", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(searchText, NpgsqlDbType.Varchar, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY product_images (id, product_id, url, alt_text, position) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < catalog.Count; i++)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(productIds[i], NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(catalog[i].ImageUrl, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(catalog[i].ImageAlt, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(1, NpgsqlDbType.Integer, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY product_variants (id, product_id, sku, title, option1, option2, price, compare_at_price, cost, weight_grams, barcode, position) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < catalog.Count; i++)
            {
                for (var position = 0; position < catalog[i].Variants.Count; position++)
                {
                    var v = catalog[i].Variants[position];
                    await writer.StartRowAsync(ct);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(productIds[i], NpgsqlDbType.Uuid, ct);
                    await writer.WriteAsync(v.Sku, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync($"{v.Color} / {v.Size}", NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(v.Color, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(v.Size, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(Cents(v.Price), NpgsqlDbType.Bigint, ct);
                    if (v.CompareAt is { } compareAt)
                    {
                        await writer.WriteAsync(Cents(compareAt), NpgsqlDbType.Bigint, ct);
                    }
                    else
                    {
                        await writer.WriteNullAsync(ct);
                    }

                    await writer.WriteAsync(Cents(v.Cost), NpgsqlDbType.Bigint, ct);
                    await writer.WriteAsync(v.Grams, NpgsqlDbType.Integer, ct);
                    await writer.WriteAsync(v.Barcode, NpgsqlDbType.Varchar, ct);
                    await writer.WriteAsync(position, NpgsqlDbType.Integer, ct);
                }
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY stock_levels (id, warehouse_id, sku, on_hand, reserved, low_stock_threshold) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var v in catalog.SelectMany(p => p.Variants))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(warehouseId, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(v.Sku, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync((long)v.Quantity, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(5L, NpgsqlDbType.Bigint, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY stock_movements (id, warehouse_id, sku, type, on_hand_delta, reserved_delta, reason, actor, reference, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var v in catalog.SelectMany(p => p.Variants))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(warehouseId, NpgsqlDbType.Uuid, ct);
                await writer.WriteAsync(v.Sku, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync("adjustment", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync((long)v.Quantity, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync($"Shopify CSV import: available set to {v.Quantity}", NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(Actor, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(reference, NpgsqlDbType.Varchar, ct);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }
}

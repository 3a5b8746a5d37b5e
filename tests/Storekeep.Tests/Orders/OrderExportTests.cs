using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Orders;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Cli;

namespace Storekeep.Tests.Orders;

/// <summary>
/// The order CSV export (issue 13): orders placed through the real checkout with and without
/// discount codes, exported over HTTP and read back with CsvHelper, against raw SQL over the tables.
/// </summary>
public sealed class OrderExportTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_export_shows_each_orders_discounts_and_codes_as_the_tables_hold_them(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("MUG-1", 20.00m, main: 50);
        await store.AddProductAsync("TEE-1", 30.00m, main: 50, title: "=SUM(A1:A9)");
        await store.Client.PostJson("/api/v1/discounts", new { title = "Ten off", code = "SAVE10", type = "percentage", value = 10m, appliesTo = new { all = true }, status = "active" })
            .Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Free shipping", code = "SHIPFREE", type = "free_shipping" }).Expect(HttpStatusCode.Created);

        var withCode = await PlaceAsync(store, "ada@example.com", "SAVE10", ("MUG-1", 2), ("TEE-1", 1));
        var without = await PlaceAsync(store, "=cmd@example.com", null, ("MUG-1", 1));
        var freeShipping = await PlaceAsync(store, "grace@example.com", "SHIPFREE", ("MUG-1", 1));
        await store.Client.PostJson($"/api/v1/orders/{withCode["id"].Str()}/refunds", new { lines = new[] { new { sku = "MUG-1", quantity = 1 } } })
            .Expect(HttpStatusCode.Created);

        // Placement days set apart, the first placed last-but-one in time, so the order of the file is by time and not by number.
        await SetPlacedAsync(store, withCode, new DateTime(2026, 3, 2, 23, 59, 59, DateTimeKind.Utc));
        await SetPlacedAsync(store, without, new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc));
        await SetPlacedAsync(store, freeShipping, new DateTime(2026, 3, 3, 0, 0, 0, DateTimeKind.Utc));
        long N(JsonNode order) => order["number"]!.GetValue<long>();

        var response = await store.Client.GetAsync("/api/v1/orders/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        Assert.Matches(@"^orders-\d{4}-\d{2}-\d{2}\.csv$", response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "");
        var (header, rows) = await ReadAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(OrderCsvColumns.Orders, header);
        Assert.Equal([N(without), N(withCode), N(freeShipping)], rows.Select(r => long.Parse(r["number"], CultureInfo.InvariantCulture)));
        Assert.Equal(["2026-03-01T10:00:00Z", "2026-03-02T23:59:59Z", "2026-03-03T00:00:00Z"], rows.Select(r => r["placedAt"]));

        // Every money figure equals one computed from the lines in SQL, to the cent.
        var raw = await RawFiguresAsync(store);
        foreach (var row in rows)
        {
            var expected = raw[long.Parse(row["number"], CultureInfo.InvariantCulture)];
            Assert.Equal(expected, (Cents(row["subtotal"]), Cents(row["discountTotal"]), Cents(row["shippingDiscount"]), Cents(row["total"]), Cents(row["refunded"])));
            Assert.Matches(@"^\d+\.\d{2}$", row["total"]);
        }

        var byNumber = rows.ToDictionary(r => long.Parse(r["number"], CultureInfo.InvariantCulture));
        var ada = byNumber[N(withCode)];
        Assert.Equal(("SAVE10", "ada@example.com", "3", "open", "partially_refunded", "unfulfilled"),
            (ada["discountCodes"], ada["email"], ada["itemCount"], ada["status"], ada["paymentStatus"], ada["fulfillmentStatus"]));
        Assert.Equal(7.00m, Money(ada["discountTotal"])); // 10 % of 70.00
        Assert.NotEqual(0m, Money(ada["refunded"]));
        Assert.Equal(("", "'=cmd@example.com"), (byNumber[N(without)]["discountCodes"], byNumber[N(without)]["email"])); // a formula is escaped
        var grace = byNumber[N(freeShipping)];
        Assert.Equal(("SHIPFREE", 5.99m, 5.99m), (grace["discountCodes"], Money(grace["shippingDiscount"]), Money(grace["discountTotal"])));
        Assert.Equal(("online_store", "checkout", "USD"), (grace["channel"], grace["source"], grace["currency"]));

        // The lines: their discounts add up to the order's discount less its shipping discount.
        var (lineHeader, lines) = await ReadAsync(await (await store.Client.GetAsync("/api/v1/orders/export?lines=true")).Content.ReadAsStringAsync());
        Assert.Equal(OrderCsvColumns.Lines, lineHeader);
        Assert.Equal(4, lines.Count);
        foreach (var row in rows)
        {
            var own = lines.Where(l => l["number"] == row["number"]).ToList();
            Assert.Equal(Cents(row["discountTotal"]) - Cents(row["shippingDiscount"]), own.Sum(l => Cents(l["discount"])));
            Assert.Equal(Cents(row["subtotal"]), own.Sum(l => Cents(l["lineSubtotal"])));
            Assert.All(own, l => Assert.Equal(Cents(l["lineSubtotal"]) - Cents(l["discount"]), Cents(l["netTotal"])));
        }

        var tee = lines.Single(l => l["sku"] == "TEE-1");
        Assert.Equal(("'=SUM(A1:A9)", "SAVE10", "30.00", "3.00", "0"), (tee["title"], tee["discountCodes"], tee["lineSubtotal"], tee["discount"], tee["refundedQuantity"]));
        var mugs = lines.Single(l => l["sku"] == "MUG-1" && l["number"] == ada["number"]);
        Assert.Equal(("2", "20.00", "40.00", "4.00", "1"), (mugs["quantity"], mugs["unitPrice"], mugs["lineSubtotal"], mugs["discount"], mugs["refundedQuantity"]));
        Assert.Equal("", lines.Single(l => l["number"] == grace["number"])["discountCodes"]); // free shipping is not on a line

        // from and to are whole UTC days, both included.
        Assert.Equal([N(withCode)], await NumbersAsync(store, "from=2026-03-02&to=2026-03-02"));
        Assert.Equal([N(withCode), N(freeShipping)], await NumbersAsync(store, "from=2026-03-02"));
        Assert.Equal([N(without), N(withCode)], await NumbersAsync(store, "to=2026-03-02"));
        Assert.Equal([N(without), N(withCode), N(freeShipping)], await NumbersAsync(store, "status=open"));
        Assert.Empty(await NumbersAsync(store, "status=cancelled"));

        // Bad parameters are a problem before anything is streamed.
        var problem = await store.Client.GetAsync("/api/v1/orders/export?from=03/01/2026").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]?["from"]);
        await store.Client.GetAsync("/api/v1/orders/export?from=2026-03-02&to=2026-03-01").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.GetAsync("/api/v1/orders/export?status=shipped&lines=maybe").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Pages_of_orders_placed_at_the_same_instant_lose_and_repeat_none(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var count = (2 * OrderCsvExporter.PageSize) + 37;
        var instant = new DateTime(2026, 2, 1, 12, 0, 0, DateTimeKind.Utc);
        await using (var db = store.Db())
        {
            // Numbers shuffled against insertion; most orders share one instant, so the keyset's tie-break on the number matters.
            var numbers = Enumerable.Range(1, count).Select(i => 50_000L + ((i * 7919L) % count)).ToList();
            for (var i = 0; i < count; i++)
            {
                var placed = i % 5 == 0 ? instant.AddSeconds(i) : instant;

                // An address per order: EF tracks an owned instance with one owner only.
                db.Orders.Add(Order.Imported(numbers[i], $"#{numbers[i]}", "ada@example.com", null, "USD",
                    new Address { Name = "Ada", Line1 = "1 Main St", City = "Springfield", PostalCode = "12345", Country = "US" }, null,
                    [new OrderLine { Sku = "MUG", Title = "Mug", Quantity = 1, UnitPrice = 1.25m, LineTotal = 1.25m }],
                    0m, 0m, placed, placed, null, Actor.System, placed));
            }

            await db.SaveChangesAsync();
        }

        var response = await store.Client.GetAsync("/api/v1/orders/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, rows) = await ReadAsync(await response.Content.ReadAsStringAsync());
        await using var check = store.Db();
        var expected = await check.Orders.OrderBy(o => o.CreatedAt).ThenBy(o => o.Number).Select(o => o.Number).ToListAsync();
        Assert.Equal(count, expected.Distinct().Count());
        Assert.Equal(expected, rows.Select(r => long.Parse(r["number"], CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal(("1.25", "import", "0.00"), (r["total"], r["channel"], r["discountTotal"])));
    }

    [Fact]
    public async Task The_cli_and_the_back_office_export_and_only_order_readers_may()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.AddProductAsync("MUG-1", 12.50m, main: 50);
        await store.Client.PostJson("/api/v1/discounts", new { title = "Five off", code = "FIVE", type = "fixed_amount", value = 5m }).Expect(HttpStatusCode.Created);
        var order = await PlaceAsync(store, "ada@example.com", "FIVE", ("MUG-1", 2));
        await PlaceAsync(store, "grace@example.com", null, ("MUG-1", 1));
        await SetPlacedAsync(store, order, new DateTime(2025, 12, 31, 12, 0, 0, DateTimeKind.Utc));

        var directory = Directory.CreateTempSubdirectory("storekeep-orders-");
        try
        {
            var file = Path.Combine(directory.FullName, "orders.csv");
            var (exit, output) = await store.RunCliAsync("orders", "export", file, "--from", "2025-12-01", "--to", "2025-12-31");
            Assert.True(exit == StorekeepCli.Ok, output);
            Assert.Contains("Exported 1 order", output, StringComparison.Ordinal);
            var (header, rows) = await ReadAsync(await File.ReadAllTextAsync(file));
            Assert.Equal(OrderCsvColumns.Orders, header);
            Assert.Equal(("ada@example.com", "FIVE", "25.00", "5.00", "20.00"), (rows.Single()["email"], rows[0]["discountCodes"], rows[0]["subtotal"], rows[0]["discountTotal"], rows[0]["total"]));

            var (linesExit, linesOutput) = await store.RunCliAsync("orders", "export", file, "--lines");
            Assert.True(linesExit == StorekeepCli.Ok, linesOutput);
            var (lineHeader, lines) = await ReadAsync(await File.ReadAllTextAsync(file));
            Assert.Equal(OrderCsvColumns.Lines, lineHeader);
            Assert.Equal(2, lines.Count);

            var (badExit, badOutput) = await store.RunCliAsync("orders", "export", file, "--from", "yesterday");
            Assert.Equal(StorekeepCli.Usage, badExit);
            Assert.Contains("'from' must be a date", badOutput, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        // Who may: orders.read (the warehouse too, as for the order list); not marketing, not anonymous.
        Assert.Equal(HttpStatusCode.Unauthorized, (await store.Anonymous.GetAsync("/api/v1/orders/export")).StatusCode);
        await (await store.ClientForAsync(Role.Marketing)).GetAsync("/api/v1/orders/export").ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await (await store.ClientForAsync(Role.Warehouse)).GetAsync("/api/v1/orders/export")).StatusCode);

        // The back office: the list links to the download, which keeps the page's filters.
        var manager = await store.SignedInStaffAsync(Role.Manager);
        Assert.Contains("/admin/orders/export.csv", await manager.GetPageAsync("/admin/orders"), StringComparison.Ordinal);
        var download = await manager.GetAsync("/admin/orders/export.csv?from=2025-12-31&to=2025-12-31");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        var (_, listed) = await ReadAsync(await download.Content.ReadAsStringAsync());
        Assert.Equal(order["number"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), listed.Single()["number"]);
        var (_, cancelled) = await ReadAsync(await (await manager.GetAsync("/admin/orders/export.csv?tab=cancelled")).Content.ReadAsStringAsync());
        Assert.Empty(cancelled);
        var marketing = await store.SignedInStaffAsync(Role.Marketing);
        Assert.NotEqual(HttpStatusCode.OK, (await marketing.GetAsync("/admin/orders/export.csv")).StatusCode);
    }

    private static async Task<JsonNode> PlaceAsync(TestStore store, string email, string? code, params (string Sku, int Quantity)[] lines)
    {
        var cart = await store.CartWithAsync(store.Anonymous, lines);
        if (code is not null)
        {
            await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code }).Expect(HttpStatusCode.OK);
        }

        return await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email)).Expect(HttpStatusCode.Created);
    }

    private static async Task SetPlacedAsync(TestStore store, JsonNode order, DateTime at)
    {
        var id = Guid.Parse(order["id"].Str());
        await using var db = store.Db();
        await db.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.CreatedAt, at));
    }

    private static async Task<List<long>> NumbersAsync(TestStore store, string query)
    {
        var response = await store.Client.GetAsync("/api/v1/orders/export?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (_, rows) = await ReadAsync(await response.Content.ReadAsStringAsync());
        return rows.Select(r => long.Parse(r["number"], CultureInfo.InvariantCulture)).ToList();
    }

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static long Cents(string text) => MinorUnits.ToMinor(Money(text));

    private static Task<(IReadOnlyList<string> Header, List<Dictionary<string, string>> Rows)> ReadAsync(string text) => CsvText.ReadAsync(text);

    /// <summary>
    /// Per order number, straight from the tables in cents: the lines' subtotal, the lines' discounts plus
    /// the shipping discount, the shipping discount, subtotal − discounts + shipping + tax, and succeeded refunds.
    /// </summary>
    private static async Task<Dictionary<long, (long, long, long, long, long)>> RawFiguresAsync(TestStore store)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT o.number, s.sub, s.disc + o.shipping_discount, o.shipping_discount,
                   s.sub - s.disc - o.shipping_discount + o.shipping_total + CASE WHEN o.prices_include_tax THEN 0 ELSE o.tax_total END,
                   (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded')
            FROM orders o
            JOIN (SELECT order_id, SUM(line_total) AS sub, SUM(discount_amount) AS disc FROM order_lines GROUP BY order_id) s ON s.order_id = o.id
            """;
        var figures = new Dictionary<long, (long, long, long, long, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            long L(int i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
            figures[L(0)] = (L(1), L(2), L(3), L(4), L(5));
        }

        return figures;
    }
}

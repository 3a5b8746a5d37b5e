using Microsoft.EntityFrameworkCore;
using Storekeep.Catalog;
using Storekeep.Orders;
using Storekeep.Orders.Import;
using Storekeep.Tests.Api;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Orders.Import.OrderImportTestData;

namespace Storekeep.Tests.Orders.Import;

public sealed class OrderImportTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Lines_group_into_orders_whose_totals_match_the_file_to_the_cent(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("KNOWN-1", 10m, main: 7);
        var stockBefore = await store.ScalarAsync("SELECT COUNT(*) FROM stock_movements");
        var onHandBefore = await store.ScalarAsync("SELECT SUM(on_hand) FROM stock_levels");
        var csv = Csv(
            "A-1,2023-05-01,2023-05-03,ann@example.com,Ann Lee,KNOWN-1,Known,,2,20.00,,,,US",
            "A-2,2023-05-02,,bo@example.com,Bo Chen,NEW-1,Desk lamp,Lighting,1,0.125,,,,CA",     // half a cent: 0.13
            "A-1,2023-05-01,,ann@example.com,,NEW-2,Shade,Lighting,3,,0.335,,,US",               // 0.335 × 3 = 1.005 → 1.01
            "A-2,2023-05-02,,bo@example.com,,NEW-1,Desk lamp,Lighting,2,2.345,,,0.5,CA",         // 2.35, cost 2.35 − 0.50
            "A-3,2023-06-10,,ann@example.com,,KNOWN-1,Known,,4,,12.50,5.00,,US");                // 12.50 × 4 − 5.00 = 45.00

        var report = await store.ImportOrdersAsync(csv, GenericMap);

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal((5, 3, 5, 2, 1, 2, 0), (report.Lines, report.Orders, report.OrderLines, report.NewProducts, report.NewCategories, report.NewCustomers, report.AlreadyImported));
        Assert.Equal(20.00m + 0.13m + 1.01m + 2.35m + 45.00m, report.Revenue);

        // Exact to the cent, summed by the database itself (money is stored as integer cents).
        Assert.Equal(6849, await store.ScalarAsync("SELECT SUM(total) FROM orders WHERE source = 'import'"));
        Assert.Equal(6849, await store.ScalarAsync("SELECT SUM(line_total) FROM order_lines"));
        Assert.Equal(2101, await store.ScalarAsync("SELECT total FROM orders WHERE external_number = 'A-1'"));
        Assert.Equal(248, await store.ScalarAsync("SELECT total FROM orders WHERE external_number = 'A-2'"));
        Assert.Equal(101, await store.ScalarAsync("SELECT line_total FROM order_lines WHERE sku = 'NEW-2'"));
        Assert.Equal(13, await store.ScalarAsync("SELECT MIN(line_total) FROM order_lines WHERE sku = 'NEW-1'"));

        await using var db = store.Db();
        var orders = await db.Orders.Include(o => o.Lines).Where(o => o.Source == OrderSources.Import).OrderBy(o => o.Number).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["A-1", "A-2", "A-3"], orders.Select(o => o.ExternalNumber)); // numbered oldest first
        var a1 = orders[0];
        Assert.Equal((OrderStatus.Completed, PaymentStatus.Paid, FulfillmentStatus.Delivered), (a1.Status, a1.PaymentStatus, a1.FulfillmentStatus));
        Assert.Equal((new DateTime(2023, 5, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2023, 5, 3, 0, 0, 0, DateTimeKind.Utc)), (a1.CreatedAt, a1.ShippedAt));
        Assert.Equal(("ann@example.com", "Ann Lee", "US"), (a1.Email, a1.ShippingAddress.Name, a1.ShippingAddress.Country));
        Assert.All(orders.SelectMany(o => o.Lines), l => Assert.Equal(l.Quantity, l.FulfilledQuantity));
        Assert.Equal(0.93m, orders[1].Lines.Single(l => l.LineTotal == 2.35m).UnitCost); // cost = 2.35 − 0.50 profit; 1.85 / 2 = 0.925 → 0.93
        Assert.True(orders.Select(o => o.Number).Distinct().Count() == 3);

        // Unknown SKUs became draft products, in a new category; the customers exist, matched by email.
        var lamp = await db.Products.Include(p => p.Variants).Include(p => p.Category).SingleAsync(p => p.Variants.Any(v => v.Sku == "NEW-1"), TestContext.Current.CancellationToken);
        Assert.Equal(("Desk lamp", ProductStatus.Draft, "Lighting"), (lamp.Title, lamp.Status, lamp.Category?.Name));
        Assert.Equal(lamp.Variants.Single().Id, orders[1].Lines.First(l => l.Sku == "NEW-1").VariantId);
        var ann = await db.Customers.SingleAsync(c => c.Email == "ann@example.com", TestContext.Current.CancellationToken);
        Assert.Equal(("Ann", "Lee"), (ann.FirstName, ann.LastName));
        Assert.Equal(2, await db.Orders.CountAsync(o => o.CustomerId == ann.Id, TestContext.Current.CancellationToken));

        // No stock moved, no event (so no webhook, no email), no message queued.
        Assert.Equal(stockBefore, await store.ScalarAsync("SELECT COUNT(*) FROM stock_movements"));
        Assert.Equal(onHandBefore, await store.ScalarAsync("SELECT SUM(on_hand) FROM stock_levels"));
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM outbox_events"));
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM messages"));

        // The dashboard's rollup counts the imported days.
        Assert.Equal(2, await store.ScalarAsync("SELECT orders FROM daily_sales WHERE day = '2023-05-01'") + await store.ScalarAsync("SELECT orders FROM daily_sales WHERE day = '2023-05-02'"));
        Assert.Equal(4500, await store.ScalarAsync("SELECT gross FROM daily_sales WHERE day = '2023-06-10'"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Importing_the_same_file_again_adds_nothing_and_says_so(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var csv = Csv(
            "B-1,2023-01-01,,cy@example.com,,S-1,One,,1,5.00,,,,US",
            "B-2,2023-01-02,,cy@example.com,,S-2,Two,,2,6.00,,,,US",
            "B-2,2023-01-02,,cy@example.com,,S-1,One,,1,5.00,,,,US");
        var first = await store.ImportOrdersAsync(csv, GenericMap);
        Assert.Equal((2, 0), (first.Orders, first.AlreadyImported));
        var rows = await store.ScalarAsync("SELECT COUNT(*) FROM orders") + await store.ScalarAsync("SELECT COUNT(*) FROM order_lines");

        var again = await store.ImportOrdersAsync(csv, GenericMap);
        var more = await store.ImportOrdersAsync(csv + "B-3,2023-01-03,,cy@example.com,,S-2,Two,,1,3.00,,,,US\n", GenericMap);

        Assert.True(again.Imported);
        Assert.Equal((0, 0, 2, 3, 0, 0), (again.Orders, again.OrderLines, again.AlreadyImported, again.AlreadyImportedLines, again.NewProducts, again.NewCustomers));
        Assert.Equal((1, 2), (more.Orders, more.AlreadyImported));
        Assert.Equal(rows + 2, await store.ScalarAsync("SELECT COUNT(*) FROM orders") + await store.ScalarAsync("SELECT COUNT(*) FROM order_lines"));
        Assert.Equal(1, await store.ScalarAsync("SELECT COUNT(*) FROM customers"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_bad_line_is_reported_with_its_line_number_and_nothing_is_written(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var csv = Csv(
            "C-1,2023-01-01,,dee@example.com,,S-1,One,,1,5.00,,,,US",      // line 2: fine
            "C-2,01/02/2023,,dee@example.com,,S-1,One,,1,5.00,,,,US",      // line 3: not ISO, no dateFormat
            "C-3,2023-01-03,,dee@example.com,,S-1,One,,two,5.00,,,,US",    // line 4
            "C-4,2023-01-04,,dee@example.com,,,One,,1,5.00,,,,US",          // line 5: no SKU
            ",2023-01-05,,dee@example.com,,S-1,One,,1,5.00,,,,US",          // line 6: no order number
            "C-6,2023-01-06,,not-an-email,,S-1,One,,1,abc,,,,US",           // line 7: two errors
            "C-7,2023-01-07,,dee@example.com,,S-1,One,,1,,,,,Narnia");      // line 8: no total, unknown country
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var before = await fingerprint.TakeAsync();
        var rowsBefore = await store.ScalarAsync("SELECT COUNT(*) FROM orders") + await store.ScalarAsync("SELECT COUNT(*) FROM products");

        var report = await store.ImportOrdersAsync(csv, GenericMap);

        Assert.False(report.Imported);
        var errors = report.Errors.Select(e => (e.Line, e.Column)).ToList();
        Assert.DoesNotContain(errors, e => e.Line == 2);
        Assert.Contains((3, "Date"), errors);
        Assert.Contains((4, "Qty"), errors);
        Assert.Contains((5, "SKU"), errors);
        Assert.Contains((6, "Order"), errors);
        Assert.Contains((7, "Email"), errors);
        Assert.Contains((7, "Total"), errors);
        Assert.Contains((8, "Country"), errors);
        Assert.Contains((8, "Total"), errors);
        Assert.Contains(report.Errors, e => e.Line == 4 && e.Message.Contains("'two' is not a whole number", StringComparison.Ordinal));
        Assert.Empty(DatabaseFingerprint.Differences(before, await fingerprint.TakeAsync()));
        Assert.Equal(rowsBefore, await store.ScalarAsync("SELECT COUNT(*) FROM orders") + await store.ScalarAsync("SELECT COUNT(*) FROM products"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_dry_run_reports_the_same_counts_and_writes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var before = await fingerprint.TakeAsync();

        var preview = await store.ImportOrdersAsync(Sample("superstore-orders.csv"), OrderImportMap.Parse(Sample("superstore-orders.map.json")), dryRun: true);

        Assert.True(preview.DryRun);
        Assert.False(preview.Imported);
        Assert.Empty(preview.Errors);
        Assert.Equal((8, 4, 8, 8, 8, 4), (preview.Lines, preview.Orders, preview.OrderLines, preview.NewProducts, preview.NewCategories, preview.NewCustomers));
        Assert.Equal(2951.76m, preview.Revenue);
        Assert.Empty(DatabaseFingerprint.Differences(before, await fingerprint.TakeAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_superstore_sample_imports_with_its_map_customers_by_id_and_cost_from_profit(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var report = await store.ImportOrdersAsync(Sample("superstore-orders.csv"), OrderImportMap.Parse(Sample("superstore-orders.map.json")));

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal(295176, await store.ScalarAsync("SELECT SUM(total) FROM orders"));
        Assert.Equal(97995, await store.ScalarAsync("SELECT total FROM orders WHERE external_number = 'US-2015-108966'")); // 957.5775 → 957.58, 22.368 → 22.37
        await using var db = store.Db();
        var order = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.ExternalNumber == "CA-2016-152156", TestContext.Current.CancellationToken);
        Assert.Equal((new DateTime(2016, 11, 8, 0, 0, 0, DateTimeKind.Utc), new DateTime(2016, 11, 11, 0, 0, 0, DateTimeKind.Utc)), (order.CreatedAt, order.ShippedAt));
        Assert.Equal(("Second Class", "Henderson", "Kentucky", "US"), (order.ShippingMethod, order.ShippingAddress.City, order.ShippingAddress.Region, order.ShippingAddress.Country));
        Assert.Equal(110.03m, order.Lines.Single(l => l.Sku == "FUR-BO-10001798").UnitCost); // (261.96 − 41.91) / 2 = 110.025
        Assert.Equal("cg-12520@imported.invalid", order.Email);
        var claire = await db.Customers.SingleAsync(c => c.Id == order.CustomerId, TestContext.Current.CancellationToken);
        Assert.Equal(("cg-12520@imported.invalid", "Claire", "Gute", "US"), (claire.Email, claire.FirstName, claire.LastName, claire.Country));
        Assert.Equal(["Art", "Bookcases", "Chairs", "Furnishings", "Labels", "Phones", "Storage", "Tables"],
            await db.Categories.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_shopify_preset_reads_shopifys_orders_export_without_a_map(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            db.Customers.Add(new Storekeep.Customers.Customer { Email = "alice@example.com", FirstName = "Alice", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var report = await store.ImportOrdersAsync(Sample("shopify-orders.csv"), OrderImportMap.Parse("""{"preset": "shopify"}"""));

        Assert.True(report.Imported, string.Join("\n", report.Errors));
        Assert.Equal((6, 4, 5, 1, 4, 2), (report.Lines, report.Orders, report.OrderLines, report.Cancelled, report.NewProducts, report.NewCustomers));
        await using var check = store.Db();
        var orders = await check.Orders.Include(o => o.Lines).OrderBy(o => o.Number).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["#1001", "#1002", "#1003", "#1005"], orders.Select(o => o.ExternalNumber));
        var first = orders[0];
        Assert.Equal(new DateTime(2024, 1, 15, 15, 23, 45, DateTimeKind.Utc), first.CreatedAt); // -0500
        Assert.Equal(new DateTime(2024, 1, 16, 14, 0, 0, DateTimeKind.Utc), first.ShippedAt);
        Assert.Equal((53.97m, 5.00m, 4.32m, 63.29m, "USD"), (first.Subtotal, first.ShippingTotal, first.TaxTotal, first.Total, first.Currency));
        Assert.Equal(("Standard Shipping", "Brooklyn", "NY", "11201"), (first.ShippingMethod, first.ShippingAddress.City, first.ShippingAddress.Region, first.ShippingAddress.PostalCode));
        Assert.Equal((134.10m, 144.83m, "Bob O'Neil, Jr."), (orders[1].Subtotal, orders[1].Total, orders[1].ShippingAddress.Name)); // 149.00 less the 14.90 line discount
        Assert.Equal(("EUR", 39.90m, "DE"), (orders[3].Currency, orders[3].Total, orders[3].ShippingAddress.Country));
        var alice = await check.Customers.SingleAsync(c => c.Email == "alice@example.com", TestContext.Current.CancellationToken);
        Assert.Equal([alice.Id, alice.Id], orders.Where(o => o.Email == "alice@example.com").Select(o => o.CustomerId));
        Assert.False(await check.Customers.AnyAsync(c => c.Email == "carol@example.com", TestContext.Current.CancellationToken)); // her order was cancelled
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM outbox_events"));
    }

    [Fact]
    public void A_map_is_checked_before_any_line_is_read()
    {
        var unknown = Assert.Throws<OrderImportMapException>(() => OrderImportMap.Parse("""{"columns": {"orderNumber": "A", "placedAt": "B", "sku": "C", "quantity": "D", "price": "E"}}"""));
        Assert.Contains(unknown.Problems, p => p.Contains("Unknown field 'price'", StringComparison.Ordinal));
        Assert.Contains(unknown.Problems, p => p.Contains("'lineTotal' or 'unitPrice'", StringComparison.Ordinal));
        Assert.Equal("invalid_import_map", unknown.Code);
        Assert.Throws<OrderImportMapException>(() => OrderImportMap.Parse("[1]"));
        Assert.Throws<OrderImportMapException>(() => OrderImportMap.Parse("{\"preset\": \"magento\"}"));
        Assert.Throws<OrderImportMapException>(() => OrderImportMap.Parse("{\"preset\": \"shopify\", \"currency\": \"dollars\"}"));
        Assert.Throws<OrderImportMapException>(() => OrderImportMap.Parse("{\"columns\": "));
        Assert.Equal("Lineitem sku", OrderImportMap.Parse("{\"preset\": \"shopify\"}").Columns[OrderImportFields.Sku]);
        Assert.Equal("My SKU", OrderImportMap.Parse("{\"preset\": \"shopify\", \"columns\": {\"sku\": \"My SKU\"}}").Columns[OrderImportFields.Sku]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_map_naming_a_header_the_file_lacks_is_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var map = OrderImportMap.Parse("""{"columns": {"orderNumber": "Order", "placedAt": "Date", "sku": "Item", "quantity": "Qty", "lineTotal": "Total"}}""");

        var e = await Assert.ThrowsAsync<OrderImportMapException>(() => store.ImportOrdersAsync(Csv("D-1,2023-01-01,,,,S-1,,,1,5.00,,,,"), map));

        Assert.Contains(e.Problems, p => p.Contains("'Item'", StringComparison.Ordinal));
    }

    [Fact]
    public void Money_rounds_half_away_from_zero()
    {
        Assert.Equal((0.13m, 1.01m, 2.35m, -2.35m, 2.34m), (OrderCsvReader.Round(0.125m), OrderCsvReader.Round(1.005m), OrderCsvReader.Round(2.345m), OrderCsvReader.Round(-2.345m), OrderCsvReader.Round(2.3449m)));
    }
}

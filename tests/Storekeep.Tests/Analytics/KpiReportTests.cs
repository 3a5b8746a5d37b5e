using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Analytics.AnalyticsFixtures;

namespace Storekeep.Tests.Analytics;

public sealed class KpiReportTests
{
    private const string From = "2025-01-01";
    private const string To = "2025-04-01";

    /// <summary>
    /// Three months of orders: two categories and an uncategorized product (one without a cost),
    /// orders spanning categories, a tax-inclusive order, a business customer, a guest whose email
    /// changes case, an API order, a cancelled order, an order in another currency, refunds in and
    /// out of the range (one of an order placed before it, a failed one, one of the cancelled order).
    /// </summary>
    private static async Task SeedAsync(StorekeepDbContext db)
    {
        var v = await CatalogAsync(db, ("MUG-1", "Mugs", 4.10m), ("MUG-2", "Mugs", 3.33m), ("SHIRT-1", "Shirts", 7.35m), ("LOOSE-1", null, null));
        var ada = await CustomerAsync(db, "ada@example.com");
        var bob = await CustomerAsync(db, "bob@example.com", company: "Bob Ltd");

        var before = await OrderAsync(db, Utc(2024, 12, 20), "bob@example.com", bob, v, [("SHIRT-1", 2, 25.99m)], country: "DE");
        var first = await OrderAsync(db, Utc(2025, 1, 10), "ada@example.com", ada, v, [("MUG-1", 2, 12.50m), ("SHIRT-1", 1, 25.99m)], shipping: 4.99m, tax: 3.33m);
        await OrderAsync(db, Utc(2025, 1, 20), "bob@example.com", bob, v, [("SHIRT-1", 3, 25.99m), ("MUG-2", 1, 9.10m)], shipping: 0m, tax: 14.52m, pricesIncludeTax: true, country: "DE", channel: OrderChannels.Api);
        var guest = await OrderAsync(db, Utc(2025, 2, 3), "Cleo@Example.com", null, v, [("LOOSE-1", 1, 9.99m), ("MUG-1", 1, 12.50m)], country: "US");
        var again = await OrderAsync(db, Utc(2025, 2, 15), "ada@example.com", ada, v, [("MUG-1", 1, 12.50m)], shipping: 2.50m, tax: 1.07m);
        await OrderAsync(db, Utc(2025, 3, 1), "cleo@example.com", null, v, [("SHIRT-1", 1, 25.99m), ("MUG-2", 4, 9.10m)], country: "US");
        await OrderAsync(db, Utc(2025, 3, 31, 23), "dan@example.com", null, v, [("LOOSE-1", 7, 9.99m)], shipping: 0m, country: "GB", channel: OrderChannels.Api);
        var cancelled = await OrderAsync(db, Utc(2025, 3, 5), "eve@example.com", null, v, [("SHIRT-1", 10, 25.99m)]);
        await OrderAsync(db, Utc(2025, 2, 5), "ada@example.com", ada, v, [("MUG-1", 5, 11.00m)], currency: "EUR");
        await OrderAsync(db, Utc(2025, 4, 1, 0), "ada@example.com", ada, v, [("MUG-1", 1, 12.50m)]);

        await RefundAsync(db, first, 5.00m, Utc(2025, 1, 25));
        await RefundAsync(db, first, 3.00m, Utc(2025, 2, 26));
        await RefundAsync(db, before, 10.00m, Utc(2025, 2, 10));
        await RefundAsync(db, guest, 2.22m, Utc(2025, 2, 4), RefundStatus.Failed);
        await RefundAsync(db, again, 1.00m, Utc(2025, 4, 2));
        await RefundAsync(db, cancelled, 20.00m, Utc(2025, 3, 6));
        await CancelAsync(db, cancelled, Utc(2025, 3, 6));
    }

    private static async Task<KpiReportView> ReportAsync(TestStore store, string groupBy)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KpiReport>().GetAsync(From, To, groupBy, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Every_figure_of_every_grouping_equals_a_raw_sql_computation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        // Written straight to the tables (refunds without their events): the report reads the rollup.
        await RebuildRollupsAsync(store);

        await using var check = store.Db();
        var reference = new KpiSql(check);
        foreach (var groupBy in new[] { "day", "week", "month", "quarter", "year", "channel", "country", "segment", "category" })
        {
            var report = await ReportAsync(store, groupBy);
            var expected = groupBy == "category" ? await reference.ByCategoryAsync(From, To) : await reference.ByOrderAsync(groupBy, From, To);
            Assert.Equal("USD", report.Currency);
            Assert.All(expected.Keys, key => Assert.Contains(key, report.Rows.Select(r => r.Key)));
            foreach (var row in report.Rows)
            {
                Assert.Equal(expected.GetValueOrDefault(row.Key) ?? KpiSql.Empty(row.Key), row);
            }

            var totals = await reference.TotalsAsync(From, To);
            var t = report.Totals;
            Assert.Equal(totals, new KpiRow(t.Key, t.Orders, t.Units, t.GrossSales, t.Discounts, t.Refunds, t.NetSales, t.Shipping, t.Tax, t.TotalSales, t.CostOfGoods, t.GrossProfit, t.AverageOrderValue, t.Customers, t.NewCustomers, t.ReturningCustomers));
            Assert.Equal(await reference.RepeatPurchaseRateAsync(From, To), report.Totals.RepeatPurchaseRate);
            Assert.Null(report.Totals.ConversionRate);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Known_figures_cancelled_orders_and_other_currencies_do_not_count_and_a_line_counts_under_its_category(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        // Written straight to the tables (refunds without their events): the report reads the rollup.
        await RebuildRollupsAsync(store);

        var month = await ReportAsync(store, "month");
        Assert.Equal(["2025-01", "2025-02", "2025-03"], month.Rows.Select(r => r.Key));
        Assert.Equal(6, month.Totals.Orders);
        var gross = (2 * 12.50m) + 25.99m + (3 * 25.99m) + 9.10m + 9.99m + 12.50m + 12.50m + 25.99m + (4 * 9.10m) + (7 * 9.99m);
        Assert.Equal(gross, month.Totals.GrossSales);
        Assert.Equal(0m, month.Totals.Discounts);
        Assert.Equal(5.00m + 3.00m + 10.00m, month.Totals.Refunds);
        Assert.Equal(gross - 18.00m, month.Totals.NetSales);
        Assert.Equal((2 * 4.10m) + 7.35m + (3 * 7.35m) + 3.33m + 4.10m + 4.10m + 7.35m + (4 * 3.33m), month.Totals.CostOfGoods);
        Assert.Equal(month.Totals.NetSales - month.Totals.CostOfGoods, month.Totals.GrossProfit);

        // Tax added on top counts in total sales; the tax-inclusive order's tax is already in its lines.
        Assert.Equal(gross - 18.00m + (4.99m * 3) + 2.50m + 3.33m + 1.07m, month.Totals.TotalSales);
        Assert.Equal(3.33m + 14.52m + 1.07m, month.Totals.Tax);

        // Ada (new in January, returning in February), Bob (ordered in December: returning), Cleo as a guest in two spellings, Dan.
        Assert.Equal((4, 3, 1), (month.Totals.Customers, month.Totals.NewCustomers, month.Totals.ReturningCustomers));
        Assert.Equal(0.75m, month.Totals.RepeatPurchaseRate);
        Assert.Equal(10.00m + 3.00m, month.Rows[1].Refunds); // refunds count in the month they were made

        var category = await ReportAsync(store, "category");
        Assert.Equal(["Shirts", "Mugs", "(uncategorized)"], category.Rows.Select(r => r.Key));
        var mugs = category.Rows.Single(r => r.Key == "Mugs");
        Assert.Equal(5, mugs.Orders); // the orders holding a mug, the mixed ones included
        Assert.Equal(2 + 1 + 1 + 1 + 4, mugs.Units);
        Assert.Equal((2 * 12.50m) + 9.10m + 12.50m + 12.50m + (4 * 9.10m), mugs.GrossSales);
        Assert.Equal(month.Totals.GrossSales, category.Rows.Sum(r => r.GrossSales));
        Assert.Equal(month.Totals.Units, category.Rows.Sum(r => r.Units));
        Assert.Equal(0m, category.Rows.Single(r => r.Key == "(uncategorized)").CostOfGoods);

        var channel = await ReportAsync(store, "channel");
        Assert.Equal(2, channel.Rows.Single(r => r.Key == "api").Orders);
        var segment = await ReportAsync(store, "segment");
        Assert.Equal(10.00m, segment.Rows.Single(r => r.Key == "business").Refunds);
        Assert.Equal(["2025-W01", "2025-W14"], new[] { (await ReportAsync(store, "week")).Rows[0].Key, (await ReportAsync(store, "week")).Rows[^1].Key });
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_api_answers_json_and_the_same_figures_as_csv_and_bad_input_as_problems(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        // Written straight to the tables (refunds without their events): the report reads the rollup.
        await RebuildRollupsAsync(store);

        var json = await store.Client.GetAsync($"/api/v1/analytics/kpis?from={From}&to={To}&groupBy=category").Expect(HttpStatusCode.OK);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/analytics/kpis?from={From}&to={To}&groupBy=category");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csvResponse = await store.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var csv = await ReadCsvAsync(await csvResponse.Content.ReadAsStringAsync());

        var rows = json["rows"]!.AsArray().Append(json["totals"]).ToList();
        Assert.Equal(rows.Count, csv.Count);
        var fields = new[] { "key", "orders", "units", "grossSales", "discounts", "refunds", "netSales", "shipping", "tax", "totalSales", "costOfGoods", "grossProfit", "averageOrderValue", "customers", "newCustomers", "returningCustomers" };
        Assert.Equal(fields, csv[0].Keys);
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var field in fields)
            {
                var value = rows[i]![field]!;
                Assert.Equal(value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.GetValue<decimal>().ToString(CultureInfo.InvariantCulture), csv[i][field]);
            }
        }

        // Owners and managers read reports; the other roles and anonymous callers do not.
        await (await store.ClientForAsync(Storekeep.Access.Role.Manager)).GetAsync("/api/v1/analytics/kpis").Expect(HttpStatusCode.OK);
        await (await store.ClientForAsync(Storekeep.Access.Role.Sales)).GetAsync("/api/v1/analytics/kpis").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/analytics/kpis").ExpectProblem(HttpStatusCode.Unauthorized);

        await store.Client.GetAsync("/api/v1/analytics/kpis?groupBy=hour").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidGroupByCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=2025-02-01&to=2025-02-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=2025-03-01&to=2025-02-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=2019-01-01&to=2025-01-02").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.RangeTooLongCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=yesterday").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidDateCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=2025-02-30").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidDateCode);
        await store.Client.GetAsync("/api/v1/analytics/kpis?from=2020-01-01&to=2025-01-01&groupBy=day").Expect(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkout_records_the_channel_and_the_variant_cost_on_the_order(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("CHAN-1", 25.00m, main: 10);
        await using (var db = store.Db())
        {
            await db.Variants.Where(v => v.Sku == "CHAN-1").ExecuteUpdateAsync(u => u.SetProperty(v => v.Cost, 11.11m));
        }

        var shopper = await (await store.Anonymous.PostJson($"/api/v1/carts/{await store.CartWithAsync(store.Anonymous, ("CHAN-1", 2))}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);
        var integration = await (await store.Client.PostJson($"/api/v1/carts/{await store.CartWithAsync(store.Client, ("CHAN-1", 1))}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);
        Assert.Equal(OrderChannels.OnlineStore, shopper["channel"].Str());
        Assert.Equal(OrderChannels.Api, integration["channel"].Str());

        await using var check = store.Db();
        var costs = await check.Database.SqlQuery<long>($"SELECT CAST(SUM(l.quantity * l.unit_cost) AS BIGINT) AS \"Value\" FROM order_lines l").SingleAsync();
        Assert.Equal(3 * 1111L, costs);
        var channels = await check.Database.SqlQuery<string>($"SELECT channel AS \"Value\" FROM orders ORDER BY number").ToListAsync();
        Assert.Equal([OrderChannels.OnlineStore, OrderChannels.Api], channels);
    }

    internal static async Task<List<Dictionary<string, string>>> ReadCsvAsync(string text) => (await CsvText.ReadAsync(text)).Rows;
}

/// <summary>The KPI figures straight from SQL, written without the report's code: what it must equal to the cent.</summary>
internal sealed class KpiSql(StorekeepDbContext db)
{
    private const string Customer = "COALESCE(CAST(o.customer_id AS TEXT), LOWER(o.email))";
    private const string Counted = "o.status <> 'cancelled' AND o.currency = 'USD'";

    private bool Pg => db.Database.IsNpgsql();

    public static KpiRow Empty(string key) => new(key, 0, 0, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0m, 0, 0, 0);

    /// <summary>A group key for the orders' (or refunds') timestamp column, or an order attribute.</summary>
    private string Key(string groupBy, string utc)
    {
        var column = Pg ? $"({utc} AT TIME ZONE 'UTC')" : utc;
        return groupBy switch
        {
            "day" => Pg ? $"to_char({column}, 'YYYY-MM-DD')" : $"strftime('%Y-%m-%d', {column})",
            "week" => Pg ? $"to_char(date_trunc('week', {column}), 'YYYY-MM-DD')" : $"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')",
            "month" => Pg ? $"to_char({column}, 'YYYY-MM')" : $"strftime('%Y-%m', {column})",
            "quarter" => Pg ? $"to_char({column}, 'YYYY-\"Q\"Q')" : $"strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)",
            "year" => Pg ? $"to_char({column}, 'YYYY')" : $"strftime('%Y', {column})",
            "channel" => "o.channel",
            "country" => "o.ship_country",
            "segment" => "CASE WHEN EXISTS (SELECT 1 FROM customers c WHERE c.company IS NOT NULL AND c.company <> '' AND (c.id = o.customer_id OR c.email = LOWER(o.email))) THEN 'business' ELSE 'consumer' END",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy)),
        };
    }

    /// <summary>Week keys come back as the Monday; the report names them by ISO week.</summary>
    private static string Name(string groupBy, string key) =>
        groupBy == "week" ? $"{ISOWeek.GetYear(DateTime.Parse(key, CultureInfo.InvariantCulture))}-W{ISOWeek.GetWeekOfYear(DateTime.Parse(key, CultureInfo.InvariantCulture)):D2}" : key;

    public async Task<Dictionary<string, KpiRow>> ByOrderAsync(string groupBy, string from, string to)
    {
        var (f, t) = Range(from, to);
        var k = Key(groupBy, "o.created_at");
        var orders = await Query($"SELECT {k} AS \"Key\", COUNT(*) AS \"A\", SUM(o.shipping_total) AS \"B\", SUM(o.tax_total) AS \"C\", SUM(o.total) AS \"D\" FROM orders o WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY {k}", f, t);
        var lines = await Query($"SELECT {k} AS \"Key\", SUM(l.quantity) AS \"A\", SUM(l.line_total) AS \"B\", SUM(l.quantity * COALESCE(l.unit_cost, 0)) AS \"C\", 0 AS \"D\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY {k}", f, t);
        var rk = groupBy is "day" or "week" or "month" or "quarter" or "year" ? Key(groupBy, "r.created_at") : k;
        var refunds = await Query($"SELECT {rk} AS \"Key\", SUM(r.amount) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE {Counted} AND r.status = 'succeeded' AND r.created_at >= {{0}} AND r.created_at < {{1}} GROUP BY {rk}", f, t);
        var customers = await Query($"SELECT {k} AS \"Key\", COUNT(DISTINCT {Customer}) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM orders o WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY {k}", f, t);
        var fresh = await Query($"SELECT {k} AS \"Key\", COUNT(DISTINCT {Customer}) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM orders o WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} AND o.created_at = (SELECT MIN(x.created_at) FROM orders x WHERE x.status <> 'cancelled' AND x.currency = 'USD' AND COALESCE(CAST(x.customer_id AS TEXT), LOWER(x.email)) = {Customer}) GROUP BY {k}", f, t);

        var keys = orders.Keys.Union(refunds.Keys).ToList();
        return keys.ToDictionary(key => Name(groupBy, key), key =>
        {
            var o = orders.GetValueOrDefault(key) ?? new Sums();
            var l = lines.GetValueOrDefault(key) ?? new Sums();
            var refund = Cents(refunds.GetValueOrDefault(key)?.A ?? 0);
            var gross = Cents(l.B);
            var net = gross - refund;
            var cost = Cents(l.C);
            var customerCount = (int)(customers.GetValueOrDefault(key)?.A ?? 0);
            var newCount = (int)(fresh.GetValueOrDefault(key)?.A ?? 0);
            return new KpiRow(Name(groupBy, key), (int)o.A, (long)l.A, gross, 0m, refund, net, Cents(o.B), Cents(o.C), Cents(o.D) - refund, cost, net - cost,
                o.A == 0 ? 0m : Math.Round(gross / (decimal)o.A, 2, MidpointRounding.AwayFromZero), customerCount, newCount, customerCount - newCount);
        });
    }

    /// <summary>By category: each line under its product's category; order amounts (shipping, tax, refunds) shared in proportion to line amounts.</summary>
    public async Task<Dictionary<string, KpiRow>> ByCategoryAsync(string from, string to)
    {
        var (f, t) = Range(from, to);
        const string k = "COALESCE(c.name, '(uncategorized)')";
        const string joins = "JOIN orders o ON o.id = l.order_id LEFT JOIN product_variants v ON v.id = l.variant_id LEFT JOIN products p ON p.id = v.product_id LEFT JOIN categories c ON c.id = p.category_id";
        const string share = "CAST(l.line_total AS DOUBLE PRECISION) / o.subtotal";
        var lines = await Query($"SELECT {k} AS \"Key\", COUNT(DISTINCT o.id) AS \"A\", SUM(l.quantity) AS \"B\", SUM(l.line_total) AS \"C\", SUM(l.quantity * COALESCE(l.unit_cost, 0)) AS \"D\" FROM order_lines l {joins} WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY {k}", f, t);
        var shares = await Query($"SELECT {k} AS \"Key\", SUM(o.shipping_total * {share}) AS \"A\", SUM(o.tax_total * {share}) AS \"B\", SUM(CASE WHEN o.prices_include_tax THEN 0 ELSE o.tax_total END * {share}) AS \"C\", COUNT(DISTINCT {Customer}) AS \"D\" FROM order_lines l {joins} WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY {k}", f, t);
        var refunds = await Query($"SELECT {k} AS \"Key\", SUM(r.amount * {share}) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM refunds r JOIN order_lines l ON l.order_id = r.order_id {joins} WHERE {Counted} AND r.status = 'succeeded' AND r.created_at >= {{0}} AND r.created_at < {{1}} GROUP BY {k}", f, t);
        var fresh = await Query($"SELECT {k} AS \"Key\", COUNT(DISTINCT {Customer}) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM order_lines l {joins} WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}} AND o.created_at = (SELECT MIN(x.created_at) FROM orders x WHERE x.status <> 'cancelled' AND x.currency = 'USD' AND COALESCE(CAST(x.customer_id AS TEXT), LOWER(x.email)) = {Customer}) GROUP BY {k}", f, t);
        return lines.Keys.Union(refunds.Keys).ToDictionary(key => key, key =>
        {
            var l = lines.GetValueOrDefault(key) ?? new Sums();
            var s = shares.GetValueOrDefault(key) ?? new Sums();
            var gross = Cents(l.C);
            var refund = Cents(refunds.GetValueOrDefault(key)?.A ?? 0);
            var net = gross - refund;
            var cost = Cents(l.D);
            var customers = (int)s.D;
            var newCount = (int)(fresh.GetValueOrDefault(key)?.A ?? 0);
            return new KpiRow(key, (int)l.A, (long)l.B, gross, 0m, refund, net, Cents(s.A), Cents(s.B), net + Cents(s.A) + Cents(s.C), cost, net - cost,
                l.A == 0 ? 0m : Math.Round(gross / (decimal)l.A, 2, MidpointRounding.AwayFromZero), customers, newCount, customers - newCount);
        });
    }

    public async Task<KpiRow> TotalsAsync(string from, string to)
    {
        var (f, t) = Range(from, to);
        var orders = (await Query($"SELECT 'total' AS \"Key\", COUNT(*) AS \"A\", SUM(o.shipping_total) AS \"B\", SUM(o.tax_total) AS \"C\", SUM(o.total) AS \"D\" FROM orders o WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}}", f, t))["total"];
        var lines = (await Query($"SELECT 'total' AS \"Key\", SUM(l.quantity) AS \"A\", SUM(l.line_total) AS \"B\", SUM(l.quantity * COALESCE(l.unit_cost, 0)) AS \"C\", 0 AS \"D\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}}", f, t))["total"];
        var refunds = (await Query($"SELECT 'total' AS \"Key\", COALESCE(SUM(r.amount), 0) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE {Counted} AND r.status = 'succeeded' AND r.created_at >= {{0}} AND r.created_at < {{1}}", f, t))["total"];
        var customers = (await Query($"SELECT 'total' AS \"Key\", COUNT(DISTINCT {Customer}) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM orders o WHERE {Counted} AND o.created_at >= {{0}} AND o.created_at < {{1}}", f, t))["total"];
        var fresh = (await Query($"SELECT 'total' AS \"Key\", COUNT(*) AS \"A\", 0 AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM (SELECT {Customer} AS ck, MIN(o.created_at) AS first FROM orders o WHERE {Counted} GROUP BY {Customer}) x WHERE x.first >= {{0}} AND x.first < {{1}}", f, t))["total"];
        var gross = Cents(lines.B);
        var refund = Cents(refunds.A);
        var net = gross - refund;
        var cost = Cents(lines.C);
        return new KpiRow("total", (int)orders.A, (long)lines.A, gross, 0m, refund, net, Cents(orders.B), Cents(orders.C), Cents(orders.D) - refund, cost, net - cost,
            orders.A == 0 ? 0m : Math.Round(gross / (decimal)orders.A, 2, MidpointRounding.AwayFromZero), (int)customers.A, (int)fresh.A, (int)(customers.A - fresh.A));
    }

    /// <summary>Of the range's customers, the share with two or more orders placed before its end.</summary>
    public async Task<decimal> RepeatPurchaseRateAsync(string from, string to)
    {
        var (f, t) = Range(from, to);
        var row = (await Query($"SELECT 'total' AS \"Key\", COUNT(*) AS \"A\", SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS \"B\", 0 AS \"C\", 0 AS \"D\" FROM (SELECT {Customer} AS ck, COUNT(*) AS n FROM orders o WHERE {Counted} AND o.created_at < {{1}} GROUP BY {Customer} HAVING MAX(o.created_at) >= {{0}}) x", f, t))["total"];
        return row.A == 0 ? 0m : Math.Round((decimal)row.B / (decimal)row.A, 4, MidpointRounding.AwayFromZero);
    }

    private static (DateTime, DateTime) Range(string from, string to) =>
        (DateTime.SpecifyKind(DateTime.Parse(from, CultureInfo.InvariantCulture), DateTimeKind.Utc), DateTime.SpecifyKind(DateTime.Parse(to, CultureInfo.InvariantCulture), DateTimeKind.Utc));

    private static decimal Cents(double minor) => Math.Round((decimal)minor / 100m, 2, MidpointRounding.AwayFromZero);

    private async Task<Dictionary<string, Sums>> Query(string sql, DateTime from, DateTime to)
    {
        // Every figure as double precision, so one result shape serves counts, cents and fractional shares.
        var wrapped = $"SELECT \"Key\", CAST(\"A\" AS DOUBLE PRECISION) AS \"A\", CAST(\"B\" AS DOUBLE PRECISION) AS \"B\", CAST(\"C\" AS DOUBLE PRECISION) AS \"C\", CAST(\"D\" AS DOUBLE PRECISION) AS \"D\" FROM ({sql}) q";
        if (!Pg)
        {
            wrapped = wrapped.Replace("DOUBLE PRECISION", "REAL", StringComparison.Ordinal);
        }

        var rows = await db.Database.SqlQueryRaw<Sums>(wrapped, from, to).ToListAsync();
        return rows.Where(r => r.Key is not null).ToDictionary(r => r.Key!);
    }

    internal sealed class Sums
    {
        public string? Key { get; set; }
        public double A { get; set; }
        public double B { get; set; }
        public double C { get; set; }
        public double D { get; set; }
    }
}

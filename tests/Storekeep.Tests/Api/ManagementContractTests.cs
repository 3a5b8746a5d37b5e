using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Analytics;
using Storekeep.Catalog;
using Storekeep.Data;
using Storekeep.Tests.Analytics;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Orders.Import;
using static Storekeep.Tests.Analytics.AnalyticsFixtures;

namespace Storekeep.Tests.Api;

/// <summary>
/// Walks the sections "Analytics", "Order history import" and "Planning" of the management
/// contract (/work/shared/api-management.md) over HTTP on both databases: every field the contract
/// names is there with its shape (scripts rely on the names), and every behaviour it states holds
/// (from/to with to exclusive, the groupings, CSV, cursors, Idempotency-Key, problem codes).
/// </summary>
public sealed class ManagementContractTests
{
    // ---------------------------------------------------------------- shapes

    /// <summary>
    /// Asserts an object carries each named field with its JSON kind. A spec is "name:k" with k one
    /// of n (number), s (string), a (array), o (object), b (bool); a trailing "?" allows null, a
    /// leading "?" allows the field to be absent (the contract's "field?").
    /// </summary>
    private static JsonObject Shape(JsonNode? node, string where, params string[] specs)
    {
        Assert.True(node is JsonObject, $"{where}: expected an object, got {node?.ToJsonString() ?? "null"}");
        var obj = (JsonObject)node!;
        foreach (var spec in specs)
        {
            var optional = spec.StartsWith('?');
            var (name, kind) = (spec.TrimStart('?').Split(':')[0], spec.TrimStart('?').Split(':')[1]);
            var nullable = kind.EndsWith('?');
            if (optional && !obj.ContainsKey(name))
            {
                continue;
            }

            Assert.True(obj.ContainsKey(name), $"{where} lacks '{name}': {obj.ToJsonString()}");
            var value = obj[name];
            if (value is null)
            {
                Assert.True(nullable || optional, $"{where}.{name} is null: {obj.ToJsonString()}");
                continue;
            }

            var expected = kind.TrimEnd('?') switch
            {
                "n" => JsonValueKind.Number,
                "s" => JsonValueKind.String,
                "a" => JsonValueKind.Array,
                "o" => JsonValueKind.Object,
                "b" => JsonValueKind.True,
                _ => throw new ArgumentException(spec),
            };
            var actual = value.GetValueKind();
            Assert.True(actual == expected || (expected == JsonValueKind.True && actual == JsonValueKind.False), $"{where}.{name} is {actual}, not {expected}: {obj.ToJsonString()}");
        }

        return obj;
    }

    /// <summary>A list of the contract: <c>{items: [...], nextCursor}</c>.</summary>
    private static JsonArray Items(JsonNode page, string where)
    {
        Shape(page, where, "items:a", "nextCursor:s?");
        return page["items"]!.AsArray();
    }

    private static decimal D(JsonNode? node) => node!.GetValue<decimal>();

    private static double N(JsonNode? node) => node!.GetValue<double>();

    private static long L(JsonNode? node) => node!.GetValue<long>();

    private static async Task<(HttpResponseMessage Response, string Body)> CsvAsync(HttpClient client, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} as CSV: {(int)response.StatusCode} {body}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return (response, body);
    }

    private static MultipartFormDataContent Form(string csv, string map)
    {
        // A fixed boundary: the same request twice is the same bytes (what an Idempotency-Key replay compares).
        var form = new MultipartFormDataContent("storekeep-contract-test-boundary");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "orders.csv");
        form.Add(new StringContent(map), "map");
        return form;
    }

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv, string map, bool? dryRun = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders/import" + (dryRun is { } d ? $"?dryRun={(d ? "true" : "false")}" : ""))
        {
            Content = Form(csv, map),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    private static readonly string[] KpiFields =
    [
        "key:s", "orders:n", "units:n", "grossSales:n", "discounts:n", "refunds:n", "netSales:n", "shipping:n", "tax:n", "totalSales:n",
        "costOfGoods:n", "grossProfit:n", "averageOrderValue:n", "customers:n", "newCustomers:n", "returningCustomers:n",
    ];

    private static string[] Names(string[] specs) => [.. specs.Select(s => s.TrimStart('?').Split(':')[0])];

    // ---------------------------------------------------------------- Analytics

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Analytics_reports_carry_the_contract_fields_and_behaviours(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.ClientForAsync(Role.Manager);

        // Imported history counts like any order: one order of an unknown SKU in a new category, its cost from the profit.
        await ImportAsync(store.Client,
            "Order,Date,Email,SKU,Category,Qty,Total,Profit,Country\nK-IMP-1,2025-03-10,cy@example.com,MC-NEW,Imported,2,30.00,12.00,US\n",
            """{"columns": {"orderNumber": "Order", "placedAt": "Date", "customerEmail": "Email", "sku": "SKU", "category": "Category", "quantity": "Qty", "lineTotal": "Total", "profit": "Profit", "country": "Country"}, "currency": "USD"}""")
            .Expect(HttpStatusCode.OK);

        await using (var db = store.Db())
        {
            var v = await CatalogAsync(db, ("MC-MUG", "Mugs", 4.00m), ("MC-TEE", "Shirts", 7.00m));
            var ada = await CustomerAsync(db, "ada@example.com");
            await OrderAsync(db, new DateTime(2024, 12, 31, 23, 0, 0, DateTimeKind.Utc), "bob@example.com", null, v, [("MC-MUG", 50, 10m)], shipping: 0m); // before from
            var o1 = await OrderAsync(db, Utc(2025, 1, 1, 0), "ada@example.com", ada, v, [("MC-MUG", 2, 10m), ("MC-TEE", 1, 20m)], shipping: 5m); // from is inclusive
            var o2 = await OrderAsync(db, Utc(2025, 2, 10), "ada@example.com", ada, v, [("MC-MUG", 1, 10m)], shipping: 0m);
            await OrderAsync(db, new DateTime(2025, 3, 31, 23, 59, 59, DateTimeKind.Utc), "bob@example.com", null, v, [("MC-TEE", 3, 20m)], shipping: 0m, country: "DE", channel: Storekeep.Orders.OrderChannels.Api);
            await OrderAsync(db, Utc(2025, 4, 1, 0), "bob@example.com", null, v, [("MC-TEE", 100, 20m)], shipping: 0m); // to is exclusive
            var cancelled = await OrderAsync(db, Utc(2025, 1, 15), "eve@example.com", null, v, [("MC-MUG", 40, 10m)], shipping: 0m);
            await CancelAsync(db, cancelled, Utc(2025, 1, 16));
            await RefundAsync(db, o1, 5.00m, Utc(2025, 1, 20));
            await ShipAsync(db, o1, o1.CreatedAt.AddHours(24));
            await ShipAsync(db, o2, o2.CreatedAt.AddHours(10));
            await ShipAsync(db, o2, o2.CreatedAt.AddHours(72)); // a split shipment

            // Three storefront sessions in February: one all the way to an order, one viewing, one leaving.
            var at = Utc(2025, 2, 12);
            foreach (var (session, steps) in new[] { ("s1", 5), ("s2", 2), ("s3", 1) })
            {
                foreach (var type in StorefrontEventTypes.All.Take(steps))
                {
                    db.StorefrontEvents.Add(new StorefrontEvent { SessionId = session, Type = type, OccurredAt = at });
                }
            }

            await db.SaveChangesAsync();
        }

        await RebuildRollupsAsync(store);
        const string range = "from=2025-01-01&to=2025-04-01";

        // GET /analytics/kpis: {currency, rows: [...], totals: {... the same ..., conversionRate?, repeatPurchaseRate}}, for every grouping.
        var byKey = new Dictionary<string, Dictionary<string, JsonNode>>();
        foreach (var groupBy in new[] { "day", "week", "month", "quarter", "year", "category", "channel", "country", "segment" })
        {
            var kpis = await manager.GetAsync($"/api/v1/analytics/kpis?{range}&groupBy={groupBy}").Expect(HttpStatusCode.OK);
            Shape(kpis, $"kpis[{groupBy}]", "currency:s", "rows:a", "totals:o");
            Assert.Equal("USD", kpis["currency"].Str());
            var rows = kpis["rows"]!.AsArray();
            Assert.NotEmpty(rows);
            foreach (var row in rows)
            {
                Shape(row, $"kpis[{groupBy}].rows[]", KpiFields);
            }

            var totals = Shape(kpis["totals"], $"kpis[{groupBy}].totals", [.. KpiFields, "?conversionRate:n?", "repeatPurchaseRate:n"]);
            foreach (var row in rows.Append(totals))
            {
                // netSales = grossSales − discounts − refunds; averageOrderValue = (grossSales − discounts) / orders.
                Assert.Equal(D(row!["grossSales"]) - D(row["discounts"]) - D(row["refunds"]), D(row["netSales"]));
                var orders = row["orders"].Int();
                Assert.Equal(orders == 0 ? 0m : Math.Round((D(row["grossSales"]) - D(row["discounts"])) / orders, 2, MidpointRounding.AwayFromZero), D(row["averageOrderValue"]));
                Assert.Equal(row["customers"].Int(), row["newCustomers"].Int() + row["returningCustomers"].Int());
            }

            // Cancelled orders, and orders outside [from, to), do not count; the imported one does.
            Assert.Equal(4, totals["orders"].Int());
            Assert.Equal(2 + 1 + 1 + 3 + 2, L(totals["units"]));
            Assert.Equal(40m + 10m + 60m + 30m, D(totals["grossSales"]));
            Assert.Equal(0m, D(totals["discounts"]));
            Assert.Equal(5.00m, D(totals["refunds"]));
            Assert.Equal(135m, D(totals["netSales"]));
            Assert.Equal(35m, D(totals["averageOrderValue"]));
            Assert.Equal(5m, D(totals["shipping"]));
            Assert.Equal(D(totals["netSales"]) + D(totals["shipping"]) + D(totals["tax"]), D(totals["totalSales"]));
            Assert.Equal((2 * 4.00m) + 7.00m + 4.00m + (3 * 7.00m) + (30.00m - 12.00m), D(totals["costOfGoods"])); // imported cost = lineTotal − profit
            Assert.Equal(D(totals["netSales"]) - D(totals["costOfGoods"]), D(totals["grossProfit"]));
            Assert.Equal((3, 2, 1), (totals["customers"].Int(), totals["newCustomers"].Int(), totals["returningCustomers"].Int())); // Bob ordered before the range
            Assert.Equal(0.6667m, D(totals["repeatPurchaseRate"])); // Ada twice, Bob again; Cy once

            Assert.Equal(4, rows.Sum(r => r!["orders"].Int()) - (groupBy == "category" ? 1 : 0)); // o1 holds a mug and a shirt: it counts under both categories
            if (groupBy != "category")
            {
                Assert.Equal(140m, rows.Sum(r => D(r!["grossSales"])));
            }

            byKey[groupBy] = rows.Where(r => r!["orders"].Int() > 0).ToDictionary(r => r!["key"].Str(), r => r!);
        }

        Assert.Equal(["2025-01-01", "2025-02-10", "2025-03-10", "2025-03-31"], byKey["day"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["2025-01", "2025-02", "2025-03"], byKey["month"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["2025-Q1"], byKey["quarter"].Keys);
        Assert.Equal(["2025"], byKey["year"].Keys);
        Assert.Equal(["2025-W01", "2025-W07", "2025-W11", "2025-W14"], byKey["week"].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["consumer"], byKey["segment"].Keys);
        Assert.Equal((2, 1, 1), (byKey["channel"]["online_store"]["orders"].Int(), byKey["channel"]["api"]["orders"].Int(), byKey["channel"]["import"]["orders"].Int()));
        Assert.Equal((2, 1, 1), (byKey["country"]["FR"]["orders"].Int(), byKey["country"]["DE"]["orders"].Int(), byKey["country"]["US"]["orders"].Int()));

        // By category a line counts under its product's category (the imported SKU's category was created by the import).
        var category = byKey["category"];
        Assert.Equal(["Imported", "Mugs", "Shirts"], category.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2, 3L, 30m), (category["Mugs"]["orders"].Int(), L(category["Mugs"]["units"]), D(category["Mugs"]["grossSales"])));
        Assert.Equal((2, 4L, 80m), (category["Shirts"]["orders"].Int(), L(category["Shirts"]["units"]), D(category["Shirts"]["grossSales"])));
        Assert.Equal((1, 2L, 30m), (category["Imported"]["orders"].Int(), L(category["Imported"]["units"]), D(category["Imported"]["grossSales"])));

        // GET /analytics/cohorts?by=month&metric=customers|revenue|orders&periods=12: rows by month of first order, columns by months since.
        foreach (var metric in new[] { "customers", "revenue", "orders" })
        {
            var cohorts = await manager.GetAsync($"/api/v1/analytics/cohorts?by=month&metric={metric}&periods=12&from=2024-12-01&to=2025-04-01").Expect(HttpStatusCode.OK);
            Shape(cohorts, $"cohorts[{metric}]", "currency:s", "by:s", "metric:s", "periods:n", "rows:a");
            Assert.Equal(("month", metric, 12), (cohorts["by"].Str(), cohorts["metric"].Str(), cohorts["periods"].Int()));
            var rows = cohorts["rows"]!.AsArray();
            foreach (var row in rows)
            {
                Shape(row, "cohorts.rows[]", "cohort:s", "customers:n", "values:a");
                Assert.Equal(12, row!["values"]!.AsArray().Count);
            }

            // Bob first ordered in December 2024, Ada in January, nobody in February, Cy (imported) in March; Eve's only order was cancelled.
            Assert.Equal(["2024-12", "2025-01", "2025-02", "2025-03"], rows.Select(r => r!["cohort"].Str()));
            Assert.Equal([1, 1, 0, 1], rows.Select(r => r!["customers"].Int()));
            var ada = rows.Single(r => r!["cohort"].Str() == "2025-01")!["values"]!.AsArray();
            if (metric != "revenue")
            {
                Assert.Equal([1m, 1m, 0m], ada.Take(3).Select(D)); // January, and again a month later
            }
            else
            {
                Assert.True(D(ada[0]) > 0 && D(ada[1]) > 0 && D(ada[2]) == 0, ada.ToJsonString());
            }
        }

        // Without from/to the rows are the last 'periods' months, this one last; to is exclusive.
        var recent = (await manager.GetAsync("/api/v1/analytics/cohorts?periods=12").Expect(HttpStatusCode.OK))["rows"]!.AsArray();
        Assert.Equal(12, recent.Count);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture), recent[^1]!["cohort"].Str());
        var upToFebruary = (await manager.GetAsync("/api/v1/analytics/cohorts?from=2024-12-01&to=2025-03-01").Expect(HttpStatusCode.OK))["rows"]!.AsArray();
        Assert.Equal(["2024-12", "2025-01", "2025-02"], upToFebruary.Select(r => r!["cohort"].Str()));
        await manager.GetAsync("/api/v1/analytics/cohorts?from=2025-03-01&to=2025-01-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await manager.GetAsync("/api/v1/analytics/cohorts?metric=profit").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidMetricCode);
        await manager.GetAsync("/api/v1/analytics/cohorts?by=week").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidCohortByCode);
        await manager.GetAsync("/api/v1/analytics/cohorts?periods=0").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidPeriodsCode);

        // GET /analytics/customers → {customers, repeatPurchaseRate, churnRate, churnThresholdDays, averageLifetimeValue, predictedLifetimeValue12Months?}.
        string[] customerFields = ["customers:n", "repeatPurchaseRate:n", "churnRate:n", "churnThresholdDays:n", "averageLifetimeValue:n", "?predictedLifetimeValue12Months:n?"];
        var customers = await manager.GetAsync("/api/v1/analytics/customers").Expect(HttpStatusCode.OK);
        Shape(customers, "customers", customerFields);
        Assert.Equal(3, customers["customers"].Int());
        Assert.Equal(0.6667m, D(customers["repeatPurchaseRate"]));
        Assert.True(customers["churnThresholdDays"].Int() >= 1);

        // Every last order was in 2025 or before: with a 30-day threshold every customer has churned.
        var churned = await manager.GetAsync("/api/v1/analytics/customers?churnThresholdDays=30").Expect(HttpStatusCode.OK);
        Assert.Equal((30, 1m), (churned["churnThresholdDays"].Int(), D(churned["churnRate"])));
        // With from/to: the orders placed in [from, to), churn measured at 'to'. Ada (twice, last on 10 February: churned
        // after 30 days by 1 April), Bob (once in the range, on 31 March) and Cy (10 March).
        var inRange = await manager.GetAsync($"/api/v1/analytics/customers?{range}&churnThresholdDays=30").Expect(HttpStatusCode.OK);
        Shape(inRange, "customers in range", customerFields);
        Assert.Equal((3, 0.3333m, 0.3333m), (inRange["customers"].Int(), D(inRange["repeatPurchaseRate"]), D(inRange["churnRate"])));
        var january = await manager.GetAsync("/api/v1/analytics/customers?from=2025-01-01&to=2025-02-01").Expect(HttpStatusCode.OK);
        Assert.Equal((1, 0m), (january["customers"].Int(), D(january["repeatPurchaseRate"]))); // Ada's first order only; Eve's was cancelled
        await manager.GetAsync("/api/v1/analytics/customers?from=2025-02-01&to=2025-01-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await manager.GetAsync("/api/v1/analytics/customers?churnThresholdDays=0").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidChurnThresholdCode);

        // GET /analytics/funnel?from=&to= → sessions, product views, add-to-carts, checkouts started, orders, and the rates between.
        string[] funnelFields = ["sessions:n", "productViews:n", "addToCarts:n", "checkoutsStarted:n", "orders:n", "productViewRate:n?", "addToCartRate:n?", "checkoutRate:n?", "orderRate:n?", "conversionRate:n?"];
        var funnel = await manager.GetAsync($"/api/v1/analytics/funnel?{range}").Expect(HttpStatusCode.OK);
        Shape(funnel, "funnel", funnelFields);
        Assert.Equal((3, 2, 1, 1, 1), (funnel["sessions"].Int(), funnel["productViews"].Int(), funnel["addToCarts"].Int(), funnel["checkoutsStarted"].Int(), funnel["orders"].Int()));
        Assert.Equal((0.6667m, 0.5m, 1m, 1m, 0.3333m), (D(funnel["productViewRate"]), D(funnel["addToCartRate"]), D(funnel["checkoutRate"]), D(funnel["orderRate"]), D(funnel["conversionRate"])));
        var empty = await manager.GetAsync("/api/v1/analytics/funnel?from=2025-03-01&to=2025-04-01").Expect(HttpStatusCode.OK);
        Assert.Equal(0, empty["sessions"].Int()); // the sessions were in February: to is exclusive, from inclusive

        // GET /analytics/fulfillment?from=&to= → {orders, shipped, orderToShipHoursMedian, orderToShipHoursP90, onTimeShipmentRate, splitShipmentRate, pickAccuracy}.
        string[] fulfillmentFields = ["orders:n", "shipped:n", "orderToShipHoursMedian:n?", "orderToShipHoursP90:n?", "onTimeShipmentRate:n?", "splitShipmentRate:n?", "pickAccuracy:n?"];
        var fulfillment = await manager.GetAsync("/api/v1/analytics/fulfillment?from=2025-01-01&to=2025-03-01").Expect(HttpStatusCode.OK);
        Shape(fulfillment, "fulfillment", fulfillmentFields);
        Assert.Equal((2, 2), (fulfillment["orders"].Int(), fulfillment["shipped"].Int())); // o1 and o2; the cancelled one does not count
        Assert.Equal(17d, N(fulfillment["orderToShipHoursMedian"])); // first shipments after 24 h and 10 h
        Assert.Equal(22.6d, N(fulfillment["orderToShipHoursP90"]), 2);
        Assert.Equal((1m, 0.5m), (D(fulfillment["onTimeShipmentRate"]), D(fulfillment["splitShipmentRate"])));

        // Any report: Accept: text/csv answers CSV, with the contract's names as the header.
        var (kpiCsvResponse, kpiCsv) = await CsvAsync(manager, $"/api/v1/analytics/kpis?{range}&groupBy=month");
        Assert.StartsWith("attachment", kpiCsvResponse.Content.Headers.ContentDisposition?.ToString() ?? kpiCsvResponse.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        var kpiRows = await KpiReportTests.ReadCsvAsync(kpiCsv);
        Assert.Equal(Names(KpiFields), kpiRows[0].Keys);
        Assert.Equal(4, kpiRows.Count); // three months and the totals
        Assert.Equal("140", kpiRows[^1]["grossSales"].Split('.')[0]);
        var cohortCsv = await KpiReportTests.ReadCsvAsync((await CsvAsync(manager, "/api/v1/analytics/cohorts?by=month&metric=orders&periods=12&from=2024-12-01&to=2025-04-01")).Body);
        Assert.Equal(4, cohortCsv.Count);
        Assert.Equal(new[] { "cohort", "customers" }.Concat(Enumerable.Range(0, 12).Select(i => $"m{i}")), cohortCsv[0].Keys);
        foreach (var (url, fields) in new[] { ("/api/v1/analytics/customers", customerFields), ($"/api/v1/analytics/funnel?{range}", funnelFields), ("/api/v1/analytics/fulfillment?from=2025-01-01&to=2025-03-01", fulfillmentFields) })
        {
            var csv = Assert.Single(await KpiReportTests.ReadCsvAsync((await CsvAsync(manager, url)).Body));
            Assert.All(Names(fields), name => Assert.Contains(name, csv.Keys));
        }

        Assert.Equal("3", Assert.Single(await KpiReportTests.ReadCsvAsync((await CsvAsync(manager, $"/api/v1/analytics/funnel?{range}")).Body))["sessions"]);

        // Reports take from/to as ISO dates, to exclusive; bad input is a problem with a stable code, never a 500.
        await manager.GetAsync("/api/v1/analytics/kpis?groupBy=hour").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidGroupByCode);
        await manager.GetAsync("/api/v1/analytics/kpis?from=01/02/2025").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidDateCode);
        await manager.GetAsync("/api/v1/analytics/kpis?from=2025-02-01&to=2025-02-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await manager.GetAsync("/api/v1/analytics/funnel?from=2025-03-01&to=2025-02-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await manager.GetAsync("/api/v1/analytics/fulfillment?to=someday").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidDateCode);
        var oneDay = await manager.GetAsync("/api/v1/analytics/kpis?from=2025-03-31&to=2025-04-01&groupBy=day").Expect(HttpStatusCode.OK);
        Assert.Equal(1, oneDay["totals"]!["orders"].Int()); // the order at 23:59:59 counts, the one at midnight of 'to' does not

        // Manager and owner see everything; other roles and anonymous callers do not.
        await (await store.ClientForAsync(Role.Sales)).GetAsync("/api/v1/analytics/kpis").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/analytics/customers").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    // ---------------------------------------------------------------- Order history import

    private const string ImportHeader = "Order,Date,Shipped,CustomerId,Email,Name,Company,SKU,Title,Category,Qty,Total,Unit,Discount,Cost,Profit,Country,Region,City,Zip,Channel,ShipMode";

    /// <summary>
    /// Every field of MAP.json's columns but profit (a map names cost or profit, not both: the
    /// analytics test above maps profit), plus dateFormat and currency.
    /// </summary>
    private const string FullMap = """
        {"columns": {"orderNumber": "Order", "placedAt": "Date", "shippedAt": "Shipped", "customerId": "CustomerId", "customerEmail": "Email",
                     "customerName": "Name", "company": "Company", "sku": "SKU", "productTitle": "Title", "category": "Category", "quantity": "Qty",
                     "lineTotal": "Total", "unitPrice": "Unit", "discount": "Discount", "cost": "Cost", "country": "Country",
                     "region": "Region", "city": "City", "postalCode": "Zip", "channel": "Channel", "shipMode": "ShipMode"},
         "dateFormat": "dd/MM/yyyy", "currency": "USD"}
        """;

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Order_history_import_maps_every_field_and_keeps_its_promises(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("IMP-MUG", 12m, main: 10, title: "Known mug");
        Guid adaId;
        await using (var db = store.Db())
        {
            adaId = await CustomerAsync(db, "ada@example.com");
            await CustomerAsync(db, "bob@example.com");
        }

        var csv = ImportHeader + "\n" + string.Join("\n",
            // Order H-1: Ada by id (whatever the email), two lines; 10.005 rounds half away from zero to 10.01; a new SKU priced by unit price.
            $"H-1,05/03/2025,07/03/2025,{adaId},other@example.com,Ada L,,IMP-MUG,Known mug,,2,10.005,,,3.00,,FR,IDF,Paris,75001,Retail,Second Class",
            $"H-1,05/03/2025,07/03/2025,{adaId},other@example.com,Ada L,,IMP-NEW,Brand new thing,Garden Tools,3,,4.50,,,,FR,IDF,Paris,75001,Retail,Second Class",
            // Order H-2: Bob by email in another case; a discount.
            "H-2,06/03/2025,,,BOB@Example.com,Bob,,IMP-MUG,Known mug,,1,30.00,,2.00,18.00,,DE,,Berlin,10115,Retail,Standard",
            // Order H-3: a new business customer; 2.345 → 2.35.
            "H-3,07/03/2025,,,cy@example.com,Cy,Cy Ltd,IMP-NEW,Brand new thing,Garden Tools,1,2.345,,,,,US,NY,New York,10001,,") + "\n";

        Task<long> Count(string sql) => store.ScalarAsync(sql);
        var movementsBefore = await Count("SELECT COUNT(*) FROM stock_movements");
        var eventsBefore = await Count("SELECT COUNT(*) FROM outbox_events");

        // ?dryRun=true reports and writes nothing.
        string[] reportFields = ["dryRun:b", "imported:b", "orders:n", "alreadyImported:n", "errors:a"];
        var preview = await ImportAsync(store.Client, csv, FullMap, dryRun: true).Expect(HttpStatusCode.OK);
        Shape(preview, "import preview", reportFields);
        Assert.Equal((true, false, 3), (preview["dryRun"]!.GetValue<bool>(), preview["imported"]!.GetValue<bool>(), preview["orders"].Int()));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM orders"));

        // The import, with an Idempotency-Key: a replay answers the first response and imports nothing more.
        var first = await ImportAsync(store.Client, csv, FullMap, dryRun: false, idempotencyKey: "import-1");
        var report = await first.Expect(HttpStatusCode.OK);
        Shape(report, "import", reportFields);
        Assert.Equal((false, true, 3, 0), (report["dryRun"]!.GetValue<bool>(), report["imported"]!.GetValue<bool>(), report["orders"].Int(), report["alreadyImported"].Int()));
        Assert.Empty(report["errors"]!.AsArray());
        var replay = await ImportAsync(store.Client, csv, FullMap, dryRun: false, idempotencyKey: "import-1");
        Assert.Equal(report.ToJsonString(), (await replay.Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        await ImportAsync(store.Client, csv.Replace("2.345", "2.346", StringComparison.Ordinal), FullMap, dryRun: false, idempotencyKey: "import-1")
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(3, await Count("SELECT COUNT(*) FROM orders"));

        // Importing the same file again adds nothing.
        var again = await ImportAsync(store.Client, csv, FullMap).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 3), (again["orders"].Int(), again["alreadyImported"].Int()));
        Assert.Equal(3, await Count("SELECT COUNT(*) FROM orders"));

        // Lines group into orders by orderNumber; imported orders are source "import", paid and fulfilled.
        var list = Items(await store.Client.GetAsync("/api/v1/orders?limit=50").Expect(HttpStatusCode.OK), "orders");
        var orders = list.ToDictionary(o => o!["externalNumber"].Str(), o => o!);
        Assert.Equal(["H-1", "H-2", "H-3"], orders.Keys.Order(StringComparer.Ordinal));
        Assert.All(orders.Values, o =>
        {
            Assert.Equal("import", o["source"].Str());
            Assert.Equal("paid", o["paymentStatus"].Str());
            Assert.Equal("delivered", o["fulfillmentStatus"].Str());
            Assert.Equal("USD", o["currency"].Str());
        });
        var h1 = await store.Client.GetAsync($"/api/v1/orders/{orders["H-1"]["id"].Str()}").Expect(HttpStatusCode.OK);
        var h1Lines = h1["lines"]!.AsArray().ToDictionary(l => l!["sku"].Str(), l => l!);
        Assert.Equal(2, h1Lines.Count);
        Assert.Equal(10.01m, D(h1Lines["IMP-MUG"]["lineTotal"])); // lineTotal is authoritative, rounded half away from zero
        Assert.Equal(13.50m, D(h1Lines["IMP-NEW"]["lineTotal"])); // 3 × 4.50
        var h3 = await store.Client.GetAsync($"/api/v1/orders/{orders["H-3"]["id"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(2.35m, D(Assert.Single(h3["lines"]!.AsArray())!["lineTotal"])); // 2.345: half away from zero, not to even
        Assert.Equal("Paris", h1["shippingAddress"]!["city"].Str());
        Assert.Equal(("IDF", "75001", "FR"), (h1["shippingAddress"]!["region"].Str(), h1["shippingAddress"]!["postalCode"].Str(), h1["shippingAddress"]!["country"].Str()));
        Assert.Equal("Second Class", h1["shippingMethod"].Str());
        Assert.Equal("Retail", h1["channel"].Str());
        Assert.Equal(new DateTime(2025, 3, 5, 0, 0, 0, DateTimeKind.Utc), h1["createdAt"]!.GetValue<DateTime>().ToUniversalTime()); // dateFormat dd/MM/yyyy

        await using (var db = store.Db())
        {
            // Customers are matched by id or email; a new one is created with its company.
            var byNumber = await db.Orders.AsNoTracking().Where(o => o.ExternalNumber != null).ToDictionaryAsync(o => o.ExternalNumber!, o => o);
            Assert.Equal(adaId, byNumber["H-1"].CustomerId);
            var bob = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == "bob@example.com");
            Assert.Equal(bob.Id, byNumber["H-2"].CustomerId);
            var cy = await db.Customers.AsNoTracking().SingleAsync(c => c.Email == "cy@example.com");
            Assert.Equal(("Cy Ltd", cy.Id), (cy.Company, byNumber["H-3"].CustomerId!.Value));
            Assert.Equal(new DateTime(2025, 3, 7, 0, 0, 0, DateTimeKind.Utc), byNumber["H-1"].ShippedAt);

            // Unknown SKUs become draft products, unknown categories categories.
            var product = await db.Products.AsNoTracking().Include(p => p.Category).SingleAsync(p => p.Variants.Any(v => v.Sku == "IMP-NEW"));
            Assert.Equal(ProductStatus.Draft, product.Status);
            Assert.Equal("Brand new thing", product.Title);
            Assert.Equal("Garden Tools", product.Category?.Name);
            Assert.Equal(ProductStatus.Active, (await db.Products.AsNoTracking().SingleAsync(p => p.Variants.Any(v => v.Sku == "IMP-MUG"))).Status);

            // cost: the line's cost (per unit on the order line).
            var lines = await db.Set<Storekeep.Orders.OrderLine>().AsNoTracking().Where(l => l.OrderId == byNumber["H-2"].Id).ToListAsync();
            var h2 = Assert.Single(lines);
            Assert.Equal((30.00m, 18.00m), (h2.LineTotal, h2.UnitCost!.Value * h2.Quantity));
            var h1Mug = await db.Set<Storekeep.Orders.OrderLine>().AsNoTracking().SingleAsync(l => l.OrderId == byNumber["H-1"].Id && l.Sku == "IMP-MUG");
            Assert.Equal(1.50m, h1Mug.UnitCost); // 3.00 for the line of 2
        }

        // They touch no stock, send no email and fire no webhook (no event at all).
        Assert.Equal(movementsBefore, await Count("SELECT COUNT(*) FROM stock_movements"));
        Assert.Equal(10, await Count("SELECT on_hand FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = 'IMP-MUG' AND w.code = 'MAIN'"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM messages"));
        Assert.Equal(eventsBefore, await Count("SELECT COUNT(*) FROM outbox_events"));

        // A line that cannot be read is reported with its line number, and nothing is written.
        var bad = ImportHeader + "\n"
            + "B-1,01/04/2025,,,dan@example.com,Dan,,IMP-MUG,Known mug,,1,5.00,,,,,US,,,,,\n"
            + "B-2,31/02/2025,,,dan@example.com,Dan,,IMP-MUG,Known mug,,1,5.00,,,,,US,,,,,\n";
        var problem = await ImportAsync(store.Client, bad, FullMap).ExpectProblem(HttpStatusCode.UnprocessableEntity, "import_has_errors");
        Assert.Equal(3, Assert.Single(problem["errors"]!.AsArray())!["line"].Int());
        Assert.Equal(3, await Count("SELECT COUNT(*) FROM orders"));
        await using (var db = store.Db())
        {
            Assert.False(await db.Customers.AnyAsync(c => c.Email == "dan@example.com"));
        }

        // The required fields: orderNumber, placedAt, sku, quantity, and lineTotal or unitPrice.
        foreach (var missing in new[] { "orderNumber", "placedAt", "sku", "quantity" })
        {
            var map = JsonNode.Parse(FullMap)!;
            map["columns"]!.AsObject().Remove(missing);
            await ImportAsync(store.Client, csv, map.ToJsonString()).ExpectProblem(HttpStatusCode.BadRequest, "invalid_import_map");
        }

        var noPrice = JsonNode.Parse(FullMap)!;
        noPrice["columns"]!.AsObject().Remove("lineTotal");
        noPrice["columns"]!.AsObject().Remove("unitPrice");
        await ImportAsync(store.Client, csv, noPrice.ToJsonString()).ExpectProblem(HttpStatusCode.BadRequest, "invalid_import_map");

        // preset: shopify reads Shopify's order export without a map.
        var shopify = await ImportAsync(store.Client, OrderImportSample("shopify-orders.csv"), """{"preset": "shopify"}""", dryRun: true).Expect(HttpStatusCode.OK);
        Assert.Equal(4, shopify["orders"].Int());
        Assert.Empty(shopify["errors"]!.AsArray());

        await (await store.ClientForAsync(Role.Sales)).SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders/import") { Content = Form(csv, FullMap) }).ExpectProblem(HttpStatusCode.Forbidden);
    }

    private static string OrderImportSample(string name) => Storekeep.Tests.Orders.Import.OrderImportTestData.Sample(name);

    // ---------------------------------------------------------------- Planning

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Planning_suppliers_purchase_orders_and_reports_carry_the_contract_fields_and_behaviours(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var manager = await store.ClientForAsync(Role.Manager);
        await store.AddProductAsync("PL-A", 20m, main: 2);
        await store.AddProductAsync("PL-B", 8m, main: 200);
        await store.AddProductAsync("PL-C", 50m, main: 3);
        await store.AddProductAsync("PL-D", 5m, main: 7); // never sells: dead stock

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var thisMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var firstMonday = thisMonday.AddDays(-7 * 30);
        var revenue = new Dictionary<string, decimal>();
        var units = new Dictionary<string, long>();
        var margin = new Dictionary<string, decimal>();
        var weekly = new Dictionary<(string Sku, DateOnly Week), long>();
        var prices = new Dictionary<string, (decimal Price, decimal Cost)> { ["PL-A"] = (20m, 8m), ["PL-B"] = (8m, 2m), ["PL-C"] = (50m, 20m) };
        await using (var db = store.Db())
        {
            var kitchen = new Category { Name = "Kitchen", Slug = "kitchen", CreatedAt = DateTime.UtcNow };
            var garden = new Category { Name = "Garden", Slug = "garden", CreatedAt = DateTime.UtcNow };
            db.Categories.AddRange(kitchen, garden);
            await db.SaveChangesAsync();
            foreach (var (sku, cat) in new[] { ("PL-A", kitchen), ("PL-B", kitchen), ("PL-C", garden) })
            {
                var productId = await db.Variants.Where(v => v.Sku == sku).Select(v => v.ProductId).SingleAsync();
                await db.Products.Where(p => p.Id == productId).ExecuteUpdateAsync(u => u.SetProperty(p => p.CategoryId, cat.Id));
                await db.Variants.Where(v => v.Sku == sku).ExecuteUpdateAsync(u => u.SetProperty(v => v.Cost, prices[sku].Cost));
            }

            var variants = await db.Variants.AsNoTracking().ToDictionaryAsync(v => v.Sku, v => v);
            for (var w = 0; w < 30; w++)
            {
                var monday = firstMonday.AddDays(7 * w);
                var lines = new List<(string Sku, int Quantity, decimal UnitPrice)> { ("PL-A", 3 + (w % 4), 20m) };
                if (w % 2 == 0)
                {
                    lines.Add(("PL-B", 2, 8m));
                }

                if (w % 5 == 0)
                {
                    lines.Add(("PL-C", 1, 50m));
                }

                await OrderAsync(db, monday.ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc).AddDays(1), "ada@example.com", null, variants, [.. lines], shipping: 0m);
                foreach (var (sku, quantity, price) in lines)
                {
                    revenue[sku] = revenue.GetValueOrDefault(sku) + (quantity * price);
                    units[sku] = units.GetValueOrDefault(sku) + quantity;
                    margin[sku] = margin.GetValueOrDefault(sku) + (quantity * (price - prices[sku].Cost));
                    weekly[(sku, monday)] = weekly.GetValueOrDefault((sku, monday)) + quantity;
                }
            }

            // At midnight of this Monday: after 'to' of the ABC below, and in the week a forecast does not count as history.
            await OrderAsync(db, thisMonday.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), "ada@example.com", null, variants, [("PL-C", 10, 50m)], shipping: 0m);
        }

        // POST /suppliers {name, email, currency, leadTimeDays}, with an Idempotency-Key.
        var supplierBody = new { name = "Acme", email = "orders@acme.example", currency = "USD", leadTimeDays = 14 };
        var supplierResponse = await manager.PostJson("/api/v1/suppliers", supplierBody, idempotencyKey: "supplier-1");
        var supplier = Shape(await supplierResponse.Expect(HttpStatusCode.Created), "supplier", "id:s", "name:s", "email:s", "currency:s", "leadTimeDays:n");
        Assert.Equal(("Acme", "orders@acme.example", "USD", 14), (supplier["name"].Str(), supplier["email"].Str(), supplier["currency"].Str(), supplier["leadTimeDays"].Int()));
        var supplierId = supplier["id"].Str();
        var supplierReplay = await manager.PostJson("/api/v1/suppliers", supplierBody, idempotencyKey: "supplier-1");
        Assert.Equal(supplierId, (await supplierReplay.Expect(HttpStatusCode.Created))["id"].Str());
        Assert.Equal("true", supplierReplay.Headers.GetValues("Idempotent-Replayed").Single());
        await manager.PostJson("/api/v1/suppliers", new { name = "Other", email = "o@example.com", currency = "USD", leadTimeDays = 3 }, idempotencyKey: "supplier-1")
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        var other = await manager.PostJson("/api/v1/suppliers", new { name = "Beta", email = "b@example.com", currency = "EUR", leadTimeDays = 30 }).Expect(HttpStatusCode.Created);

        // Suppliers are a list: ?limit=&cursor=.
        var suppliersPage = await manager.GetAsync("/api/v1/suppliers?limit=1").Expect(HttpStatusCode.OK);
        Assert.Equal(supplierId, Assert.Single(Items(suppliersPage, "suppliers"))!["id"].Str());
        var suppliersNext = await manager.GetAsync($"/api/v1/suppliers?limit=1&cursor={Uri.EscapeDataString(suppliersPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Equal(other["id"].Str(), Assert.Single(Items(suppliersNext, "suppliers"))!["id"].Str());
        Assert.Null(suppliersNext["nextCursor"]);

        // POST /suppliers/{id}/products {sku, supplierSku?, cost, minimumOrderQuantity?, packSize?, leadTimeDays?}.
        var offer = await manager.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "PL-A", supplierSku = "AC-A", cost = 8.00m, minimumOrderQuantity = 12, packSize = 6, leadTimeDays = 7 }, idempotencyKey: "offer-1")
            .Expect(HttpStatusCode.Created);
        Shape(offer, "supplier product", "sku:s", "supplierSku:s?", "cost:n", "minimumOrderQuantity:n", "packSize:n", "leadTimeDays:n?");
        Assert.Equal(("PL-A", "AC-A", 8.00m, 12, 6, 7), (offer["sku"].Str(), offer["supplierSku"].Str(), D(offer["cost"]), offer["minimumOrderQuantity"].Int(), offer["packSize"].Int(), offer["leadTimeDays"].Int()));
        var minimal = await manager.PostJson($"/api/v1/suppliers/{supplierId}/products", new { sku = "PL-B", cost = 3.00m }).Expect(HttpStatusCode.Created);
        Assert.Equal((1, 1), (minimal["minimumOrderQuantity"].Int(), minimal["packSize"].Int()));
        Assert.Null(minimal["supplierSku"]);

        // POST /purchase-orders {supplierId, warehouse, lines: [{sku, quantity, unitCost}], expectedAt?} → draft.
        var poBody = new { supplierId, warehouse = "MAIN", lines = new[] { new { sku = "PL-B", quantity = 10, unitCost = 3.00m } }, expectedAt = "2027-02-01T00:00:00Z" };
        var poResponse = await manager.PostJson("/api/v1/purchase-orders", poBody, idempotencyKey: "po-1");
        var po = Shape(await poResponse.Expect(HttpStatusCode.Created), "purchase order", "id:s", "number:s", "status:s", "supplierId:s", "warehouse:s", "lines:a", "expectedAt:s?");
        Assert.Equal(("draft", supplierId, "MAIN"), (po["status"].Str(), po["supplierId"].Str(), po["warehouse"].Str()));
        Assert.Equal(new DateTime(2027, 2, 1, 0, 0, 0, DateTimeKind.Utc), po["expectedAt"]!.GetValue<DateTime>().ToUniversalTime());
        var poLine = Shape(Assert.Single(po["lines"]!.AsArray()), "purchase order line", "sku:s", "quantity:n", "unitCost:n");
        Assert.Equal(("PL-B", 10, 3.00m), (poLine["sku"].Str(), poLine["quantity"].Int(), D(poLine["unitCost"])));
        var poId = po["id"].Str();
        var poReplay = await manager.PostJson("/api/v1/purchase-orders", poBody, idempotencyKey: "po-1");
        Assert.Equal(poId, (await poReplay.Expect(HttpStatusCode.Created))["id"].Str());
        Assert.Equal("true", poReplay.Headers.GetValues("Idempotent-Replayed").Single());
        var noExpected = await manager.PostJson("/api/v1/purchase-orders", new { supplierId, warehouse = "WEST", lines = new[] { new { sku = "PL-A", quantity = 12, unitCost = 8.00m } } }).Expect(HttpStatusCode.Created);
        Assert.Null(noExpected["expectedAt"]);

        // POST /purchase-orders/{id}/send: emailed to the supplier; inventory shows incoming per warehouse.
        var sent = await manager.PostAsync($"/api/v1/purchase-orders/{poId}/send", null).Expect(HttpStatusCode.OK);
        Assert.Equal("sent", sent["status"].Str());
        await using (var db = store.Db())
        {
            Assert.Equal("orders@acme.example", (await db.Messages.AsNoTracking().SingleAsync(m => m.Type == Storekeep.Messaging.MessageTypes.PurchaseOrder)).To);
        }

        var stock = await manager.GetAsync("/api/v1/inventory/PL-B").Expect(HttpStatusCode.OK);
        Assert.Equal((10L, 0L), (L(stock["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == "MAIN")!["incoming"]), L(stock["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == "WEST")!["incoming"])));

        // GET /planning/replenishment?warehouse= shows the same incoming.
        string[] replenishmentFields =
        [
            "sku:s", "onHand:n", "reserved:n", "incoming:n", "dailyDemand:n", "demandStdDev:n", "leadTimeDays:n", "serviceLevel:n", "safetyStock:n",
            "reorderPoint:n", "economicOrderQuantity:n?", "suggestedQuantity:n", "daysOfCover:n?", "stockoutDate:s?", "supplierId:s?",
        ];
        var replenishment = Items(await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MAIN").Expect(HttpStatusCode.OK), "replenishment")
            .ToDictionary(r => Shape(r, "replenishment[]", replenishmentFields)["sku"].Str(), r => r!);
        Assert.Equal(["PL-A", "PL-B", "PL-C", "PL-D"], replenishment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(10, L(replenishment["PL-B"]["incoming"]));

        // A receipt: stock ledger receipts, partially_received then received, moving-average cost; more than ordered → 409.
        var partial = await manager.PostJson($"/api/v1/purchase-orders/{poId}/receipts", new { lines = new[] { new { sku = "PL-B", quantity = 4 } } }, idempotencyKey: "receipt-1").Expect(HttpStatusCode.Created);
        Assert.Equal("partially_received", partial["status"].Str());
        await manager.PostJson($"/api/v1/purchase-orders/{poId}/receipts", new { lines = new[] { new { sku = "PL-B", quantity = 7 } } }).ExpectProblem(HttpStatusCode.Conflict, "receipt_exceeds_outstanding");
        var received = await manager.PostJson($"/api/v1/purchase-orders/{poId}/receipts", new { lines = new[] { new { sku = "PL-B", quantity = 6 } } }).Expect(HttpStatusCode.Created);
        Assert.Equal("received", received["status"].Str());
        await using (var db = store.Db())
        {
            var reference = $"po:{po["number"].Str()}";
            Assert.Equal(10, await db.StockMovements.Where(m => m.Reference == reference && m.Type == Storekeep.Inventory.MovementType.Receipt).SumAsync(m => m.OnHandDelta));

            // 200 on hand at 2.00, then 4 and 6 at 3.00: (200 × 2 + 4 × 3) / 204 = 2.0196 → 2.02; (204 × 2.02 + 6 × 3) / 210 = 2.0480 → 2.05.
            Assert.Equal(2.05m, await db.Variants.Where(v => v.Sku == "PL-B").Select(v => v.Cost).SingleAsync());
        }

        Assert.Equal(0, L((await manager.GetAsync("/api/v1/inventory/PL-B").Expect(HttpStatusCode.OK))["warehouses"]!.AsArray().Single(w => w!["warehouse"].Str() == "MAIN")!["incoming"]));
        await manager.PostJson($"/api/v1/purchase-orders/{poId}/receipts", new { lines = new[] { new { sku = "PL-B", quantity = 1 } } }).ExpectProblem(HttpStatusCode.Conflict);

        // Purchase orders are a list: ?limit=&cursor=.
        var poPage = await manager.GetAsync("/api/v1/purchase-orders?limit=1").Expect(HttpStatusCode.OK);
        Assert.Single(Items(poPage, "purchase orders"));
        var poNext = await manager.GetAsync($"/api/v1/purchase-orders?limit=1&cursor={Uri.EscapeDataString(poPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { poId, noExpected["id"].Str() }.Order(), Items(poPage, "").Concat(Items(poNext, "")).Select(p => p!["id"].Str()).Order());
        Assert.Null(poNext["nextCursor"]);

        // GET /planning/forecast?groupBy=sku|category&sku=&category=&horizonWeeks=13&asOf= → {key, method, history, forecast, backtest}.
        var methods = new System.Text.RegularExpressions.Regex("^(seasonal_naive|ses|damped_holt|holt_winters_additive|holt_winters_multiplicative|croston|sba|tsb|moving_average_[0-9]+)$");
        Dictionary<string, JsonNode> Forecasts(JsonNode page, int horizon, DateOnly firstForecastWeek, bool backtested = true) =>
            Items(page, "forecast").ToDictionary(item =>
            {
                // backtest is null when the history is too short for one rolling origin (asOf below).
                Shape(item, "forecast[]", "key:s", "method:s", "history:a", "forecast:a", backtested ? "backtest:o" : "backtest:o?");
                Assert.Matches(methods, item!["method"].Str());
                if (backtested)
                {
                    Shape(item["backtest"], "forecast[].backtest", "mase:n", "maseSeasonalNaive:n");
                }
                foreach (var week in item["history"]!.AsArray())
                {
                    Shape(week, "forecast[].history[]", "weekStart:s", "units:n");
                    Assert.Equal(DayOfWeek.Monday, DateOnly.ParseExact(week!["weekStart"].Str(), "yyyy-MM-dd", CultureInfo.InvariantCulture).DayOfWeek);
                }

                var forecast = item["forecast"]!.AsArray();
                Assert.Equal(horizon, forecast.Count);
                for (var i = 0; i < forecast.Count; i++)
                {
                    Shape(forecast[i], "forecast[].forecast[]", "weekStart:s", "units:n", "lo80:n", "hi80:n");
                    Assert.Equal(firstForecastWeek.AddDays(7 * i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), forecast[i]!["weekStart"].Str()); // Mondays, from the week of asOf
                    Assert.True(N(forecast[i]!["lo80"]) <= N(forecast[i]!["units"]) && N(forecast[i]!["units"]) <= N(forecast[i]!["hi80"]), forecast[i]!.ToJsonString());
                }

                return item["key"].Str();
            }, item => item!);

        var bySku = Forecasts(await manager.GetAsync("/api/v1/planning/forecast?groupBy=sku&horizonWeeks=13").Expect(HttpStatusCode.OK), 13, thisMonday);
        Assert.Equal(["PL-A", "PL-B", "PL-C"], bySku.Keys.Order(StringComparer.Ordinal));
        foreach (var (sku, item) in bySku)
        {
            var history = item["history"]!.AsArray();
            Assert.Equal(thisMonday.AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), history[^1]!["weekStart"].Str()); // this week is not history
            foreach (var week in history)
            {
                var start = DateOnly.ParseExact(week!["weekStart"].Str(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                Assert.Equal(weekly.GetValueOrDefault((sku, start)), (long)N(week["units"]));
            }

            Assert.Equal(units[sku], history.Sum(w => (long)N(w!["units"])));
        }

        Assert.Equal(13, (await manager.GetAsync("/api/v1/planning/forecast?sku=PL-A").Expect(HttpStatusCode.OK))["items"]![0]!["forecast"]!.AsArray().Count); // horizonWeeks defaults to 13
        var one = Forecasts(await manager.GetAsync("/api/v1/planning/forecast?groupBy=sku&sku=PL-B&horizonWeeks=4").Expect(HttpStatusCode.OK), 4, thisMonday);
        Assert.Equal(["PL-B"], one.Keys);

        // By category: the category's history is the sum of its SKUs'.
        var byCategory = Forecasts(await manager.GetAsync("/api/v1/planning/forecast?groupBy=category&horizonWeeks=2").Expect(HttpStatusCode.OK), 2, thisMonday);
        Assert.Equal(["garden", "kitchen"], byCategory.Keys.Order(StringComparer.Ordinal));
        var kitchenOnly = Forecasts(await manager.GetAsync("/api/v1/planning/forecast?groupBy=category&category=kitchen&horizonWeeks=2").Expect(HttpStatusCode.OK), 2, thisMonday);
        Assert.Equal(["kitchen"], kitchenOnly.Keys);
        Assert.Equal(units["PL-A"] + units["PL-B"], kitchenOnly["kitchen"]["history"]!.AsArray().Sum(w => (long)N(w!["units"])));

        // asOf forecasts from the history before its week only.
        var asOf = thisMonday.AddDays(-7 * 10 + 2); // a Wednesday ten weeks ago
        var backtest = Forecasts(await manager.GetAsync($"/api/v1/planning/forecast?sku=PL-A&horizonWeeks=3&asOf={asOf:yyyy-MM-dd}").Expect(HttpStatusCode.OK), 3, thisMonday.AddDays(-7 * 10), backtested: false);
        var past = backtest["PL-A"]["history"]!.AsArray();
        Assert.Equal(thisMonday.AddDays(-7 * 11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), past[^1]!["weekStart"].Str());
        Assert.Equal(bySku["PL-A"]["history"]!.AsArray().Take(past.Count).Select(w => w!.ToJsonString()), past.Select(w => w!.ToJsonString()));

        // The forecast is a list: ?limit=&cursor=.
        var forecastPage = await manager.GetAsync("/api/v1/planning/forecast?horizonWeeks=1&limit=2").Expect(HttpStatusCode.OK);
        Assert.Equal(["PL-A", "PL-B"], Items(forecastPage, "forecast").Select(i => i!["key"].Str()));
        var forecastNext = await manager.GetAsync($"/api/v1/planning/forecast?horizonWeeks=1&limit=2&cursor={Uri.EscapeDataString(forecastPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Equal(["PL-C"], Items(forecastNext, "forecast").Select(i => i!["key"].Str()));
        Assert.Null(forecastNext["nextCursor"]);

        // GET /planning/abc?from=&to=&by=revenue|margin|units → per SKU {sku, value, share, cumulativeShare, abc, xyz, cv}.
        var abcRange = $"from={firstMonday:yyyy-MM-dd}&to={thisMonday:yyyy-MM-dd}";
        JsonNode? revenueRows = null;
        foreach (var (by, expected) in new[] { ("revenue", revenue), ("margin", margin), ("units", units.ToDictionary(u => u.Key, u => (decimal)u.Value)) })
        {
            var rows = Items(await manager.GetAsync($"/api/v1/planning/abc?{abcRange}&by={by}").Expect(HttpStatusCode.OK), "abc");
            revenueRows ??= rows;
            var cumulative = 0.0;
            var total = (double)expected.Values.Sum();
            Assert.Equal(expected.OrderByDescending(e => e.Value).Select(e => e.Key), rows.Select(r => r!["sku"].Str()));
            foreach (var row in rows)
            {
                Shape(row, $"abc[{by}]", "sku:s", "value:n", "share:n", "cumulativeShare:n", "abc:s", "xyz:s", "cv:n?");
                var before = cumulative;
                Assert.Equal(expected[row!["sku"].Str()], D(row["value"])); // to is exclusive: this Monday's order is not in it
                cumulative += (double)D(row["value"]) / total;
                Assert.Equal((double)D(row["value"]) / total, N(row["share"]), 4);
                Assert.Equal(cumulative, N(row["cumulativeShare"]), 4);
                Assert.Equal(before < 0.8 ? "A" : before < 0.95 ? "B" : "C", row["abc"].Str()); // A up to 80% of cumulative value, B to 95%, C the rest
                if (row["cv"] is { } cv)
                {
                    Assert.Equal(N(cv) < 0.5 ? "X" : N(cv) < 1.0 ? "Y" : "Z", row["xyz"].Str());
                }
                else
                {
                    Assert.Equal("Z", row["xyz"].Str());
                }
            }

            Assert.Equal(1.0, cumulative, 4);
        }

        Assert.Equal("X", revenueRows!.AsArray().Single(r => r!["sku"].Str() == "PL-A")!["xyz"].Str()); // 3 to 6 units every week
        var abcPage = await manager.GetAsync($"/api/v1/planning/abc?{abcRange}&limit=1").Expect(HttpStatusCode.OK);
        Assert.Equal("PL-A", Assert.Single(Items(abcPage, "abc"))!["sku"].Str());
        var abcNext = await manager.GetAsync($"/api/v1/planning/abc?{abcRange}&limit=1&cursor={Uri.EscapeDataString(abcPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Equal(revenueRows!.AsArray()[1]!["sku"].Str(), Assert.Single(Items(abcNext, "abc"))!["sku"].Str());

        // Replenishment: safety stock = z × σ × √leadTime (service level by ABC class), reorder point = demand × lead time + safety stock,
        // EOQ = √(2 × annual demand × order cost / (unit cost × holding rate)), suggestion rounded up to pack size and minimum.
        var settings = store.Services.GetRequiredService<Storekeep.Planning.ReplenishmentSettings>();
        replenishment = Items(await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MAIN").Expect(HttpStatusCode.OK), "replenishment")
            .ToDictionary(r => Shape(r, "replenishment[]", replenishmentFields)["sku"].Str(), r => r!);
        foreach (var (sku, row) in replenishment)
        {
            var serviceLevel = N(row["serviceLevel"]);
            Assert.Equal(row["abc"].Str() switch { "A" => 0.98, "B" => 0.95, _ => 0.90 }, serviceLevel); // service level by ABC class
            var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, serviceLevel);
            var lead = row["leadTimeDays"].Int();
            var safety = z * N(row["demandStdDev"]) * Math.Sqrt(lead);
            Assert.InRange(L(row["safetyStock"]), Math.Ceiling(safety - 0.01), Math.Ceiling(safety + 0.01));
            var reorder = (N(row["dailyDemand"]) * lead) + L(row["safetyStock"]);
            Assert.InRange(L(row["reorderPoint"]), Math.Ceiling(reorder - 0.01), Math.Ceiling(reorder + 0.01));
            if (row["economicOrderQuantity"] is { } eoq)
            {
                var unitCost = sku == "PL-A" ? 8.00 : sku == "PL-B" ? 3.00 : (double)prices.GetValueOrDefault(sku).Cost;
                var expected = Math.Sqrt(2 * N(row["dailyDemand"]) * 365 * (double)settings.OrderCost / (unitCost * settings.HoldingRate));
                Assert.InRange(L(eoq), Math.Ceiling(expected * 0.999 - 0.01), Math.Ceiling(expected * 1.001 + 0.01));
            }
        }

        var a = replenishment["PL-A"];
        Assert.Equal((7, supplierId, 2L), (a["leadTimeDays"].Int(), a["supplierId"].Str(), L(a["onHand"])));
        Assert.Equal(0.98, N(a["serviceLevel"])); // PL-A is class A
        Assert.True(L(a["suggestedQuantity"]) >= 12 && L(a["suggestedQuantity"]) % 6 == 0, a.ToJsonString()); // minimum 12, packs of 6
        Assert.Null(replenishment["PL-D"]["supplierId"]);
        Assert.Equal(0, N(replenishment["PL-D"]["dailyDemand"]));
        var replenishmentPage = await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MAIN&limit=3").Expect(HttpStatusCode.OK);
        var replenishmentNext = await manager.GetAsync($"/api/v1/planning/replenishment?warehouse=MAIN&limit=3&cursor={Uri.EscapeDataString(replenishmentPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Equal(replenishment.Keys.Order(StringComparer.Ordinal), Items(replenishmentPage, "").Concat(Items(replenishmentNext, "")).Select(r => r!["sku"].Str()).Order(StringComparer.Ordinal));
        Assert.Null(replenishmentNext["nextCursor"]);
        await manager.GetAsync("/api/v1/planning/replenishment?warehouse=MOON").ExpectProblem(HttpStatusCode.NotFound);

        // POST /planning/replenishment/purchase-orders makes draft orders per supplier from it (an Idempotency-Key replays).
        var draftsBefore = await store.ScalarAsync("SELECT COUNT(*) FROM purchase_orders WHERE status = 'draft'");
        var madeResponse = await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }, idempotencyKey: "replenish-1");
        var made = await madeResponse.Expect(HttpStatusCode.Created);
        var drafted = Assert.Single(made["purchaseOrders"]!.AsArray())!;
        Assert.Equal(("draft", supplierId, "MAIN"), (drafted["status"].Str(), drafted["supplierId"].Str(), drafted["warehouse"].Str()));
        var suggested = replenishment.Values.Where(r => L(r["suggestedQuantity"]) > 0).ToList();
        Assert.Equal(
            suggested.Where(r => r["supplierId"]?.GetValue<string>() == supplierId).Select(r => (r["sku"].Str(), L(r["suggestedQuantity"]))).OrderBy(x => x.Item1, StringComparer.Ordinal),
            drafted["lines"]!.AsArray().Select(l => (l!["sku"].Str(), (long)l["quantity"].Int())));
        Assert.Contains(("PL-A", L(a["suggestedQuantity"])), drafted["lines"]!.AsArray().Select(l => (l!["sku"].Str(), (long)l["quantity"].Int())));
        Assert.Equal(
            suggested.Where(r => r["supplierId"] is null).Select(r => r["sku"].Str()).Order(StringComparer.Ordinal),
            made["skippedWithoutSupplier"]!.AsArray().Select(x => x.Str()).Order(StringComparer.Ordinal));
        var madeReplay = await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { warehouse = "MAIN" }, idempotencyKey: "replenish-1");
        Assert.Equal(made.ToJsonString(), (await madeReplay.Expect(HttpStatusCode.Created)).ToJsonString());
        Assert.Equal("true", madeReplay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(draftsBefore + 1, await store.ScalarAsync("SELECT COUNT(*) FROM purchase_orders WHERE status = 'draft'"));
        await manager.PostJson("/api/v1/planning/replenishment/purchase-orders", new { }).ExpectProblem(HttpStatusCode.BadRequest, Storekeep.Planning.Replenishment.WarehouseRequiredCode);

        // GET /planning/inventory-health?from=&to= → {averageInventoryCost, costOfGoodsSold, turnover, daysOfInventory, deadStock: [{sku, onHand, daysSinceLastSale}], sellThroughRate}.
        var health = await manager.GetAsync($"/api/v1/planning/inventory-health?from={today.AddDays(-90):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}").Expect(HttpStatusCode.OK);
        Shape(health, "inventory health", "averageInventoryCost:n", "costOfGoodsSold:n", "turnover:n?", "daysOfInventory:n?", "deadStock:a", "sellThroughRate:n?");
        foreach (var row in health["deadStock"]!.AsArray())
        {
            Shape(row, "inventory health.deadStock[]", "sku:s", "onHand:n", "daysSinceLastSale:n?");
        }

        var dead = health["deadStock"]!.AsArray().Single(r => r!["sku"].Str() == "PL-D")!;
        Assert.Equal(7, L(dead["onHand"]));
        Assert.Null(dead["daysSinceLastSale"]); // never sold
        Assert.True(D(health["averageInventoryCost"]) > 0, health.ToJsonString()); // daily ledger balances at cost
        if (health["turnover"] is { } turnover)
        {
            Assert.Equal(Math.Round((double)(D(health["costOfGoodsSold"]) / D(health["averageInventoryCost"])), 4), N(turnover), 4);
        }

        await manager.GetAsync("/api/v1/planning/inventory-health?from=2026-02-01&to=2026-01-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);

        // Problems with stable codes.
        await manager.GetAsync("/api/v1/planning/forecast?groupBy=colour").ExpectProblem(HttpStatusCode.BadRequest, "invalid_group_by");
        await manager.GetAsync("/api/v1/planning/forecast?horizonWeeks=0").ExpectProblem(HttpStatusCode.BadRequest, "invalid_horizon");
        await manager.GetAsync("/api/v1/planning/forecast?asOf=tomorrow").ExpectProblem(HttpStatusCode.BadRequest, "invalid_period");
        await manager.GetAsync($"/api/v1/planning/abc?{abcRange}&by=profit").ExpectProblem(HttpStatusCode.BadRequest, "invalid_abc_basis");
        await manager.GetAsync("/api/v1/planning/abc?from=2026-02-01&to=2026-01-01").ExpectProblem(HttpStatusCode.BadRequest, "invalid_period");
        await manager.PostJson("/api/v1/suppliers", new { name = "", email = "x", currency = "US", leadTimeDays = -1 }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.ClientForAsync(Role.Sales)).GetAsync("/api/v1/planning/replenishment").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/planning/abc").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    // ---------------------------------------------------------------- Promotions and Loyalty

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Promotions_and_loyalty_carry_the_contract_fields_and_behaviours(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var marketing = await store.ClientForAsync(Role.Marketing);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("PR-A", 150m, main: 20);
        await store.AddProductAsync("PR-B", 60m, main: 20);

        // POST /discounts with every field the contract names, with an Idempotency-Key → 201.
        var body = new
        {
            title = "Twenty off",
            code = "TWENTY",
            type = "percentage",
            value = 20m,
            appliesTo = new { all = true },
            minimumSubtotal = 10m,
            minimumQuantity = 1,
            startsAt = "2020-01-01T00:00:00Z",
            endsAt = "2099-01-01T00:00:00Z",
            usageLimit = 5,
            usageLimitPerCustomer = 2,
            combinesWith = new { productDiscounts = false, orderDiscounts = false, shippingDiscounts = true },
            status = "active",
        };
        var created = await marketing.PostJson("/api/v1/discounts", body, idempotencyKey: "discount-1");
        string[] discountFields =
        [
            "id:s", "title:s", "code:s?", "type:s", "value:n?", "appliesTo:o", "minimumSubtotal:n?", "minimumQuantity:n?", "buy:o?", "get:o?",
            "startsAt:s?", "endsAt:s?", "usageLimit:n?", "usageLimitPerCustomer:n?", "combinesWith:o", "segmentId:s?", "status:s",
            "usageCount:n", "ordersCount:n", "revenue:n",
        ];
        var discount = Shape(await created.Expect(HttpStatusCode.Created), "discount", discountFields);
        Shape(discount["combinesWith"], "discount.combinesWith", "productDiscounts:b", "orderDiscounts:b", "shippingDiscounts:b");
        Assert.Equal(("TWENTY", "percentage", 20m, "active"), (discount["code"].Str(), discount["type"].Str(), D(discount["value"]), discount["status"].Str()));
        var id = discount["id"].Str();
        var replay = await marketing.PostJson("/api/v1/discounts", body, idempotencyKey: "discount-1");
        Assert.Equal(id, (await replay.Expect(HttpStatusCode.Created))["id"].Str());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());

        // buy_x_get_y and free_shipping; no code = automatic (a draft here, so it does not apply).
        var bxgy = Shape(await marketing.PostJson("/api/v1/discounts", new
        {
            title = "Buy 2 get 1",
            type = "buy_x_get_y",
            buy = new { quantity = 2, skus = new[] { "PR-B" } },
            get = new { quantity = 1, skus = new[] { "PR-B" }, percentOff = 100m },
            status = "draft",
        }).Expect(HttpStatusCode.Created), "buy_x_get_y", discountFields);
        Assert.Null(bxgy["code"]);
        Shape(bxgy["buy"], "discount.buy", "quantity:n", "?skus:a?");
        Shape(bxgy["get"], "discount.get", "quantity:n", "?skus:a?", "percentOff:n");
        await marketing.PostJson("/api/v1/discounts", new { title = "Free shipping", code = "SHIPFREE", type = "free_shipping", status = "active" }).Expect(HttpStatusCode.Created);

        // GET /discounts is a list (?limit=&cursor=); GET|PATCH /discounts/{id}.
        var page = await marketing.GetAsync("/api/v1/discounts?limit=2").Expect(HttpStatusCode.OK);
        Assert.Equal(2, Items(page, "discounts").Count);
        var rest = await marketing.GetAsync($"/api/v1/discounts?limit=2&cursor={Uri.EscapeDataString(page["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        Assert.Single(Items(rest, "discounts"));
        var ids = Items(page, "discounts").Concat(Items(rest, "discounts")).Select(d => Shape(d, "discounts[]", discountFields)["id"].Str()).ToHashSet();
        Assert.Equal(3, ids.Count);
        Shape(await marketing.GetAsync($"/api/v1/discounts/{id}").Expect(HttpStatusCode.OK), "discount by id", discountFields);
        var patched = await marketing.PatchJson($"/api/v1/discounts/{id}", new { usageLimit = 10 }).Expect(HttpStatusCode.OK);
        Assert.Equal(10, patched["usageLimit"].Int());

        // POST /carts/{id}/discount-codes {code} → 200 cart with discountTotal and per line discountAllocations and lineTotal.
        var cart = await store.CartWithAsync(store.Anonymous, ("PR-A", 1), ("PR-B", 1));
        var withCode = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "twenty" }).Expect(HttpStatusCode.OK);
        Shape(withCode, "cart", "subtotal:n", "discountTotal:n", "items:a");
        Assert.Equal(42.00m, D(withCode["discountTotal"]));
        foreach (var line in withCode["items"]!.AsArray())
        {
            Shape(line, "cart.items[]", "sku:s", "lineTotal:n", "discountAllocations:a");
            var allocation = Shape(Assert.Single(line!["discountAllocations"]!.AsArray()), "cart.items[].discountAllocations[]", "discountId:s", "amount:n");
            Assert.Equal(id, allocation["discountId"].Str());
        }

        Assert.Equal([120.00m, 48.00m], withCode["items"]!.AsArray().OrderByDescending(l => D(l!["lineTotal"])).Select(l => D(l!["lineTotal"])));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "NOPE" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_code_unknown");
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "SHIPFREE" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_not_combinable");

        // DELETE /carts/{id}/discount-codes/{code}, then again for the order.
        var without = await store.Anonymous.DeleteAsync($"/api/v1/carts/{cart}/discount-codes/TWENTY").Expect(HttpStatusCode.OK);
        Assert.Equal(0m, D(without["discountTotal"]));
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "TWENTY" }).Expect(HttpStatusCode.OK);

        // Orders carry the same fields; total = subtotal − discountTotal + shippingTotal + taxTotal.
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "ada@example.com")).Expect(HttpStatusCode.Created);
        Shape(order, "order", "subtotal:n", "discountTotal:n", "shippingTotal:n", "taxTotal:n", "total:n", "lines:a");
        Assert.Equal(D(order["total"]), D(order["subtotal"]) - D(order["discountTotal"]) + D(order["shippingTotal"]) + D(order["taxTotal"]));
        foreach (var line in order["lines"]!.AsArray())
        {
            Shape(line, "order.lines[]", "sku:s", "lineTotal:n", "discountAllocations:a");
        }

        // POST /orders/{id}/refunds {lines, reason}: the 150.00 item refunds its net 120.00 plus its tax.
        var bigLine = order["lines"]!.AsArray().Single(l => l!["sku"].Str() == "PR-A")!;
        var refund = await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { lines = new[] { new { sku = "PR-A", quantity = 1 } }, reason = "damaged" }).Expect(HttpStatusCode.Created);
        Assert.Equal(120.00m + D(bigLine["taxAmount"]), D(refund["amount"]));
        var afterUse = await marketing.GetAsync($"/api/v1/discounts/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal((1, 1), (afterUse["usageCount"].Int(), afterUse["ordersCount"].Int()));

        // POST /discounts/{id}/deactivate: the code then reads as not active.
        var deactivated = await marketing.PostJson($"/api/v1/discounts/{id}/deactivate", new { }).Expect(HttpStatusCode.OK);
        Assert.Equal("inactive", deactivated["status"].Str());
        var next = await store.CartWithAsync(store.Anonymous, ("PR-B", 1));
        await store.Anonymous.PostJson($"/api/v1/carts/{next}/discount-codes", new { code = "TWENTY" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_not_active");

        // GET|PUT /loyalty/program {enabled, pointsPerUnit, pointValue, minimumRedeemPoints, expiryDays?, tiers}.
        // The orders above were paid without a program: let the loyalty subscriber see them first, so none earns after it is enabled.
        await store.SubscribersCaughtUpAsync();
        var program = Shape(await store.Client.PutJson("/api/v1/loyalty/program", new
        {
            enabled = true,
            pointsPerUnit = 1,
            pointValue = 0.01m,
            minimumRedeemPoints = 100,
            expiryDays = 365,
            tiers = new[] { new { name = "Gold", minimumSpend12Months = 1000m, multiplier = 2m } },
        }).Expect(HttpStatusCode.OK), "loyalty program", "enabled:b", "pointsPerUnit:n", "pointValue:n", "minimumRedeemPoints:n", "?expiryDays:n?", "tiers:a");
        Shape(Assert.Single(program["tiers"]!.AsArray()), "loyalty program.tiers[]", "name:s", "minimumSpend12Months:n", "multiplier:n");
        Shape(await store.Client.GetAsync("/api/v1/loyalty/program").Expect(HttpStatusCode.OK), "loyalty program", "enabled:b", "pointsPerUnit:n", "pointValue:n", "minimumRedeemPoints:n", "tiers:a");

        // GET /customers/{id}/loyalty → {balance, tier, entries: [{type, points, orderId?, createdAt, expiresAt?}]}; balance = sum of entries.
        var customer = (await store.Client.GetAsync("/api/v1/customers/ada@example.com").Expect(HttpStatusCode.OK))["id"].Str();
        await store.Client.PostJson($"/api/v1/customers/{customer}/loyalty/adjustments", new { points = 250, reason = "Welcome gift" }).Expect(HttpStatusCode.Created);
        var loyalty = Shape(await store.Client.GetAsync($"/api/v1/customers/{customer}/loyalty").Expect(HttpStatusCode.OK), "customer loyalty", "balance:n", "tier:s?", "entries:a");
        var entries = loyalty["entries"]!.AsArray();
        foreach (var entry in entries)
        {
            Shape(entry, "customer loyalty.entries[]", "type:s", "points:n", "?orderId:s?", "createdAt:s", "?expiresAt:s?");
            Assert.Contains(entry!["type"].Str(), new[] { "earn", "redeem", "expire", "reverse", "adjust" });
        }

        Assert.Contains(entries, e => e!["type"].Str() == "adjust" && L(e["points"]) == 250);
        Assert.Equal(entries.Sum(e => L(e!["points"])), L(loyalty["balance"]));

        // POST /carts/{id}/loyalty-redemption {points}: more than the balance → 422 insufficient_points; within it, points × pointValue off.
        var pointsCart = (await store.Client.PostJson("/api/v1/carts", new { email = "ada@example.com" }).Expect(HttpStatusCode.Created))["id"].Str();
        await store.Client.PostJson($"/api/v1/carts/{pointsCart}/items", new { sku = "PR-B", quantity = 1 }).Expect(HttpStatusCode.OK);
        await store.Client.PostJson($"/api/v1/carts/{pointsCart}/loyalty-redemption", new { points = L(loyalty["balance"]) + 1 }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "insufficient_points");
        var redeemed = await store.Client.PostJson($"/api/v1/carts/{pointsCart}/loyalty-redemption", new { points = 200 }).Expect(HttpStatusCode.OK);
        Assert.Equal(2.00m, D(redeemed["discountTotal"]));

        // Roles: marketing owns promotions; sales does not.
        await (await store.ClientForAsync(Role.Sales)).PostJson("/api/v1/discounts", body).ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/discounts").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    // ---------------------------------------------------------------- Customers, segments, support, attribution, experiments, messaging

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Crm_customers_segments_messaging_experiments_attribution_and_support_carry_the_contract_fields(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var marketing = await store.ClientForAsync(Role.Marketing);
        var support = await store.ClientForAsync(Role.Support);
        await store.AddProductAsync("CRM-1", 40m, main: 50);

        // POST /customers (names, tags, note, consent), with an Idempotency-Key; then PATCH.
        var customerBody = new
        {
            email = "ada@example.com",
            firstName = "Ada",
            lastName = "Lovelace",
            phone = "+15550100",
            company = "Analytical Engines",
            tags = new[] { "vip" },
            note = "Prefers email",
            consent = new { email = new { accepted = true, source = "phone" }, sms = new { accepted = false } },
        };
        var createdCustomer = await marketing.PostJson("/api/v1/customers", customerBody, idempotencyKey: "customer-1");
        var customerId = (await createdCustomer.Expect(HttpStatusCode.Created))["id"].Str();
        var customerReplay = await marketing.PostJson("/api/v1/customers", customerBody, idempotencyKey: "customer-1");
        Assert.Equal(customerId, (await customerReplay.Expect(HttpStatusCode.Created))["id"].Str());
        Assert.Equal("true", customerReplay.Headers.GetValues("Idempotent-Replayed").Single());
        await marketing.PostJson("/api/v1/customers", new { email = "bob@example.com", firstName = "Bob", tags = new[] { "vip" } }).Expect(HttpStatusCode.Created);
        await marketing.PostJson("/api/v1/customers", new { email = "cy@example.com", firstName = "Cy" }).Expect(HttpStatusCode.Created);
        var patchedCustomer = await marketing.PatchJson($"/api/v1/customers/{customerId}", new { tags = new[] { "vip", "wholesale" }, note = "Call first" }).Expect(HttpStatusCode.OK);
        Assert.Equal(["vip", "wholesale"], patchedCustomer["tags"]!.AsArray().Select(t => t.Str()).Order());
        Assert.Equal("Call first", patchedCustomer["note"].Str());

        // Ada arrives from a newsletter link and orders: stats, RFM and acquisition follow.
        var browser = store.CreateBrowserClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        const string visitor = "0123456789abcdef0123456789abcdef";
        using (var visit = new HttpRequestMessage(HttpMethod.Get, "/?utm_source=newsletter&utm_medium=email&utm_campaign=launch"))
        {
            visit.Headers.Add("Cookie", $"storekeep.vid={visitor}");
            visit.Headers.Referrer = new Uri("https://news.example.net/issues/12?utm_id=7");
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(visit)).StatusCode);
        }

        var cart = await store.CartWithAsync(browser, ("CRM-1", 1));
        JsonNode order;
        using (var checkout = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/carts/{cart}/checkout") { Content = System.Net.Http.Json.JsonContent.Create(TestCatalog.CheckoutBody(email: "ada@example.com")) })
        {
            checkout.Headers.Add("Cookie", $"storekeep.vid={visitor}");
            order = await (await browser.SendAsync(checkout)).Expect(HttpStatusCode.Created);
        }

        // The order records both touches: {source, medium, campaign, referrer, at}.
        var orderAcquisition = Shape((await store.Client.GetAsync($"/api/v1/orders/{order["id"].Str()}").Expect(HttpStatusCode.OK))["acquisition"], "order.acquisition", "firstTouch:o", "lastTouch:o");
        foreach (var touch in new[] { "firstTouch", "lastTouch" })
        {
            var t = Shape(orderAcquisition[touch], $"order.acquisition.{touch}", "source:s", "medium:s", "campaign:s?", "referrer:s?", "at:s");
            Assert.Equal(("newsletter", "email", "launch", "https://news.example.net/issues/12"), (t["source"].Str(), t["medium"].Str(), t["campaign"].Str(), t["referrer"].Str()));
        }

        // GET /customers/{id or email} → every field the contract names (RFM as of a scoring run, order figures as of the last event handled).
        await store.SubscribersCaughtUpAsync();
        await store.Client.PostJson("/api/v1/customers/rfm/score", new { }).Expect(HttpStatusCode.OK);
        string[] customerFields = ["id:s", "email:s", "firstName:s?", "lastName:s?", "phone:s?", "company:s?", "tags:a", "note:s?", "consent:o", "stats:o", "rfm:o?", "loyalty:o", "acquisition:o"];
        var byEmail = Shape(await marketing.GetAsync("/api/v1/customers/ada@example.com").Expect(HttpStatusCode.OK), "customer", customerFields);
        Assert.Equal((customerId, "Ada", "Lovelace", "+15550100", "Analytical Engines"), (byEmail["id"].Str(), byEmail["firstName"].Str(), byEmail["lastName"].Str(), byEmail["phone"].Str(), byEmail["company"].Str()));
        var byId = Shape(await marketing.GetAsync($"/api/v1/customers/{customerId}").Expect(HttpStatusCode.OK), "customer by id", customerFields);
        Assert.Equal("ada@example.com", byId["email"].Str());
        var consent = Shape(byId["consent"], "customer.consent", "email:o", "sms:o");
        Assert.True(consent["email"]!["accepted"]!.GetValue<bool>());
        Assert.False(consent["sms"]!["accepted"]!.GetValue<bool>());
        var stats = Shape(byId["stats"], "customer.stats", "ordersCount:n", "totalSpent:n", "averageOrderValue:n?", "firstOrderAt:s?", "lastOrderAt:s?");
        Assert.Equal(1, stats["ordersCount"].Int());
        Assert.Equal(D(order["total"]), D(stats["totalSpent"]));
        Assert.Equal(D(order["total"]), D(stats["averageOrderValue"]));
        Assert.NotNull(stats["firstOrderAt"]);
        var rfm = Shape(byId["rfm"], "customer.rfm", "recency:n", "frequency:n", "monetary:n", "score:s", "segment:s");
        Assert.Matches("^[1-5]{3}$", rfm["score"].Str());
        Assert.Contains(rfm["segment"].Str(), new[] { "champions", "loyal", "potential_loyalist", "new", "promising", "needs_attention", "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost" });
        Assert.Equal(1, rfm["frequency"].Int());
        Shape(byId["loyalty"], "customer.loyalty", "points:n", "tier:s?");
        var customerAcquisition = Shape(byId["acquisition"], "customer.acquisition", "firstTouch:o?", "lastTouch:o?");
        foreach (var touch in new[] { "firstTouch", "lastTouch" })
        {
            var t = Shape(customerAcquisition[touch], $"customer.acquisition.{touch}", "source:s", "medium:s", "campaign:s?", "referrer:s?", "at:s");
            Assert.Equal(("newsletter", "https://news.example.net/issues/12"), (t["source"].Str(), t["referrer"].Str()));
        }

        // GET /customers?q=&segment=&tag= is a list (?limit=&cursor=).
        var vipPage = await marketing.GetAsync("/api/v1/customers?tag=vip&limit=1").Expect(HttpStatusCode.OK);
        var firstVip = Shape(Assert.Single(Items(vipPage, "customers")), "customers[]", customerFields);
        var vipNext = await marketing.GetAsync($"/api/v1/customers?tag=vip&limit=1&cursor={Uri.EscapeDataString(vipPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK);
        var secondVip = Assert.Single(Items(vipNext, "customers"))!;
        Assert.Null(vipNext["nextCursor"]);
        Assert.Equal(["ada@example.com", "bob@example.com"], new[] { firstVip["email"].Str(), secondVip["email"].Str() }.Order());
        var listedAda = Assert.Single(Items(await marketing.GetAsync("/api/v1/customers?q=lovelace").Expect(HttpStatusCode.OK), "customers"))!;
        foreach (var field in new[] { "email", "tags", "note", "consent", "stats", "rfm", "loyalty", "acquisition" })
        {
            // The list carries the detail's shape and values (the detail adds a page of orders).
            Assert.True(JsonNode.DeepEquals(byId[field], listedAda[field]), $"customers[].{field} {listedAda[field]?.ToJsonString()} differs from the detail's {byId[field]?.ToJsonString()}");
        }

        // POST /segments {name, match, rules: [{field, op, value}]}; GET /segments/{id} with a live count; GET /segments/{id}/customers.
        var segment = Shape(await marketing.PostJson("/api/v1/segments", new
        {
            name = "VIP buyers",
            match = "all",
            rules = new object[] { new { field = "tag", op = "eq", value = "vip" }, new { field = "ordersCount", op = "gte", value = 1 } },
        }, idempotencyKey: "segment-1").Expect(HttpStatusCode.Created), "segment", "id:s", "name:s", "match:s", "rules:a", "count:n");
        foreach (var rule in segment["rules"]!.AsArray())
        {
            Shape(rule, "segment.rules[]", "field:s", "op:s");
            Assert.True(rule!.AsObject().ContainsKey("value"), $"segment.rules[] lacks 'value': {rule.ToJsonString()}");
        }

        var segmentId = segment["id"].Str();
        var liveSegment = Shape(await marketing.GetAsync($"/api/v1/segments/{segmentId}").Expect(HttpStatusCode.OK), "segment by id", "id:s", "name:s", "match:s", "rules:a", "count:n");
        Assert.Equal(1, liveSegment["count"].Int());
        Assert.Equal(customerId, Assert.Single(Items(await marketing.GetAsync($"/api/v1/segments/{segmentId}/customers").Expect(HttpStatusCode.OK), "segment customers"))!["id"].Str());
        Assert.Equal(customerId, Assert.Single(Items(await marketing.GetAsync($"/api/v1/customers?segment={segmentId}").Expect(HttpStatusCode.OK), "customers by segment"))!["id"].Str());
        var anyMatch = await marketing.PostJson("/api/v1/segments", new { name = "Any", match = "any", rules = new object[] { new { field = "tag", op = "eq", value = "vip" }, new { field = "acceptsEmail", op = "eq", value = true } } }).Expect(HttpStatusCode.Created);
        Assert.Equal(2, anyMatch["count"].Int());
        // Unknown field or op → 400 naming the rule's index.
        var badField = await marketing.PostJson("/api/v1/segments", new { name = "Bad", match = "all", rules = new object[] { new { field = "tag", op = "eq", value = "x" }, new { field = "shoeSize", op = "eq", value = 1 } } }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains(badField["errors"]!.AsObject(), e => e.Key.StartsWith("rules[1]", StringComparison.Ordinal));
        var badOp = await marketing.PostJson("/api/v1/segments", new { name = "Bad op", match = "all", rules = new object[] { new { field = "tag", op = "like", value = "x" } } }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains(badOp["errors"]!.AsObject(), e => e.Key.StartsWith("rules[0]", StringComparison.Ordinal));

        // Support: POST /tickets {email, subject, body, orderId?, channel, priority?}.
        string[] ticketFields = ["id:s", "email:s", "subject:s", "channel:s", "priority:s", "status:s", "assigneeId:s?", "orderId:s?", "sla:o"];
        var ticketBody = new { email = "ada@example.com", subject = "Where is my order?", body = "It has not arrived.", orderId = order["id"].Str(), channel = "email", priority = "high" };
        var ticketResponse = await support.PostJson("/api/v1/tickets", ticketBody, idempotencyKey: "ticket-1");
        var ticket = Shape(await ticketResponse.Expect(HttpStatusCode.Created), "ticket", ticketFields);
        Assert.Equal(("email", "high", "open", order["id"].Str()), (ticket["channel"].Str(), ticket["priority"].Str(), ticket["status"].Str(), ticket["orderId"].Str()));
        var ticketId = ticket["id"].Str();
        var ticketReplay = await support.PostJson("/api/v1/tickets", ticketBody, idempotencyKey: "ticket-1");
        Assert.Equal(ticketId, (await ticketReplay.Expect(HttpStatusCode.Created))["id"].Str());
        await support.PostJson("/api/v1/tickets", new { email = "bob@example.com", subject = "Hello", body = "Question", channel = "web" }).Expect(HttpStatusCode.Created);

        // POST /tickets/{id}/messages {body, internal}; PATCH /tickets/{id} {status, priority, assigneeId}.
        await support.PostJson($"/api/v1/tickets/{ticketId}/messages", new { body = "Looking into it.", @internal = true }).Expect(HttpStatusCode.Created);
        await support.PostJson($"/api/v1/tickets/{ticketId}/messages", new { body = "It ships today.", @internal = false }).Expect(HttpStatusCode.Created);
        var waiting = await support.PatchJson($"/api/v1/tickets/{ticketId}", new { status = "waiting_on_customer", priority = "urgent" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("waiting_on_customer", "urgent"), (waiting["status"].Str(), waiting["priority"].Str()));
        Assert.True(waiting["sla"]!["paused"]!.GetValue<bool>()); // the clock pauses while waiting_on_customer

        // GET /tickets/{id}: messages, order, customer, and the separate SLA clocks.
        var detail = Shape(await support.GetAsync($"/api/v1/tickets/{ticketId}").Expect(HttpStatusCode.OK), "ticket detail", [.. ticketFields, "messages:a", "order:o", "customer:o"]);
        var conversation = detail["messages"]!.AsArray();
        Assert.Equal(3, conversation.Count);
        foreach (var message in conversation)
        {
            Shape(message, "ticket.messages[]", "body:s", "internal:b", "createdAt:s");
        }

        Assert.Equal(order["id"].Str(), Shape(detail["order"], "ticket.order", "id:s", "number:n", "status:s", "total:n")["id"].Str());
        Assert.Equal(customerId, Shape(detail["customer"], "ticket.customer", "id:s", "email:s")["id"].Str());
        var sla = Shape(detail["sla"], "ticket.sla", "firstResponseTargetMinutes:n", "firstResponseDueAt:s?", "firstResponseAt:s?", "firstResponseMinutes:n", "firstResponseBreached:b",
            "resolutionTargetMinutes:n", "resolutionDueAt:s?", "resolvedAt:s?", "resolutionMinutes:n", "resolutionBreached:b", "paused:b");
        Assert.NotNull(sla["firstResponseAt"]); // the public reply stopped the first-response clock
        Assert.Null(sla["resolvedAt"]);

        // GET /tickets?status=&assignee= is a list.
        var waitingTickets = Items(await support.GetAsync("/api/v1/tickets?status=waiting_on_customer").Expect(HttpStatusCode.OK), "tickets");
        Assert.Equal(ticketId, Shape(Assert.Single(waitingTickets), "tickets[]", ticketFields)["id"].Str());
        var ticketPage = await support.GetAsync("/api/v1/tickets?assignee=none&limit=1").Expect(HttpStatusCode.OK);
        Assert.Single(Items(ticketPage, "tickets"));
        Assert.Single(Items(await support.GetAsync($"/api/v1/tickets?assignee=none&limit=1&cursor={Uri.EscapeDataString(ticketPage["nextCursor"].Str())}").Expect(HttpStatusCode.OK), "tickets"));

        // SLA policies per priority {firstResponseMinutes, resolutionMinutes}; GET /tickets/report.
        var policies = await support.GetAsync("/api/v1/support/sla-policies").Expect(HttpStatusCode.OK);
        var policyList = policies["policies"]!.AsArray();
        Assert.Equal(["high", "low", "normal", "urgent"], policyList.Select(p => Shape(p, "sla policy", "priority:s", "firstResponseMinutes:n", "resolutionMinutes:n")["priority"].Str()).Order());
        var today = DateTime.UtcNow.Date;
        var report = Shape(await support.GetAsync($"/api/v1/tickets/report?from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(2):yyyy-MM-dd}").Expect(HttpStatusCode.OK), "ticket report",
            "opened:n", "solved:n", "firstResponseMinutesMedian:n?", "resolutionMinutesMedian:n?", "breachedFirstResponse:n", "breachedResolution:n");
        Assert.Equal((2, 0), (report["opened"].Int(), report["solved"].Int()));

        // GET /customers/{id}/timeline: orders, messages, tickets, notes, loyalty entries, newest first.
        var timeline = Items(await marketing.GetAsync($"/api/v1/customers/{customerId}/timeline").Expect(HttpStatusCode.OK), "customer timeline");
        var kinds = timeline.Select(e => Shape(e, "timeline[]", "type:s", "at:s")["type"].Str()).ToHashSet();
        Assert.Superset(new HashSet<string> { "order", "message", "ticket", "note" }, kinds);
        var times = timeline.Select(e => e!["at"]!.GetValue<DateTime>()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        // Messaging: GET /messages?to=&type= → the log {id, channel, to, type, subject, status, attempts, sentAt, campaignId?}.
        var replies = Items(await support.GetAsync("/api/v1/messages?to=ada@example.com&type=ticket_reply").Expect(HttpStatusCode.OK), "messages");
        var reply = Shape(Assert.Single(replies), "messages[]", "id:s", "channel:s", "to:s", "type:s", "subject:s", "status:s", "attempts:n", "sentAt:s?", "?campaignId:s?");
        Assert.Equal(("email", "ada@example.com", "ticket_reply"), (reply["channel"].Str(), reply["to"].Str(), reply["type"].Str()));
        Assert.Contains(Items(await support.GetAsync("/api/v1/messages?to=ada@example.com").Expect(HttpStatusCode.OK), "messages"), m => m!["type"].Str() == "order_confirmation");

        // POST /campaigns {name, channel, segmentId, subject, body, variants?, scheduledAt?}; GET /campaigns/{id}.
        var campaign = await marketing.PostJson("/api/v1/campaigns", new
        {
            name = "Launch",
            channel = "email",
            segmentId,
            subject = "Something new",
            body = "Hello there",
            variants = new[] { new { key = "a", subject = "Something new", body = "Hello A", weight = 1 }, new { key = "b", subject = "New for you", body = "Hello B", weight = 1 } },
            scheduledAt = "2099-01-01T09:00:00Z",
        }, idempotencyKey: "campaign-1").Expect(HttpStatusCode.Created);
        string[] campaignFields = ["id:s", "status:s", "recipients:n", "sent:n", "failed:n", "opened:n", "clicked:n", "unsubscribed:n", "orders:n", "revenue:n", "variants:a"];
        var campaignView = Shape(await marketing.GetAsync($"/api/v1/campaigns/{campaign["id"].Str()}").Expect(HttpStatusCode.OK), "campaign", campaignFields);
        Assert.Equal(segmentId, Shape(campaign, "campaign (created)", campaignFields)["segmentId"].Str());
        Assert.Equal(["a", "b"], campaignView["variants"]!.AsArray().Select(v => Shape(v, "campaign.variants[]", "key:s", "subject:s?", "body:s", "weight:n")["key"].Str()).Order());

        // Experiments: POST /experiments {name, kind, variants, metric, content?}; start; results.
        var experiment = Shape(await marketing.PostJson("/api/v1/experiments", new
        {
            name = "Headline",
            kind = "storefront",
            metric = "conversion",
            variants = new[] { new { key = "control", weight = 1 }, new { key = "treatment", weight = 1 } },
            content = new { control = new { headline = "Welcome", banner = "Free shipping" }, treatment = new { headline = "Hello", banner = "New in" } },
        }, idempotencyKey: "experiment-1").Expect(HttpStatusCode.Created), "experiment", "id:s", "name:s", "kind:s", "metric:s", "status:s", "variants:a");
        Assert.Equal(("storefront", "conversion", "draft"), (experiment["kind"].Str(), experiment["metric"].Str(), experiment["status"].Str()));
        var experimentId = experiment["id"].Str();
        Assert.Equal("running", (await marketing.PostJson($"/api/v1/experiments/{experimentId}/start", new { }).Expect(HttpStatusCode.OK))["status"].Str());
        var results = Shape(await marketing.GetAsync($"/api/v1/experiments/{experimentId}/results").Expect(HttpStatusCode.OK), "experiment results", "variants:a", "sampleRatioMismatch:o");
        Shape(results["sampleRatioMismatch"], "experiment results.sampleRatioMismatch", "pValue:n", "flagged:b");
        foreach (var variant in results["variants"]!.AsArray())
        {
            Shape(variant, "experiment results.variants[]", "key:s", "visitors:n", "conversions:n", "conversionRate:n", "revenue:n", "revenuePerVisitor:n",
                "uplift:n?", "confidenceInterval95:a?", "pValue:n?", "chanceToBeatControl:n?");
        }

        Assert.Equal("stopped", (await marketing.PostJson($"/api/v1/experiments/{experimentId}/stop", new { }).Expect(HttpStatusCode.OK))["status"].Str());

        // Attribution: POST /marketing/spend; GET /analytics/acquisition → per channel {source, medium, sessions, orders, newCustomers, revenue, spend, cac, roas}.
        await marketing.PostJson("/api/v1/marketing/spend", new { date = $"{today:yyyy-MM-dd}", source = "newsletter", medium = "email", campaign = "launch", amount = 10m }, idempotencyKey: "spend-1").Expect(HttpStatusCode.Created);
        foreach (var touch in new[] { "first", "last" })
        {
            var acquisition = await marketing.GetAsync($"/api/v1/analytics/acquisition?from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(2):yyyy-MM-dd}&touch={touch}").Expect(HttpStatusCode.OK);
            Assert.Equal("USD", acquisition["currency"].Str());
            var channels = acquisition["channels"]!.AsArray();
            foreach (var channel in channels)
            {
                Shape(channel, $"acquisition[{touch}].channels[]", "source:s", "medium:s?", "sessions:n", "orders:n", "newCustomers:n", "revenue:n", "spend:n", "cac:n?", "roas:n?");
            }

            var newsletter = channels.Single(c => c!["source"].Str() == "newsletter")!;
            Assert.Equal((1, 1, 1, D(order["total"]), 10m), (newsletter["sessions"].Int(), newsletter["orders"].Int(), newsletter["newCustomers"].Int(), D(newsletter["revenue"]), D(newsletter["spend"])));
            Assert.Equal(D(newsletter["spend"]) / newsletter["newCustomers"].Int(), D(newsletter["cac"])); // cac = spend / newCustomers
        }

        // Roles: support owns tickets, marketing segments and campaigns.
        await marketing.GetAsync("/api/v1/tickets").ExpectProblem(HttpStatusCode.Forbidden);
        await support.PostJson("/api/v1/segments", new { name = "No", match = "all", rules = Array.Empty<object>() }).ExpectProblem(HttpStatusCode.Forbidden);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Analytics.AnalyticsFixtures;

namespace Storekeep.Tests.Analytics;

/// <summary>Cohorts, customer analytics, fulfillment and the funnel, each against its own raw SQL.</summary>
public sealed class CustomerReportsTests
{
    private const string Customer = "COALESCE(CAST(o.customer_id AS TEXT), LOWER(o.email))";
    private const string Counted = "o.status <> 'cancelled' AND o.currency = 'USD'";

    private static DateTime MonthStart(int monthsAgo)
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-monthsAgo);
    }

    /// <summary>Customers whose orders spread over the last months: repeaters, one-offs, a guest, refunds, a cancelled order.</summary>
    private static async Task SeedAsync(StorekeepDbContext db)
    {
        var v = await CatalogAsync(db, ("CUP-1", "Cups", 2.00m));
        var ada = await CustomerAsync(db, "ada@example.com");
        var bob = await CustomerAsync(db, "bob@example.com");
        var cy = await CustomerAsync(db, "cy@example.com");
        var order1 = await OrderAsync(db, MonthStart(5).AddDays(2), "ada@example.com", ada, v, [("CUP-1", 2, 10.00m)]);
        await OrderAsync(db, MonthStart(4).AddDays(9), "ada@example.com", ada, v, [("CUP-1", 1, 10.00m)]);
        await OrderAsync(db, MonthStart(2).AddDays(3), "ada@example.com", ada, v, [("CUP-1", 3, 10.00m)]);
        await OrderAsync(db, MonthStart(5).AddDays(20), "bob@example.com", bob, v, [("CUP-1", 1, 33.33m)]);
        await OrderAsync(db, MonthStart(3).AddDays(1), "cy@example.com", cy, v, [("CUP-1", 1, 7.77m)]);
        await OrderAsync(db, MonthStart(3).AddDays(12), "cy@example.com", cy, v, [("CUP-1", 2, 7.77m)]);
        await OrderAsync(db, MonthStart(1).AddDays(4), "Guest@Example.com", null, v, [("CUP-1", 1, 5.55m)]);
        await OrderAsync(db, MonthStart(0).AddHours(1), "guest@example.com", null, v, [("CUP-1", 1, 5.55m)]);
        await OrderAsync(db, MonthStart(30), "old@example.com", null, v, [("CUP-1", 1, 99.99m)]);
        var cancelled = await OrderAsync(db, MonthStart(1).AddDays(1), "dan@example.com", null, v, [("CUP-1", 9, 10.00m)]);
        await CancelAsync(db, cancelled, MonthStart(1).AddDays(2));
        await RefundAsync(db, order1, 4.44m, MonthStart(3));
        await RefundAsync(db, order1, 1.00m, MonthStart(3), RefundStatus.Failed);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Cohorts_equal_a_raw_sql_computation_for_every_metric(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        await using var check = store.Db();
        var pg = check.Database.IsNpgsql();
        var month = (string column) => pg ? $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')" : $"strftime('%Y-%m', {column})";
        var cells = await Raw<CohortCell>(check, 
            $"""
            SELECT f.cohort AS "Cohort", {month("o.created_at")} AS "Month", COUNT(DISTINCT {Customer}) AS "Customers", COUNT(*) AS "Orders",
                   SUM(o.subtotal - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded')) AS "RevenueCents"
            FROM orders o
            JOIN (SELECT {Customer} AS ck, {month("MIN(o.created_at)")} AS cohort FROM orders o WHERE {Counted} GROUP BY {Customer}) f ON f.ck = {Customer}
            WHERE {Counted}
            GROUP BY f.cohort, {month("o.created_at")}
            """).ToListAsync();
        Assert.NotEmpty(cells);

        foreach (var metric in new[] { "customers", "orders", "revenue" })
        {
            foreach (var periods in new[] { 12, 4 })
            {
                await using var scope = store.Services.CreateAsyncScope();
                var view = await scope.ServiceProvider.GetRequiredService<CohortReport>().GetAsync("month", metric, periods, CancellationToken.None);
                Assert.Equal(periods, view.Rows.Count);
                Assert.Equal(MonthStart(0).ToString("yyyy-MM", CultureInfo.InvariantCulture), view.Rows[^1].Cohort);
                foreach (var row in view.Rows)
                {
                    var cohort = DateTime.ParseExact(row.Cohort, "yyyy-MM", CultureInfo.InvariantCulture);
                    Assert.Equal(periods, row.Values.Count);
                    Assert.Equal(cells.Where(c => c.Cohort == row.Cohort && c.Month == row.Cohort).Sum(c => c.Customers), row.Customers);
                    for (var k = 0; k < periods; k++)
                    {
                        var at = cohort.AddMonths(k);
                        if (at > MonthStart(0))
                        {
                            Assert.Null(row.Values[k]);
                            continue;
                        }

                        var cell = cells.SingleOrDefault(c => c.Cohort == row.Cohort && c.Month == at.ToString("yyyy-MM", CultureInfo.InvariantCulture));
                        decimal expected = metric switch
                        {
                            "customers" => cell?.Customers ?? 0,
                            "orders" => cell?.Orders ?? 0,
                            _ => (cell?.RevenueCents ?? 0) / 100m,
                        };
                        Assert.Equal(expected, row.Values[k]);
                    }
                }
            }
        }

        // Known: Ada's cohort (5 months ago) is Ada and Bob; Ada came back 1 and 3 months later; her first order lost a 4.44 refund.
        await using var s = store.Services.CreateAsyncScope();
        var revenue = await s.ServiceProvider.GetRequiredService<CohortReport>().GetAsync("month", "revenue", 6, CancellationToken.None);
        Assert.Equal([20.00m - 4.44m + 33.33m, 10.00m, 0m, 30.00m, 0m, 0m], revenue.Rows[0].Values);
        Assert.Equal(2, revenue.Rows[0].Customers);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Customer_analytics_equal_a_raw_sql_computation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        CustomerAnalyticsView view;
        await using (var scope = store.Services.CreateAsyncScope())
        {
            view = await scope.ServiceProvider.GetRequiredService<CustomerAnalytics>().GetAsync(null, CancellationToken.None);
        }

        await using var check = store.Db();
        var pg = check.Database.IsNpgsql();
        var customers = await Scalar(check, $"SELECT COUNT(DISTINCT {Customer}) FROM orders o WHERE {Counted}");
        var repeaters = await Scalar(check, $"SELECT COUNT(*) FROM (SELECT {Customer} AS ck FROM orders o WHERE {Counted} GROUP BY {Customer} HAVING COUNT(*) >= 2) x");
        var gapDays = pg
            ? $"EXTRACT(EPOCH FROM o.created_at - LAG(o.created_at) OVER (PARTITION BY {Customer} ORDER BY o.created_at)) / 86400.0"
            : $"julianday(o.created_at) - julianday(LAG(o.created_at) OVER (PARTITION BY {Customer} ORDER BY o.created_at))";
        var gaps = $"SELECT CAST({gapDays} AS DOUBLE PRECISION) AS gap FROM orders o WHERE {Counted}";
        double p80;
        if (pg)
        {
            p80 = await Raw<double>(check, $"SELECT percentile_cont(0.8) WITHIN GROUP (ORDER BY gap) AS \"Value\" FROM ({gaps}) g WHERE gap IS NOT NULL").SingleAsync();
        }
        else
        {
            var list = (await Raw<double>(check, $"SELECT gap AS \"Value\" FROM ({gaps.Replace("DOUBLE PRECISION", "REAL", StringComparison.Ordinal)}) g WHERE gap IS NOT NULL ORDER BY gap").ToListAsync()).ToArray();
            var rank = 0.8 * (list.Length - 1);
            p80 = list[(int)Math.Floor(rank)] + ((list[(int)Math.Ceiling(rank)] - list[(int)Math.Floor(rank)]) * (rank - Math.Floor(rank)));
        }

        var threshold = (int)Math.Ceiling(p80);
        Assert.Equal(threshold, view.ChurnThresholdDays);
        Assert.True(view.ChurnThresholdIsDefault);
        var cutoff = DateTime.UtcNow.AddDays(-threshold);
        var churned = await Scalar(check, $"SELECT COUNT(*) FROM (SELECT MAX(o.created_at) AS last FROM orders o WHERE {Counted} GROUP BY {Customer}) x WHERE x.last < {{0}}", cutoff);
        var valueCents = await Scalar(check, $"SELECT SUM(o.total) - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.status = 'succeeded' AND {Counted}) FROM orders o WHERE {Counted}");
        var yearAgo = DateTime.UtcNow.AddDays(-365);
        var active = await Scalar(check, $"SELECT COUNT(DISTINCT {Customer}) FROM orders o WHERE {Counted} AND o.created_at >= {{0}}", yearAgo);
        var recentCents = await Scalar(check, $"SELECT SUM(o.total - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded')) FROM orders o WHERE {Counted} AND o.created_at >= {{0}}", yearAgo);

        Assert.Equal((int)customers, view.Customers);
        Assert.Equal(Math.Round((decimal)repeaters / customers, 4, MidpointRounding.AwayFromZero), view.RepeatPurchaseRate);
        var churnRate = Math.Round((decimal)churned / customers, 4, MidpointRounding.AwayFromZero);
        Assert.Equal(churnRate, view.ChurnRate);
        Assert.Equal(Math.Round(valueCents / 100m / customers, 2, MidpointRounding.AwayFromZero), view.AverageLifetimeValue);
        Assert.Equal(Math.Round(recentCents / 100m / active * (1m - churnRate), 2, MidpointRounding.AwayFromZero), view.PredictedLifetimeValue12Months);

        // Known: five customers (the guest's two spellings are one), three ordered again; the 30-month-old one churned.
        Assert.Equal(5, view.Customers);
        Assert.Equal(0.6m, view.RepeatPurchaseRate);
        Assert.True(view.ChurnRate >= 0.2m);

        // A threshold given by hand: 100 years is nobody churned (capped at 3650 days).
        await using var s = store.Services.CreateAsyncScope();
        var fixedView = await s.ServiceProvider.GetRequiredService<CustomerAnalytics>().GetAsync(3650, CancellationToken.None);
        Assert.Equal((3650, false, 0m), (fixedView.ChurnThresholdDays, fixedView.ChurnThresholdIsDefault, fixedView.ChurnRate));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Fulfillment_figures_equal_a_raw_sql_computation(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            var v = await CatalogAsync(db, ("BOX-1", null, 1.00m));
            // Standard promises 72 hours; the 49-hour order's method is gone, so it is held to the default 48.
            db.ShippingMethods.Add(new Storekeep.Pricing.ShippingMethod { Code = "standard", Name = "Standard", Rate = 4.99m, ShipWithinHours = 72 });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            var hours = new[] { 3, 20, 47, 49, 70, 150 };
            for (var i = 0; i < hours.Length; i++)
            {
                var placed = Utc(2025, 5, 2 + i, 9);
                var order = await OrderAsync(db, placed, $"c{i}@example.com", null, v, [("BOX-1", 2, 5.00m)], shippingMethod: hours[i] == 49 ? "retired" : "standard");
                await ShipAsync(db, order, placed.AddHours(hours[i]));
                if (i % 3 == 0)
                {
                    await ShipAsync(db, order, placed.AddHours(hours[i] + 30)); // a second parcel: a split shipment
                }
            }

            await OrderAsync(db, Utc(2025, 5, 20), "waiting@example.com", null, v, [("BOX-1", 1, 5.00m)]);
            var cancelled = await OrderAsync(db, Utc(2025, 5, 21), "gone@example.com", null, v, [("BOX-1", 1, 5.00m)]);
            await CancelAsync(db, cancelled, Utc(2025, 5, 21, 13));
            await OrderAsync(db, Utc(2025, 6, 1, 0), "june@example.com", null, v, [("BOX-1", 1, 5.00m)]);
        }

        var json = await store.Client.GetAsync("/api/v1/analytics/fulfillment?from=2025-05-01&to=2025-06-01").Expect(HttpStatusCode.OK);

        await using var check = store.Db();
        var pg = check.Database.IsNpgsql();
        var hoursSql = pg ? "EXTRACT(EPOCH FROM MIN(s.shipped_at) - o.created_at) / 3600.0" : "(julianday(MIN(s.shipped_at)) - julianday(o.created_at)) * 24";
        var from = Utc(2025, 5, 1, 0);
        var to = Utc(2025, 6, 1, 0);
        var orders = await Scalar(check, "SELECT COUNT(*) FROM orders o WHERE o.status <> 'cancelled' AND o.created_at >= {0} AND o.created_at < {1}", from, to);
        var perOrder = $"SELECT o.id, CAST({hoursSql} AS DOUBLE PRECISION) AS hours, COUNT(*) AS parcels, MAX(COALESCE(m.ship_within_hours, 48)) AS promise FROM orders o JOIN shipments s ON s.order_id = o.id LEFT JOIN shipping_methods m ON m.code = o.shipping_method WHERE o.status <> 'cancelled' AND o.created_at >= {{0}} AND o.created_at < {{1}} GROUP BY o.id, o.created_at";
        if (!pg)
        {
            perOrder = perOrder.Replace("DOUBLE PRECISION", "REAL", StringComparison.Ordinal);
        }

        var shipped = await Scalar(check, $"SELECT COUNT(*) FROM ({perOrder}) x", from, to);
        var onTime = await Scalar(check, $"SELECT COUNT(*) FROM ({perOrder}) x WHERE x.hours <= x.promise + 0.0001", from, to);
        var split = await Scalar(check, $"SELECT COUNT(*) FROM ({perOrder}) x WHERE x.parcels >= 2", from, to);
        double median, p90;
        if (pg)
        {
            median = await Raw<double>(check, $"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x.hours) AS \"Value\" FROM ({perOrder}) x", from, to).SingleAsync();
            p90 = await Raw<double>(check, $"SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY x.hours) AS \"Value\" FROM ({perOrder}) x", from, to).SingleAsync();
        }
        else
        {
            var list = (await Raw<double>(check, $"SELECT x.hours AS \"Value\" FROM ({perOrder}) x ORDER BY x.hours", from, to).ToListAsync()).ToArray();
            double At(double p)
            {
                var rank = p * (list.Length - 1);
                var (lo, hi) = ((int)Math.Floor(rank), (int)Math.Ceiling(rank));
                return list[lo] + ((list[hi] - list[lo]) * (rank - lo));
            }

            (median, p90) = (At(0.5), At(0.9));
        }

        Assert.Equal(orders, json["orders"]!.GetValue<long>());
        Assert.Equal(shipped, json["shipped"]!.GetValue<long>());
        Assert.Equal(Math.Round(median, 2), json["orderToShipHoursMedian"]!.GetValue<double>(), 2);
        Assert.Equal(Math.Round(p90, 2), json["orderToShipHoursP90"]!.GetValue<double>(), 2);
        Assert.Equal(Math.Round((decimal)onTime / shipped, 4), json["onTimeShipmentRate"].Dec());
        Assert.Equal(Math.Round((decimal)split / shipped, 4), json["splitShipmentRate"].Dec());
        Assert.Null(json["pickAccuracy"]);

        // Known: 7 orders (the cancelled one and June's are out), 6 shipped, median of 3,20,47,49,70,150 is 48;
        // on time 3, 20, 47, 70 (within standard's 72 h), not 49 (its method is gone: 48 h) nor 150; 2 split.
        Assert.Equal((7L, 6L, 48.0, 0.6667m, 0.3333m), (json["orders"]!.GetValue<long>(), json["shipped"]!.GetValue<long>(), json["orderToShipHoursMedian"]!.GetValue<double>(), json["onTimeShipmentRate"].Dec(), json["splitShipmentRate"].Dec()));
        Assert.Equal(110.0, json["orderToShipHoursP90"]!.GetValue<double>(), 3);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_funnel_endpoint_counts_sessions_per_step_and_the_rates_between(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            var at = Utc(2025, 7, 3);
            void Step(string session, string type) => db.StorefrontEvents.Add(new StorefrontEvent { SessionId = session, Type = type, OccurredAt = at });
            foreach (var session in new[] { "a", "b", "c", "d" })
            {
                Step(session, StorefrontEventTypes.SessionStarted);
            }

            Step("a", StorefrontEventTypes.ProductViewed);
            Step("a", StorefrontEventTypes.ProductViewed);
            Step("b", StorefrontEventTypes.ProductViewed);
            Step("c", StorefrontEventTypes.ProductViewed);
            Step("a", StorefrontEventTypes.AddedToCart);
            Step("b", StorefrontEventTypes.AddedToCart);
            Step("a", StorefrontEventTypes.CheckoutStarted);
            Step("a", StorefrontEventTypes.OrderPlaced);
            db.StorefrontEvents.Add(new StorefrontEvent { SessionId = "late", Type = StorefrontEventTypes.SessionStarted, OccurredAt = Utc(2025, 8, 1, 0) });
            await db.SaveChangesAsync();
        }

        var json = await store.Client.GetAsync("/api/v1/analytics/funnel?from=2025-07-01&to=2025-08-01").Expect(HttpStatusCode.OK);
        await using var check = store.Db();
        Task<long> Steps(string type) => Scalar(check, "SELECT COUNT(DISTINCT session_id) FROM storefront_events WHERE type = {0} AND occurred_at >= {1} AND occurred_at < {2}", type, Utc(2025, 7, 1, 0), Utc(2025, 8, 1, 0));
        var sessions = await Scalar(check, "SELECT COUNT(DISTINCT session_id) FROM storefront_events WHERE occurred_at >= {0} AND occurred_at < {1}", Utc(2025, 7, 1, 0), Utc(2025, 8, 1, 0));
        Assert.Equal(sessions, json["sessions"]!.GetValue<long>());
        Assert.Equal(await Steps(StorefrontEventTypes.ProductViewed), json["productViews"]!.GetValue<long>());
        Assert.Equal(await Steps(StorefrontEventTypes.AddedToCart), json["addToCarts"]!.GetValue<long>());
        Assert.Equal(await Steps(StorefrontEventTypes.CheckoutStarted), json["checkoutsStarted"]!.GetValue<long>());
        Assert.Equal(await Steps(StorefrontEventTypes.OrderPlaced), json["orders"]!.GetValue<long>());
        Assert.Equal((4L, 0.75m, 0.6667m, 0.5m, 1m, 0.25m), (json["sessions"]!.GetValue<long>(), json["productViewRate"].Dec(), json["addToCartRate"].Dec(), json["checkoutRate"].Dec(), json["orderRate"].Dec(), json["conversionRate"].Dec()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Reports_answer_csv_equal_to_their_json_and_bad_parameters_as_problems(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            await SeedAsync(db);
        }

        var json = await store.Client.GetAsync("/api/v1/analytics/cohorts?metric=revenue&periods=6").Expect(HttpStatusCode.OK);
        var csv = await CsvAsync(store, "/api/v1/analytics/cohorts?metric=revenue&periods=6");
        var rows = json["rows"]!.AsArray();
        Assert.Equal(rows.Count, csv.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i]!["cohort"].Str(), csv[i]["cohort"]);
            Assert.Equal(rows[i]!["customers"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture), csv[i]["customers"]);
            for (var k = 0; k < 6; k++)
            {
                var value = rows[i]!["values"]![k];
                Assert.Equal(value is null ? "" : value.GetValue<decimal>().ToString(CultureInfo.InvariantCulture), csv[i][$"m{k}"]);
            }
        }

        var customers = await store.Client.GetAsync("/api/v1/analytics/customers").Expect(HttpStatusCode.OK);
        var customersCsv = Assert.Single(await CsvAsync(store, "/api/v1/analytics/customers"));
        Assert.Equal(customers["averageLifetimeValue"].Dec().ToString(CultureInfo.InvariantCulture), customersCsv["averageLifetimeValue"]);
        Assert.Equal(customers["churnThresholdDays"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture), customersCsv["churnThresholdDays"]);
        var fulfillmentCsv = Assert.Single(await CsvAsync(store, "/api/v1/analytics/fulfillment"));
        Assert.Equal("", fulfillmentCsv["pickAccuracy"]);
        Assert.Single(await CsvAsync(store, "/api/v1/analytics/funnel"));

        await store.Client.GetAsync("/api/v1/analytics/cohorts?metric=profit").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidMetricCode);
        await store.Client.GetAsync("/api/v1/analytics/cohorts?by=week").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidCohortByCode);
        await store.Client.GetAsync("/api/v1/analytics/cohorts?periods=0").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidPeriodsCode);
        await store.Client.GetAsync("/api/v1/analytics/cohorts?periods=37").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidPeriodsCode);
        await store.Client.GetAsync("/api/v1/analytics/cohorts?periods=lots").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidPeriodsCode);
        await store.Client.GetAsync("/api/v1/analytics/customers?churnThresholdDays=0").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidChurnThresholdCode);
        await store.Client.GetAsync("/api/v1/analytics/customers?churnThresholdDays=ten").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidChurnThresholdCode);
        await store.Client.GetAsync("/api/v1/analytics/fulfillment?from=2025-05-01&to=2025-04-01").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidRangeCode);
        await store.Client.GetAsync("/api/v1/analytics/funnel?to=2099-99-99").ExpectProblem(HttpStatusCode.BadRequest, AnalyticsErrors.InvalidDateCode);
        foreach (var path in new[] { "cohorts", "customers", "fulfillment", "funnel" })
        {
            await (await store.ClientForAsync(Storekeep.Access.Role.Marketing)).GetAsync($"/api/v1/analytics/{path}").ExpectProblem(HttpStatusCode.Forbidden);
        }
    }

    private static async Task<List<Dictionary<string, string>>> CsvAsync(TestStore store, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await store.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await KpiReportTests.ReadCsvAsync(await response.Content.ReadAsStringAsync());
    }

    private static async Task<long> Scalar(StorekeepDbContext db, string sql, params object[] parameters) =>
        await Raw<long>(db, $"SELECT CAST(({sql}) AS BIGINT) AS \"Value\"", parameters).SingleAsync();

    /// <summary>The reference queries are built from constant fragments; only dates and types are parameters.</summary>
    private static IQueryable<T> Raw<T>(StorekeepDbContext db, string sql, params object[] parameters) => db.Database.SqlQueryRaw<T>(sql, parameters);

    private sealed class CohortCell
    {
        public required string Cohort { get; set; }
        public required string Month { get; set; }
        public long Customers { get; set; }
        public long Orders { get; set; }
        public long RevenueCents { get; set; }
    }
}

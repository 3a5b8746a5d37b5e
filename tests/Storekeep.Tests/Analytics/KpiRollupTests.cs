using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Orders.Import;
using static Storekeep.Tests.Analytics.AnalyticsFixtures;

namespace Storekeep.Tests.Analytics;

/// <summary>
/// The KPI report read from the <see cref="DailyKpi"/> rollup equals the one computed from the
/// orders (<see cref="KpiReportFromOrders"/>) for every grouping and several ranges, with the
/// rollup kept by the event subscriber through orders, refunds, cancellations and imports, and
/// again after a rebuild, which writes the very same rows.
/// </summary>
public sealed class KpiRollupTests
{
    private static readonly (string From, string To)[] Ranges =
    [
        ("2025-01-01", "2025-04-01"),
        ("2025-01-15", "2025-03-10"),
        ("2024-12-01", "2025-12-01"),
        ("2025-02-03", "2025-02-04"),
        ("2025-02-01", "2025-04-01"),
        ("2025-03-01", "2025-05-01"),
        ("2024-12-01", "2025-03-01"),
    ];

    private static async Task RefundWithEventAsync(StorekeepDbContext db, Order order, decimal amount, DateTime at, RefundStatus status = RefundStatus.Succeeded)
    {
        await RefundAsync(db, order, amount, at, status);
        db.AddEvent(EventTypes.RefundCreated, new { orderId = order.Id }, at);
        await db.SaveChangesAsync();
    }

    private static async Task AssertReportsEqualAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var report = scope.ServiceProvider.GetRequiredService<KpiReport>();
        var reference = new KpiReportFromOrders(db, scope.ServiceProvider.GetRequiredService<FunnelQueries>());
        foreach (var (from, to) in Ranges)
        {
            var range = ReportRange.Parse(from, to, DateTime.UtcNow);
            foreach (var groupBy in KpiGroupings.All)
            {
                var expected = await reference.GetAsync(range, groupBy, CancellationToken.None);
                var actual = await report.GetAsync(range, groupBy, CancellationToken.None);
                Assert.Equal(expected.Currency, actual.Currency);
                Assert.Equal(expected.Totals, actual.Totals);
                Assert.Equal(expected.Rows, actual.Rows);
            }
        }
    }

    private static async Task<(List<CustomerMonth> Months, List<CustomerMonthsShare> Shares)> CustomerMonthRowsAsync(TestStore store)
    {
        await using var db = store.Db();
        var months = await db.CustomerMonths.AsNoTracking().ToListAsync();
        var shares = await db.CustomerMonthsShares.AsNoTracking().ToListAsync();
        return (
            [.. months.OrderBy(m => m.Currency, StringComparer.Ordinal).ThenBy(m => m.Dimension, StringComparer.Ordinal).ThenBy(m => m.Key, StringComparer.Ordinal).ThenBy(m => m.Month).ThenBy(m => m.PreviousMonth)],
            [.. shares.OrderBy(s => s.Currency, StringComparer.Ordinal).ThenBy(s => s.Customer, StringComparer.Ordinal)]);
    }

    private static async Task<List<DailyKpi>> RowsAsync(TestStore store)
    {
        await using var db = store.Db();
        var rows = await db.DailyKpis.AsNoTracking().ToListAsync();
        return Ordered(rows);
    }

    private static List<DailyKpi> Ordered(IEnumerable<DailyKpi> rows) =>
        [.. rows.OrderBy(r => r.Day).ThenBy(r => r.Currency, StringComparer.Ordinal).ThenBy(r => r.Dimension, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal)];

    /// <summary>Every figure of the rows, comparable as values.</summary>
    private static IEnumerable<(DateOnly, string, string, string, int, long, long, long, long, long, long, long, long, int, int)> Figures(IEnumerable<DailyKpi> rows) =>
        rows.Select(r => (r.Day, r.Currency, r.Dimension, r.Key, r.Orders, r.Units, r.Gross, r.Discounts, r.Shipping, r.Tax, r.AddedTax, r.CostOfGoods, r.Refunds, r.NewCustomers, r.Customers));

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_rollup_backed_report_equals_the_one_from_orders_through_orders_refunds_cancellations_imports_and_a_rebuild(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            var v = await CatalogAsync(db, ("MUG-1", "Mugs", 4.10m), ("MUG-2", "Mugs", 3.33m), ("SHIRT-1", "Shirts", 7.35m), ("LOOSE-1", null, null));
            var ada = await CustomerAsync(db, "ada@example.com");
            var bob = await CustomerAsync(db, "bob@example.com", company: "Bob Ltd");

            var before = await OrderAsync(db, Utc(2024, 12, 20), "bob@example.com", bob, v, [("SHIRT-1", 2, 25.99m)], country: "DE");
            var first = await OrderAsync(db, Utc(2025, 1, 10), "ada@example.com", ada, v, [("MUG-1", 2, 12.50m), ("SHIRT-1", 1, 25.99m), ("LOOSE-1", 1, 0.01m)], shipping: 4.99m, tax: 3.33m);
            await OrderAsync(db, Utc(2025, 1, 20), "bob@example.com", bob, v, [("SHIRT-1", 3, 25.99m), ("MUG-2", 1, 9.10m)], shipping: 0m, tax: 14.52m, pricesIncludeTax: true, country: "de", channel: OrderChannels.Api);
            var guest = await OrderAsync(db, Utc(2025, 2, 3), "Cleo@Example.com", null, v, [("LOOSE-1", 1, 9.99m), ("MUG-1", 1, 12.50m)], country: "US");
            var again = await OrderAsync(db, Utc(2025, 2, 15), "ada@example.com", ada, v, [("MUG-1", 1, 12.50m)], shipping: 2.50m, tax: 1.07m);
            await OrderAsync(db, Utc(2025, 3, 1), "cleo@example.com", null, v, [("SHIRT-1", 1, 25.99m), ("MUG-2", 4, 9.10m)], shipping: 1.00m, tax: 1.00m, country: "US");
            await OrderAsync(db, Utc(2025, 3, 31, 23), "dan@example.com", null, v, [("LOOSE-1", 7, 9.99m)], shipping: 0m, country: "GB", channel: OrderChannels.Api);
            var cancelled = await OrderAsync(db, Utc(2025, 3, 5), "eve@example.com", null, v, [("SHIRT-1", 10, 25.99m)]);
            var evesSecond = await OrderAsync(db, Utc(2025, 3, 20), "eve@example.com", null, v, [("MUG-2", 1, 9.10m)]);
            await OrderAsync(db, Utc(2025, 2, 5), "ada@example.com", ada, v, [("MUG-1", 5, 11.00m)], currency: "EUR");
            await OrderAsync(db, Utc(2025, 4, 1, 0), "ada@example.com", ada, v, [("MUG-1", 1, 12.50m)]);

            await RefundWithEventAsync(db, first, 5.00m, Utc(2025, 1, 25));
            await RefundWithEventAsync(db, first, 3.01m, Utc(2025, 2, 26));
            await RefundWithEventAsync(db, before, 10.00m, Utc(2025, 2, 10));
            await RefundWithEventAsync(db, guest, 2.22m, Utc(2025, 2, 4), RefundStatus.Failed);
            await RefundWithEventAsync(db, again, 1.00m, Utc(2025, 4, 2));
            await RefundWithEventAsync(db, evesSecond, 0.10m, Utc(2025, 3, 21));
            await RefundWithEventAsync(db, cancelled, 20.00m, Utc(2025, 3, 6));

            // Eve's first order is cancelled: her second becomes her first, on another day.
            await CancelAsync(db, cancelled, Utc(2025, 3, 6));
        }

        await AllEventsHandledAsync(store);
        await AssertReportsEqualAsync(store);

        // Imported history: Ada's and Cleo's first orders move earlier (to other days), a new guest appears.
        var report = await store.ImportOrdersAsync(
            OrderImportTestData.Csv(
                "H-1,2025-01-02,,ada@example.com,Ada,MUG-1,Mug,Mugs,1,12.50,,,,FR",
                "H-2,2025-01-03,,CLEO@example.com,Cleo,SHIRT-1,Shirt,Shirts,2,51.98,,,,US",
                "H-2,2025-01-03,,CLEO@example.com,Cleo,LOOSE-1,Loose,,1,0.99,,,,US",
                "H-3,2025-02-03,,fay@example.com,Fay,MUG-2,Mug,Mugs,3,27.30,,,,GB"),
            OrderImportTestData.GenericMap);
        Assert.Empty(report.Errors);
        await AssertReportsEqualAsync(store);

        var maintained = await RowsAsync(store);
        Assert.NotEmpty(maintained);
        var maintainedMonths = await CustomerMonthRowsAsync(store);
        Assert.NotEmpty(maintainedMonths.Months);
        await using (var db = store.Db())
        {
            await new DailySalesRollup(db).RebuildAsync(CancellationToken.None);
        }

        var rebuilt = await RowsAsync(store);
        Assert.Equal(Figures(maintained), Figures(rebuilt));

        // The customer-months rollup the subscriber moved by differences is the one a rebuild writes.
        var rebuiltMonths = await CustomerMonthRowsAsync(store);
        Assert.Equal(
            maintainedMonths.Months.Select(m => (m.Currency, m.Dimension, m.Key, m.Month, m.PreviousMonth, m.Customers)),
            rebuiltMonths.Months.Select(m => (m.Currency, m.Dimension, m.Key, m.Month, m.PreviousMonth, m.Customers)));
        Assert.Equal(maintainedMonths.Shares.Select(s => (s.Currency, s.Customer, s.Rows)), rebuiltMonths.Shares.Select(s => (s.Currency, s.Customer, s.Rows)));
        await AssertReportsEqualAsync(store);

        // Read two orders per query (a busy day is read in chunks), the rows are the ones a rebuild wrote.
        await using (var db = store.Db())
        {
            var chunked = await DailyKpiFigures.ComputeAsync(db, new DateOnly(2024, 1, 1), new DateOnly(2026, 1, 1), null, CancellationToken.None, ordersPerChunk: 2);
            Assert.Equal(Figures(rebuilt), Figures(Ordered(chunked)));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_guests_orders_are_found_by_the_stored_email_key_whatever_the_case_and_spaces(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using var db = store.Db();
        var v = await CatalogAsync(db, ("MUG-1", "Mugs", 4.10m));
        var first = await OrderAsync(db, Utc(2025, 1, 1), "  Gus@Example.COM\t", null, v, [("MUG-1", 1, 12.50m)]);
        var second = await OrderAsync(db, Utc(2025, 1, 2), "gus@example.com", null, v, [("MUG-1", 2, 12.50m)]);
        await OrderAsync(db, Utc(2025, 1, 3), "gus@example.org", null, v, [("MUG-1", 1, 12.50m)]);
        await OrderAsync(db, Utc(2025, 1, 4), "gus@example.com", Guid.NewGuid(), v, [("MUG-1", 1, 12.50m)]);

        // The database's own key equals the app's (ReportMath.CustomerKey) for every guest order.
        var keys = await db.Orders.AsNoTracking().Where(o => o.CustomerId == null)
            .Select(o => new { o.Email, Key = EF.Property<string>(o, StorekeepDbContext.GuestEmailKey) }).ToListAsync();
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.Equal(ReportMath.CustomerKey(null, k.Email), k.Key));

        // One guest, two spellings: both orders, not the other address's nor the registered customer's.
        var found = await DailyKpiFigures.OrdersOfCustomersAsync(db, [(null, "GUS@example.com ")], CancellationToken.None);
        Assert.Equal(new[] { first.Id, second.Id }.Order(), found.Select(o => o.Id).Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.PostgresOnly), MemberType = typeof(TestDatabases))]
    public async Task A_rebuild_racing_the_subscriber_finishes_and_leaves_the_rows_a_rebuild_writes(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var orderIds = new List<Guid>();
        await using (var db = store.Db())
        {
            var v = await CatalogAsync(db, ("MUG-1", "Mugs", 4.10m));
            for (var day = 0; day < 60; day++)
            {
                var at = Utc(2025, 1, 1).AddDays(day);
                orderIds.Add((await OrderAsync(db, at, $"c{day % 7}@example.com", null, v, [("MUG-1", 1 + (day % 3), 12.50m)])).Id);
            }
        }

        await AllEventsHandledAsync(store);
        var expected = await RowsAsync(store);
        await using (var db = store.Db())
        {
            // Empty rollups, as after a bulk load: the subscriber's inserts are new days the rebuild also writes.
            await db.DailySales.ExecuteDeleteAsync();
            await db.DailyKpis.ExecuteDeleteAsync();
        }

        using var done = new CancellationTokenSource();
        async Task SubscriberAsync()
        {
            while (!done.IsCancellationRequested)
            {
                foreach (var chunk in orderIds.Chunk(5))
                {
                    await using var db = store.Db();
                    await db.InTransactionAsync(token => new DailySalesRollup(db).RefreshOrdersAsync(chunk, token));
                }
            }
        }

        var subscriber = Task.Run(SubscriberAsync);
        await Task.Delay(200);
        for (var i = 0; i < 2; i++)
        {
            await using var db = store.Db();
            await new DailySalesRollup(db).RebuildAsync(CancellationToken.None);
        }

        await done.CancelAsync();
        await subscriber;
        var after = await RowsAsync(store);
        Assert.Equal(
            expected.Select(r => (r.Day, r.Currency, r.Dimension, r.Key, r.Orders, r.Units, r.Gross, r.Customers)),
            after.Select(r => (r.Day, r.Currency, r.Dimension, r.Key, r.Orders, r.Units, r.Gross, r.Customers)));
    }
}

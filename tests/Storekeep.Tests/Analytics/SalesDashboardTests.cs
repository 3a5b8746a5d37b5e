using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Analytics;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Analytics;

public sealed class SalesDashboardTests
{
    private static Address Somewhere => new() { Name = "Ada", Line1 = "1 Row", City = "Paris", PostalCode = "75001", Country = "FR" };
    private static long _number = 500_000;

    /// <summary>Writes an order placed at <paramref name="at"/> without going through checkout; the order raises order.placed itself.</summary>
    private static async Task<Order> PlaceAsync(StorekeepDbContext db, DateTime at, params (int Quantity, decimal UnitPrice)[] lines)
    {
        var order = Order.Place(
            Interlocked.Increment(ref _number),
            "ada@example.com",
            null,
            "USD",
            Somewhere,
            "standard",
            lines.Select((l, i) => new OrderLine { Sku = $"SKU-{i}", Title = "Thing", Quantity = l.Quantity, UnitPrice = l.UnitPrice, LineTotal = l.Quantity * l.UnitPrice }),
            4.99m,
            0m,
            false,
            null,
            at);
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }

    private static async Task RefundAsync(StorekeepDbContext db, Order order, decimal amount, DateTime at, RefundStatus status = RefundStatus.Succeeded)
    {
        var payment = await db.Payments.FirstOrDefaultAsync(p => p.OrderId == order.Id);
        if (payment is null)
        {
            payment = new Payment { OrderId = order.Id, Gateway = "test", Amount = order.Total, CapturedAmount = order.Total, Currency = "USD", Status = PaymentRecordStatus.Captured, CreatedAt = order.CreatedAt };
            db.Payments.Add(payment);
        }

        db.Refunds.Add(new Refund { OrderId = order.Id, PaymentId = payment.Id, Amount = amount, Status = status, Actor = "test", CreatedAt = at });
        db.AddEvent(EventTypes.RefundCreated, new { orderId = order.Id }, at);
        await db.SaveChangesAsync();
    }

    private static async Task CancelAsync(StorekeepDbContext db, Order order, DateTime at)
    {
        var tracked = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == order.Id);
        tracked.Cancel("test", Actor.System, at); // raises order.cancelled
        await db.SaveChangesAsync();
    }

    private static Task AllEventsHandledAsync(TestStore store) =>
        Eventually.HoldsAsync(async () =>
        {
            await using var db = store.Db();
            return !await db.OutboxEvents.AnyAsync(e => e.Position == null)
                && await db.EventSubscriptions.AnyAsync(s => s.Name == DailySalesRollup.SubscriberName && s.Position == db.OutboxEvents.Max(e => e.Position));
        }, "every event published and rolled up");

    /// <summary>The figures straight from SQL over orders and refunds: what the dashboard must equal to the cent.</summary>
    private static Task<PeriodFigures> RawAsync(StorekeepDbContext db, DateOnly first, DateOnly last) =>
        RawAsync(db, first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

    /// <summary>The same over the orders and refunds created in [from, to).</summary>
    private static async Task<PeriodFigures> RawAsync(StorekeepDbContext db, DateTime from, DateTime to)
    {
        var orders = await db.Database.SqlQuery<long>($"SELECT CAST(COUNT(*) AS BIGINT) AS \"Value\" FROM orders WHERE status <> 'cancelled' AND currency = 'USD' AND created_at >= {from} AND created_at < {to}").SingleAsync();
        var grossCents = await db.Database.SqlQuery<long>($"SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS \"Value\" FROM orders WHERE status <> 'cancelled' AND currency = 'USD' AND created_at >= {from} AND created_at < {to}").SingleAsync();
        var units = await db.Database.SqlQuery<long>($"SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) AS \"Value\" FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' AND o.currency = 'USD' AND o.created_at >= {from} AND o.created_at < {to}").SingleAsync();
        var refundCents = await db.Database.SqlQuery<long>($"SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) AS \"Value\" FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.status = 'succeeded' AND o.status <> 'cancelled' AND o.currency = 'USD' AND r.created_at >= {from} AND r.created_at < {to}").SingleAsync();
        var gross = grossCents / 100m;
        var refunds = refundCents / 100m;
        return new PeriodFigures((int)orders, gross, refunds, gross - refunds, orders == 0 ? 0m : Math.Round(gross / orders, 2, MidpointRounding.AwayFromZero), units);
    }

    private static async Task<IReadOnlyList<PeriodComparison>> DashboardPeriodsAsync(TestStore store)
    {
        await using var scope = store.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SalesDashboard>().PeriodsAsync("USD", CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Dashboard_figures_equal_a_raw_sql_computation_for_every_period(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        await using (var db = store.Db())
        {
            var todays = await PlaceAsync(db, now.AddSeconds(-1), (2, 19.99m));
            await PlaceAsync(db, now.AddSeconds(-1), (1, 5.01m), (3, 0.33m));
            var yesterday = await PlaceAsync(db, now.AddDays(-1), (1, 120.00m));
            var lastWeek = await PlaceAsync(db, now.AddDays(-5), (4, 12.50m));
            await PlaceAsync(db, now.AddDays(-9), (1, 33.33m));
            var weeksAgo = await PlaceAsync(db, now.AddDays(-20), (2, 45.45m));
            await PlaceAsync(db, now.AddDays(-40), (7, 1.11m));
            var cancelledLater = await PlaceAsync(db, now.AddDays(-12), (1, 999.99m));
            await PlaceAsync(db, now.AddDays(-70), (1, 10m));

            // Refunds count on their own day; a refund of an old order changes today, a cancellation changes the day it was placed.
            await RefundAsync(db, weeksAgo, 10.10m, now.AddSeconds(-1));
            await RefundAsync(db, lastWeek, 7.77m, now.AddDays(-2));
            await RefundAsync(db, yesterday, 50m, now.AddDays(-1), RefundStatus.Failed);
            await RefundAsync(db, todays, 3.33m, now.AddSeconds(-1), RefundStatus.Pending);
            await RefundAsync(db, cancelledLater, 100m, now.AddDays(-3));
            await CancelAsync(db, cancelledLater, now.AddDays(-3));
        }

        await AllEventsHandledAsync(store);
        var periods = await DashboardPeriodsAsync(store);

        await using var check = store.Db();
        Assert.Equal(3, periods.Count);
        foreach (var period in periods)
        {
            Assert.Equal(today, period.To);
            Assert.Equal(await RawAsync(check, period.From, period.To), period.Current);
            var previousFrom = period.From.AddDays(-period.Days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            Assert.Equal(await RawAsync(check, previousFrom, period.PreviousUntil), period.Previous);
            Assert.Equal(period.Days == 1 ? previousFrom : period.From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), period.PreviousUntil.Date);
        }

        var month = periods.Single(p => p.Days == 30).Current;
        Assert.Equal(6, month.Orders);
        Assert.Equal(2 * 19.99m + 5.01m + 0.99m + 120m + 50m + 33.33m + 90.90m + (6 * 4.99m), month.Gross);
        Assert.Equal(10.10m + 7.77m, month.Refunds);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_rollup_follows_a_new_order_on_a_past_day_without_a_restart_and_matches_a_rebuild(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var now = DateTime.UtcNow;
        var yesterday = DateOnly.FromDateTime(now.AddDays(-1));
        await using (var db = store.Db())
        {
            await PlaceAsync(db, now.AddDays(-1), (1, 10m));
        }

        await AllEventsHandledAsync(store);
        await using (var db = store.Db())
        {
            var row = await db.DailySales.AsNoTracking().SingleAsync(d => d.Day == yesterday);
            Assert.Equal((1, 14.99m, 1L), (row.Orders, row.Gross, row.Units));

            await PlaceAsync(db, now.AddDays(-1), (3, 2.50m));
        }

        await AllEventsHandledAsync(store);
        await using (var db = store.Db())
        {
            var row = await db.DailySales.AsNoTracking().SingleAsync(d => d.Day == yesterday);
            Assert.Equal((2, 14.99m + 12.49m, 4L), (row.Orders, row.Gross, row.Units));
        }

        var periods = await DashboardPeriodsAsync(store);
        Assert.Equal(2, periods.Single(p => p.Days == 7).Current.Orders);

        List<DailySales> incremental;
        await using (var db = store.Db())
        {
            incremental = await db.DailySales.AsNoTracking().OrderBy(d => d.Day).ToListAsync();
            await new DailySalesRollup(db).RebuildAsync(CancellationToken.None);
        }

        await using (var db = store.Db())
        {
            var rebuilt = await db.DailySales.AsNoTracking().OrderBy(d => d.Day).ToListAsync();
            Assert.Equal(
                incremental.Select(d => (d.Day, d.Currency, d.Orders, d.Gross, d.Refunds, d.Units)),
                rebuilt.Select(d => (d.Day, d.Currency, d.Orders, d.Gross, d.Refunds, d.Units)));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_order_placed_through_checkout_shows_today_and_waits_to_ship(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("DASH-1", 25.00m, main: 10);
        var cart = await store.CartWithAsync(store.Anonymous, ("DASH-1", 2));
        var order = await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);

        await using var scope = store.Services.CreateAsyncScope();
        var view = await scope.ServiceProvider.GetRequiredService<SalesDashboard>().GetAsync(CancellationToken.None);

        var today = view.Periods.Single(p => p.Days == 1).Current;
        Assert.Equal(1, today.Orders);
        Assert.Equal(order["total"].Dec(), today.Gross);
        Assert.Equal(2, today.Units);
        Assert.Equal(order["total"].Dec(), view.Revenue30Days[^1].Revenue);
        Assert.Equal(30, view.Revenue30Days.Count);
        Assert.Equal(order["number"]!.GetValue<long>(), Assert.Single(view.ToShip).Number);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_dashboard_api_answers_the_figures_of_every_period(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        await using (var db = store.Db())
        {
            var todays = await PlaceAsync(db, now.AddSeconds(-1), (2, 19.99m));
            await PlaceAsync(db, now.AddDays(-3), (1, 5.01m), (3, 0.33m));
            var old = await PlaceAsync(db, now.AddDays(-20), (2, 45.45m));
            await PlaceAsync(db, now.AddDays(-45), (1, 10m));
            var cancelled = await PlaceAsync(db, now.AddDays(-2), (1, 999.99m));
            await RefundAsync(db, old, 10.10m, now.AddSeconds(-1));
            await RefundAsync(db, todays, 1.00m, now.AddSeconds(-1), RefundStatus.Failed);
            await CancelAsync(db, cancelled, now.AddDays(-1));
        }

        await AllEventsHandledAsync(store);

        // Sales staff read it (orders.read); marketing does not have orders.read.
        var sales = await store.ClientForAsync(Storekeep.Access.Role.Sales);
        var view = await sales.GetAsync("/api/v1/analytics/dashboard").Expect(HttpStatusCode.OK);
        await (await store.ClientForAsync(Storekeep.Access.Role.Marketing)).GetAsync("/api/v1/analytics/dashboard").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/analytics/dashboard").ExpectProblem(HttpStatusCode.Unauthorized);

        Assert.Equal("USD", view["currency"]!.GetValue<string>());
        Assert.Equal(today, DateOnly.Parse(view["today"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var periods = view["periods"]!.AsArray();
        Assert.Equal(["Today", "Last 7 days", "Last 30 days"], periods.Select(p => p!["period"]!.GetValue<string>()));
        await using var check = store.Db();
        foreach (var period in periods)
        {
            var days = period!["days"]!.GetValue<int>();
            var from = today.AddDays(1 - days);
            Assert.Equal(await RawAsync(check, from, today), Figures(period["current"]!));
            var until = period["previousUntil"]!.GetValue<DateTime>().ToUniversalTime();
            Assert.Equal(await RawAsync(check, from.AddDays(-days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), until), Figures(period["previous"]!));
        }

        var month = Figures(periods[2]!["current"]!);
        Assert.Equal(3, month.Orders);
        Assert.Equal(2 * 19.99m + 5.01m + 0.99m + 90.90m + (3 * 4.99m), month.Gross);
        Assert.Equal(10.10m, month.Refunds);
        Assert.Equal(2 + 4 + 2, month.Units);
        Assert.Equal(Figures(periods[0]!["current"]!).Revenue, view["revenue30Days"]!.AsArray()[^1]!["revenue"].Dec());
    }

    /// <summary>A clock the test sets; every service of the store reads it.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Today_so_far_is_compared_with_yesterday_up_to_the_same_time_of_day(string database)
    {
        var now = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        await using var store = await TestStore.StartAsync(database, services: s => s.AddSingleton<TimeProvider>(new ManualClock(now)));
        await using (var db = store.Db())
        {
            var morning = await PlaceAsync(db, now.AddHours(-2), (1, 40m));             // today 10:00
            await PlaceAsync(db, now.AddDays(-1).AddHours(-1), (2, 15m));                // yesterday 11:00: compared
            var afternoon = await PlaceAsync(db, now.AddDays(-1).AddHours(3), (1, 90m)); // yesterday 15:00: later in the day than now
            await PlaceAsync(db, now.AddDays(-1).AddHours(-11.5), (1, 5m));              // yesterday 00:30: compared
            await RefundAsync(db, afternoon, 20m, now.AddDays(-1).AddMinutes(-30));      // yesterday 11:30: compared
            await RefundAsync(db, morning, 10m, now.AddDays(-1).AddHours(5));            // yesterday 17:00: not
        }

        await AllEventsHandledAsync(store);
        var today = (await DashboardPeriodsAsync(store)).Single(p => p.Days == 1);

        Assert.Equal(now.AddDays(-1), today.PreviousUntil);
        await using var check = store.Db();
        Assert.Equal(await RawAsync(check, now.Date.AddDays(-1), now.AddDays(-1)), today.Previous);
        Assert.Equal(new PeriodFigures(2, 30m + 4.99m + 5m + 4.99m, 20m, 30m + 4.99m + 5m + 4.99m - 20m, 22.49m, 3), today.Previous);
        Assert.Equal(new PeriodFigures(1, 44.99m, 0m, 44.99m, 44.99m, 1), today.Current);

        // The API says where yesterday's figures stop; the week still compares whole days.
        var view = await (await store.ClientForAsync(Storekeep.Access.Role.Sales)).GetAsync("/api/v1/analytics/dashboard").Expect(HttpStatusCode.OK);
        Assert.Equal(now.AddDays(-1), view["periods"]![0]!["previousUntil"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.Equal(now.Date.AddDays(-6), view["periods"]![1]!["previousUntil"]!.GetValue<DateTime>().ToUniversalTime());
        Assert.Equal(await RawAsync(check, now.Date.AddDays(-13), now.Date.AddDays(-6)), Figures(view["periods"]![1]!["previous"]!));
    }

    private static PeriodFigures Figures(System.Text.Json.Nodes.JsonNode node) => new(
        node["orders"]!.GetValue<int>(),
        node["gross"].Dec(),
        node["refunds"].Dec(),
        node["revenue"].Dec(),
        node["averageOrderValue"].Dec(),
        node["units"]!.GetValue<long>());
}

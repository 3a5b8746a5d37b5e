using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Customers;

public sealed class CustomerApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Customer_detail_figures_equal_a_raw_sql_count_of_their_orders_and_refunds(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        var first = await PlaceAsync(store, "ada@example.com", ("MUG-1", 2));
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        var cancelled = await PlaceAsync(store, "ada@example.com", ("MUG-1", 3));
        await PlaceAsync(store, "grace@example.com", ("MUG-1", 4));
        await (await store.Client.PostJson($"/api/v1/orders/{first["id"].Str()}/refunds", new { amount = 10.5m })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);
        await store.SubscribersCaughtUpAsync(); // the order figures are kept by an event subscriber

        var id = await CustomerIdAsync(store, "ada@example.com");
        var detail = await (await store.Client.GetAsync($"/api/v1/customers/{id}")).Expect(HttpStatusCode.OK);

        var (count, spentMinor, liveOrders, firstAt, lastAt) = await RawFiguresAsync(store, "ada@example.com");
        var stats = detail["stats"]!;
        Assert.Equal(count, stats["ordersCount"].Int());
        Assert.Equal(spentMinor, (long)(stats["totalSpent"].Dec() * 100));
        Assert.Equal(decimal.Round(spentMinor / 100m / liveOrders, 2), stats["averageOrderValue"].Dec());
        Assert.Equal((firstAt, lastAt), (stats["firstOrderAt"]!.GetValue<DateTime>(), stats["lastOrderAt"]!.GetValue<DateTime>()));
        Assert.Equal((3, 6450L), (count, spentMinor)); // 50 + 25 − 10.50; the cancelled order and Grace's do not count
        Assert.Equal(("ada@example.com", "Ada", "Lovelace", "USD"), (detail["email"].Str(), detail["firstName"].Str(), detail["lastName"].Str(), detail["currency"].Str()));

        var orders = detail["orders"]!["items"]!.AsArray();
        Assert.Equal(3, orders.Count);
        Assert.Equal(
            orders.Select(o => o!["number"]!.GetValue<long>()).OrderDescending(),
            orders.Select(o => o!["number"]!.GetValue<long>()));
        var cancelledRow = orders.Single(o => o!["number"]!.GetValue<long>() == cancelled["number"]!.GetValue<long>())!;
        Assert.Equal(("cancelled", 75m), (cancelledRow["status"].Str(), cancelledRow["total"].Dec()));
        Assert.NotNull(cancelledRow["createdAt"]);

        var byEmail = await (await store.Client.GetAsync("/api/v1/customers/ada@example.com")).Expect(HttpStatusCode.OK);
        Assert.Equal(id, byEmail["id"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Customers_are_listed_newest_first_searched_by_email_or_name_and_paged_by_cursor(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        await PlaceAsync(store, "grace@example.com", ("MUG-1", 1));

        var found = await (await store.Client.GetAsync("/api/v1/customers?q=GRACE")).Expect(HttpStatusCode.OK);
        Assert.Equal(["grace@example.com"], found["items"]!.AsArray().Select(c => c!["email"].Str()));
        var byName = await (await store.Client.GetAsync("/api/v1/customers?q=lovelace")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, byName["items"]!.AsArray().Count);

        var page1 = await (await store.Client.GetAsync("/api/v1/customers?limit=1")).Expect(HttpStatusCode.OK);
        Assert.Equal("grace@example.com", page1["items"]![0]!["email"].Str());
        var page2 = await (await store.Client.GetAsync($"/api/v1/customers?limit=1&cursor={page1["nextCursor"].Str()}")).Expect(HttpStatusCode.OK);
        Assert.Equal("ada@example.com", page2["items"]![0]!["email"].Str());
        Assert.Null(page2["nextCursor"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_customers_orders_page_by_cursor_without_changing_their_figures(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        for (var i = 0; i < 3; i++)
        {
            await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        }

        await store.SubscribersCaughtUpAsync(); // the order figures are kept by an event subscriber
        var id = await CustomerIdAsync(store, "ada@example.com");
        var page1 = await (await store.Client.GetAsync($"/api/v1/customers/{id}?limit=2")).Expect(HttpStatusCode.OK);
        var page2 = await (await store.Client.GetAsync($"/api/v1/customers/{id}?limit=2&cursor={page1["orders"]!["nextCursor"].Str()}")).Expect(HttpStatusCode.OK);

        var numbers = page1["orders"]!["items"]!.AsArray().Concat(page2["orders"]!["items"]!.AsArray()).Select(o => o!["number"]!.GetValue<long>()).ToList();
        Assert.Equal(3, numbers.Distinct().Count());
        Assert.Null(page2["orders"]!["nextCursor"]);
        Assert.Equal((3, 75m), (page2["stats"]!["ordersCount"].Int(), page2["stats"]!["totalSpent"].Dec()));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Bad_customer_requests_are_clear_problems_and_other_roles_are_refused(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));

        await (await store.Client.GetAsync($"/api/v1/customers/{Guid.NewGuid()}")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.GetAsync("/api/v1/customers/nobody@example.com")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Client.GetAsync("/api/v1/customers?limit=0")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await store.Client.GetAsync("/api/v1/customers?cursor=not-ours")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await store.Client.GetAsync($"/api/v1/customers?q={new string('a', 201)}")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await store.Client.GetAsync("/api/v1/customers/ada@example.com?limit=500")).ExpectProblem(HttpStatusCode.BadRequest);

        var warehouse = await store.ClientForAsync(Role.Warehouse);
        Assert.Equal(HttpStatusCode.Forbidden, (await warehouse.GetAsync("/api/v1/customers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await store.Anonymous.GetAsync("/api/v1/customers")).StatusCode);
        var support = await store.ClientForAsync(Role.Support);
        await (await support.GetAsync("/api/v1/customers/ada@example.com")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Checkout_creates_one_customer_per_email_and_leaves_an_existing_one_as_it_is(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 1));
        var body = new
        {
            email = "ADA@example.com",
            shippingAddress = new { name = "Augusta King", line1 = "1 Other St", city = "London", postalCode = "N1", country = "GB" },
            payment = new { method = "card", token = "tok_visa" },
        };
        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", body)).Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        var customer = await db.Customers.SingleAsync();
        Assert.Equal(("ada@example.com", "Ada", "Lovelace", "US"), (customer.Email, customer.FirstName, customer.LastName, customer.Country));
        Assert.Equal(2, await db.Orders.CountAsync(o => o.CustomerId == customer.Id));
    }

    private static async Task<JsonNode> PlaceAsync(TestStore store, string email, params (string Sku, int Quantity)[] lines)
    {
        var cart = await store.CartWithAsync(store.Anonymous, lines);
        return await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email))).Expect(HttpStatusCode.Created);
    }

    private static async Task<string> CustomerIdAsync(TestStore store, string email)
    {
        await using var db = store.Db();
        return (await db.Customers.SingleAsync(c => c.Email == email)).Id.ToString();
    }

    /// <summary>The figures straight from the tables (money in minor units, as stored), independent of the service.</summary>
    private static async Task<(int Count, long SpentMinor, int LiveOrders, DateTime FirstAt, DateTime LastAt)> RawFiguresAsync(TestStore store, string email)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@email";
            parameter.Value = email;
            command.Parameters.Add(parameter);
            return await command.ExecuteScalarAsync();
        }

        static long Long(object? value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        static DateTime Time(object? value) => value is DateTime d ? d : DateTime.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

        var count = Long(await ScalarAsync("SELECT COUNT(*) FROM orders WHERE email = @email"));
        var live = Long(await ScalarAsync("SELECT COUNT(*) FROM orders WHERE email = @email AND status <> 'cancelled'"));
        var totals = Long(await ScalarAsync("SELECT COALESCE(SUM(total), 0) FROM orders WHERE email = @email AND status <> 'cancelled'"));
        var refunded = Long(await ScalarAsync(
            "SELECT COALESCE(SUM(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.email = @email AND o.status <> 'cancelled' AND r.status = 'succeeded'"));
        var firstAt = Time(await ScalarAsync("SELECT MIN(created_at) FROM orders WHERE email = @email"));
        var lastAt = Time(await ScalarAsync("SELECT MAX(created_at) FROM orders WHERE email = @email"));
        return ((int)count, totals - refunded, (int)live, firstAt, lastAt);
    }
}

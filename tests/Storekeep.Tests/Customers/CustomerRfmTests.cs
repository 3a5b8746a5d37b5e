using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Customers;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Customers;

public sealed class CustomerRfmTests
{
    /// <summary>Orders per customer: (days ago, total). Ties on purpose: tie1/tie2 are identical, solo1/solo2 too.</summary>
    private static readonly (string Email, (int DaysAgo, decimal Total)[] Orders)[] Seeded =
    [
        ("tie1@example.com", [(5, 100m), (20, 100m), (40, 100m)]),
        ("tie2@example.com", [(5, 100m), (20, 100m), (40, 100m)]),
        ("solo1@example.com", [(10, 50m)]),
        ("solo2@example.com", [(10, 50m)]),
        ("pair@example.com", [(100, 80m), (200, 80m)]),
        ("big@example.com", [(300, 500m)]),
        ("many@example.com", [(30, 20m), (60, 20m), (90, 20m), (120, 20m), (150, 20m)]),
        ("gone@example.com", [(400, 70m)]),
        ("back@example.com", [(400, 70m), (60, 15m)]),
        ("recent@example.com", [(2, 10m), (3, 10m), (4, 10m), (5, 10m)]),
        ("small@example.com", [(200, 10m)]),
        ("edge@example.com", [(364, 1000m)]),
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Rfm_scores_and_segments_equal_a_reference_computed_from_the_raw_orders(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await ImportAsync(store, Seeded);
        // A checkout order partly refunded: its net amount is what counts.
        await store.AddProductAsync("MUG-1", 25m, main: 20);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));
        var order = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: "ada@example.com")).Expect(HttpStatusCode.Created);
        await store.Client.PostJson($"/api/v1/orders/{order["id"].Str()}/refunds", new { amount = 10.5m }).Expect(HttpStatusCode.Created);

        // Scores are those of the last scoring run (hourly, or asked for): until one runs, nobody has any.
        Assert.Null((await store.Client.GetAsync("/api/v1/customers/ada@example.com").Expect(HttpStatusCode.OK))["rfm"]);
        var now = await ScoreAsync(store, expectedCustomers: 12);
        var expected = await ReferenceAsync(store, now, windowDays: 365);
        var emails = Seeded.Select(s => s.Email).Append("ada@example.com").ToList();
        foreach (var email in emails)
        {
            var rfm = (await store.Client.GetAsync($"/api/v1/customers/{email}").Expect(HttpStatusCode.OK))["rfm"];
            if (!expected.TryGetValue(email, out var want))
            {
                Assert.Null(rfm);
                continue;
            }

            Assert.NotNull(rfm);
            Assert.Equal(
                (email, want.Recency, want.Frequency, want.Monetary, want.Score, want.Segment),
                (email, rfm["recency"].Int(), rfm["frequency"].Int(), rfm["monetary"].Dec(), rfm["score"].Str(), rfm["segment"].Str()));
        }

        // Written out by hand, so a shared mistake in both computations still shows.
        Assert.False(expected.ContainsKey("gone@example.com"));
        Assert.Equal(12, expected.Count);
        Assert.Equal((0, 1, 39.5m), (expected["ada@example.com"].Recency, expected["ada@example.com"].Frequency, expected["ada@example.com"].Monetary));
        Assert.Equal((60, 1, 15m), (expected["back@example.com"].Recency, expected["back@example.com"].Frequency, expected["back@example.com"].Monetary));
        Assert.Equal(expected["tie1@example.com"].Score, expected["tie2@example.com"].Score);
        Assert.Equal(expected["solo1@example.com"].Score, expected["solo2@example.com"].Score);
        // tie1/tie2: recency rank 3 of 12 (ada 0, recent 2), frequency rank 3 (many 5, recent 4), monetary rank 3 (edge, big).
        Assert.Equal("555", expected["tie1@example.com"].Score);
        Assert.Equal("champions", expected["tie1@example.com"].Segment);
        // edge: the oldest order (rank 12 → 1), one order (ranks 6–12 → 3, shared), the most spent (5).
        Assert.Equal("135", expected["edge@example.com"].Score);
        Assert.Equal("at_risk", expected["edge@example.com"].Segment);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_rfm_window_is_configurable(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Customers:RfmWindowDays"] = "30" });
        await ImportAsync(store, Seeded);
        var expected = await ReferenceAsync(store, await ScoreAsync(store, expectedCustomers: 5), windowDays: 30);
        Assert.Equal(["recent@example.com", "solo1@example.com", "solo2@example.com", "tie1@example.com", "tie2@example.com"], expected.Keys.Order(StringComparer.Ordinal));
        var list = await store.Client.GetAsync("/api/v1/customers?limit=100").Expect(HttpStatusCode.OK);
        var scored = list["items"]!.AsArray().Where(c => c!["rfm"] is not null)
            .ToDictionary(c => c!["email"].Str(), c => c!["rfm"]!["score"].Str());
        Assert.Equal(expected.ToDictionary(e => e.Key, e => e.Value.Score), scored);
    }

    [Fact]
    public void Every_segment_is_reachable_and_the_grid_has_no_gaps()
    {
        var seen = new HashSet<string>();
        for (var r = 1; r <= 5; r++)
        {
            for (var fm = 1; fm <= 5; fm++)
            {
                seen.Add(RfmSegments.OfGrid(r, fm));
            }
        }

        Assert.Equal(RfmSegments.All.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(("champions", "lost", "new", "cannot_lose"), (RfmSegments.Of(5, 5, 4), RfmSegments.Of(1, 1, 1), RfmSegments.Of(5, 1, 1), RfmSegments.Of(1, 5, 5)));
        Assert.Equal(125, RfmSegments.All.Sum(s => RfmSegments.Codes(s).Count));
    }

    internal static async Task ImportAsync(TestStore store, IEnumerable<(string Email, (int DaysAgo, decimal Total)[] Orders)> customers)
    {
        var csv = new StringBuilder("Order,Date,Email,SKU,Qty,Total\n");
        var number = 0;
        var today = DateTime.UtcNow.Date;
        foreach (var (email, orders) in customers)
        {
            foreach (var (daysAgo, total) in orders)
            {
                csv.Append(CultureInfo.InvariantCulture, $"IMP-{++number},{today.AddDays(-daysAgo):yyyy-MM-dd},{email},RFM-SKU,1,{total.ToString("0.00", CultureInfo.InvariantCulture)}\n");
            }
        }

        var body = new JsonObject
        {
            ["csv"] = csv.ToString(),
            ["map"] = new JsonObject
            {
                ["columns"] = new JsonObject { ["orderNumber"] = "Order", ["placedAt"] = "Date", ["customerEmail"] = "Email", ["sku"] = "SKU", ["quantity"] = "Qty", ["lineTotal"] = "Total" },
            },
        };
        await store.Client.PostJson("/api/v1/orders/import", body).Expect(HttpStatusCode.OK);
    }

    /// <summary>Runs a scoring run through the API and answers the time it scored as of.</summary>
    internal static async Task<DateTime> ScoreAsync(TestStore store, int? expectedCustomers = null)
    {
        var run = await store.Client.PostJson("/api/v1/customers/rfm/score", new { }).Expect(HttpStatusCode.OK);
        if (expectedCustomers is { } n)
        {
            Assert.Equal(n, run["customers"].Int());
        }

        return DateTime.Parse(run["scoredAt"].Str(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    public sealed record ReferenceRfm(int Recency, int Frequency, decimal Monetary, string Score, string Segment);

    /// <summary>RFM straight from the order rows, with plain LINQ over lists (no window functions, no service code but the segment grid).</summary>
    internal static async Task<Dictionary<string, ReferenceRfm>> ReferenceAsync(TestStore store, DateTime now, int windowDays)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT o.email, o.created_at, o.status, o.payment_status, o.total,
              COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded'), 0)
            FROM orders o
            """;
        var rows = new List<(string Email, DateTime At, string Status, string Payment, long Total, long Refunded)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var at = reader.GetValue(1) is DateTime d ? d : DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                rows.Add((reader.GetString(0), DateTime.SpecifyKind(at, DateTimeKind.Utc), reader.GetString(2), reader.GetString(3),
                    Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)));
            }
        }

        var since = now.AddDays(-windowDays);
        var active = rows
            .Where(o => o.Status != "cancelled" && o.Payment is "paid" or "partially_refunded" && o.At >= since)
            .GroupBy(o => o.Email)
            .Select(g => (Email: g.Key, Recency: (int)Math.Floor((now - g.Max(o => o.At)).TotalDays), Frequency: g.Count(), Monetary: g.Sum(o => o.Total - o.Refunded)))
            .ToList();
        var n = active.Count;
        // Quintile of rank, 5 best: rank = 1 + how many are strictly better, so ties share it.
        int Score(int better) => 5 - (5 * better / n);
        return active.ToDictionary(c => c.Email, c =>
        {
            var r = Score(active.Count(o => o.Recency < c.Recency));
            var f = Score(active.Count(o => o.Frequency > c.Frequency));
            var m = Score(active.Count(o => o.Monetary > c.Monetary));
            return new ReferenceRfm(c.Recency, c.Frequency, c.Monetary / 100m, $"{r}{f}{m}", RfmSegments.Of(r, f, m));
        });
    }
}

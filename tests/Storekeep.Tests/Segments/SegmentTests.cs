using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Orders;
using Storekeep.Tests.Customers;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Segments;

public sealed class SegmentTests
{
    private static readonly object[] Profiles =
    [
        new { email = "ann@example.com", country = "GB", company = "Acme Ltd", tags = new[] { "vip" }, consent = new { email = new { accepted = true } } },
        new { email = "bob@example.com", country = "FR", company = "ACME Trading", tags = new[] { "wholesale", "press" }, consent = new { sms = new { accepted = true } } },
        new { email = "cy@example.com", country = "US", company = "Other Co", tags = new[] { "wholesaler" }, consent = new { email = new { accepted = true }, sms = new { accepted = false } } },
        new { email = "dee@example.com", country = "GB", tags = new[] { "vip", "press" } },
        new { email = "eve@example.com", country = "DE" },
        new { email = "nobuy@example.com", country = "GB", tags = new[] { "vip" }, consent = new { email = new { accepted = true } } },
    ];

    /// <summary>Orders: (email, days ago, lines of (sku, category, line total)).</summary>
    private static readonly (string Email, int DaysAgo, (string Sku, string Category, decimal Total)[] Lines)[] Orders =
    [
        ("ann@example.com", 3, [("SKU-A", "Mugs", 120m), ("SKU-B", "Plates", 80m)]),
        ("ann@example.com", 40, [("SKU-A", "Mugs", 150m)]),
        ("ann@example.com", 200, [("SKU-C", "Bowls", 300m)]),
        ("bob@example.com", 10, [("SKU-B", "Plates", 45m)]),
        ("cy@example.com", 150, [("SKU-C", "Bowls", 60m)]),
        ("cy@example.com", 120, [("SKU-AB", "Bowls", 70m)]),
        ("dee@example.com", 10, [("SKU-A", "Mugs", 20m)]),
        ("eve@example.com", 500, [("SKU-B", "Plates", 900m)]),
        ("eve@example.com", 30, [("SKU-A", "Mugs", 25m)]),
        ("fay@example.com", 90, [("SKU-C", "Bowls", 400m)]),
        ("fay@example.com", 60, [("SKU-C", "Bowls", 100m)]),
    ];

    private static readonly (string Match, object[] Rules)[] Cases =
    [
        ("all", [new { field = "totalSpent", op = "gte", value = 300 }]),
        ("all", [new { field = "totalSpent", op = "lt", value = 50 }]),
        ("all", [new { field = "totalSpent", op = "lte", value = 100 }]),
        ("all", [new { field = "totalSpent", op = "in", value = new[] { 45m, 20m } }]),
        ("all", [new { field = "ordersCount", op = "eq", value = 1 }]),
        ("all", [new { field = "ordersCount", op = "ne", value = 2 }]),
        ("all", [new { field = "ordersCount", op = "in", value = new[] { 2, 3 } }]),
        ("all", [new { field = "ordersCount", op = "gte", value = 1 }]),
        ("all", [new { field = "averageOrderValue", op = "gt", value = 60 }]),
        ("all", [new { field = "averageOrderValue", op = "lte", value = 65 }]),
        ("all", [new { field = "averageOrderValue", op = "eq", value = 250 }]),
        ("all", [new { field = "lastOrderDaysAgo", op = "lte", value = 30 }]),
        ("all", [new { field = "lastOrderDaysAgo", op = "lt", value = 30 }]),
        ("all", [new { field = "lastOrderDaysAgo", op = "eq", value = 10 }]),
        ("all", [new { field = "lastOrderDaysAgo", op = "ne", value = 10 }]),
        ("all", [new { field = "lastOrderDaysAgo", op = "in", value = new[] { 3, 60 } }]),
        ("all", [new { field = "firstOrderDaysAgo", op = "gt", value = 120 }]),
        ("all", [new { field = "firstOrderDaysAgo", op = "gte", value = 120 }]),
        ("all", [new { field = "country", op = "eq", value = "gb" }]),
        ("all", [new { field = "country", op = "ne", value = "GB" }]),
        ("all", [new { field = "country", op = "in", value = new[] { "GB", "FR" } }]),
        ("all", [new { field = "country", op = "contains", value = "e" }]),
        ("all", [new { field = "company", op = "contains", value = "acme" }]),
        ("all", [new { field = "company", op = "ne", value = "Acme Ltd" }]),
        ("all", [new { field = "company", op = "eq", value = "Other Co" }]),
        ("all", [new { field = "company", op = "in", value = new[] { "Other Co", "Acme Ltd" } }]),
        ("all", [new { field = "tag", op = "eq", value = "VIP" }]),
        ("all", [new { field = "tag", op = "ne", value = "vip" }]),
        ("all", [new { field = "tag", op = "contains", value = "whole" }]),
        ("all", [new { field = "tag", op = "in", value = new[] { "vip", "press" } }]),
        ("all", [new { field = "rfmSegment", op = "eq", value = "champions" }]),
        ("all", [new { field = "rfmSegment", op = "ne", value = "champions" }]),
        ("all", [new { field = "rfmSegment", op = "in", value = new[] { "at_risk", "hibernating", "lost", "about_to_sleep", "needs_attention" } }]),
        ("all", [new { field = "rfmSegment", op = "contains", value = "loyal" }]),
        ("all", [new { field = "purchasedSku", op = "eq", value = "SKU-A" }]),
        ("all", [new { field = "purchasedSku", op = "ne", value = "SKU-A" }]),
        ("all", [new { field = "purchasedSku", op = "contains", value = "b" }]),
        ("all", [new { field = "purchasedSku", op = "in", value = new[] { "SKU-AB", "SKU-C" } }]),
        ("all", [new { field = "purchasedCategory", op = "eq", value = "Mugs" }]),
        ("all", [new { field = "purchasedCategory", op = "ne", value = "mugs" }]),
        ("all", [new { field = "purchasedCategory", op = "in", value = new[] { "Bowls", "Plates" } }]),
        ("all", [new { field = "purchasedCategory", op = "contains", value = "ate" }]),
        ("all", [new { field = "acceptsEmail", op = "eq", value = true }]),
        ("all", [new { field = "acceptsSms", op = "ne", value = true }]),
        ("all", [new { field = "loyaltyTier", op = "eq", value = "Gold" }]),
        ("all", [new { field = "loyaltyTier", op = "ne", value = "silver" }]),
        ("all", [new { field = "loyaltyTier", op = "in", value = new[] { "Silver", "Gold" } }]),
        ("all", [new { field = "loyaltyTier", op = "contains", value = "ol" }]),
        ("any", [new { field = "tag", op = "eq", value = "vip" }, new { field = "country", op = "eq", value = "FR" }]),
        ("all", [new { field = "totalSpent", op = "gt", value = 100 }, new { field = "acceptsEmail", op = "eq", value = true }]),
    ];

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Every_field_and_op_selects_the_customers_a_reference_evaluation_in_csharp_selects(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await SeedAsync(store);
        var now = await CustomerRfmTests.ScoreAsync(store);
        var facts = await FactsAsync(store, now);
        Assert.Equal(7, facts.Count);

        var failures = new List<string>();
        var nonEmpty = 0;
        for (var i = 0; i < Cases.Length; i++)
        {
            var (match, rules) = Cases[i];
            var created = await store.Client.PostJson("/api/v1/segments", new { name = $"Case {i}", match, rules }).Expect(HttpStatusCode.Created);
            var members = await store.Client.GetAsync($"/api/v1/segments/{created["id"].Str()}/customers?limit=100").Expect(HttpStatusCode.OK);
            var actual = members["items"]!.AsArray().Select(c => c!["email"].Str()).Order(StringComparer.Ordinal).ToList();
            var parsed = JsonSerializer.SerializeToNode(rules)!.AsArray();
            var expected = facts.Where(f => match == "any" ? parsed.Any(r => Holds(f, r!)) : parsed.All(r => Holds(f, r!)))
                .Select(f => f.Email).Order(StringComparer.Ordinal).ToList();
            nonEmpty += expected.Count is > 0 and < 7 ? 1 : 0;
            if (!actual.SequenceEqual(expected) || created["count"].Int() != expected.Count)
            {
                failures.Add($"{i} {parsed.ToJsonString()}: got [{string.Join(", ", actual)}] count {created["count"].Int()}, expected [{string.Join(", ", expected)}]");
            }
        }

        Assert.Empty(failures);
        // The cases discriminate: most select some customers and not others.
        Assert.True(nonEmpty >= Cases.Length - 6, $"Only {nonEmpty} cases split the customers.");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_segment_reads_back_with_its_live_count_and_filters_the_customer_list(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await SeedAsync(store);
        var created = await store.Client.PostJson("/api/v1/segments", new { name = "VIPs", match = "all", rules = new[] { new { field = "tag", op = "eq", value = "vip" } } })
            .Expect(HttpStatusCode.Created);
        Assert.Equal(3, created["count"].Int());
        var id = created["id"].Str();

        await store.Client.PatchJson($"/api/v1/customers/{await IdAsync(store, "eve@example.com")}", new { tags = new[] { "vip" } }).Expect(HttpStatusCode.OK);
        var read = await store.Client.GetAsync($"/api/v1/segments/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal((4, "VIPs", "all", "tag", "eq", "vip"),
            (read["count"].Int(), read["name"].Str(), read["match"].Str(), read["rules"]![0]!["field"].Str(), read["rules"]![0]!["op"].Str(), read["rules"]![0]!["value"].Str()));
        var listed = await store.Client.GetAsync($"/api/v1/customers?segment={id}&q=e%40").Expect(HttpStatusCode.OK);
        Assert.Equal(["eve@example.com", "dee@example.com"], listed["items"]!.AsArray().Select(c => c!["email"].Str()));
        var page1 = await store.Client.GetAsync($"/api/v1/segments/{id}/customers?limit=3").Expect(HttpStatusCode.OK);
        var page2 = await store.Client.GetAsync($"/api/v1/segments/{id}/customers?limit=3&cursor={page1["nextCursor"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(4, page1["items"]!.AsArray().Concat(page2["items"]!.AsArray()).Select(c => c!["email"].Str()).Distinct().Count());
        Assert.Null(page2["nextCursor"]);
        var all = await store.Client.GetAsync("/api/v1/segments").Expect(HttpStatusCode.OK);
        Assert.Equal((id, 4), (all["items"]![0]!["id"].Str(), all["items"]![0]!["count"].Int()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_rules_are_400_problems_naming_the_rules_index_and_nothing_is_saved(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var bad = await store.Client.PostJson("/api/v1/segments", new
        {
            name = "Bad",
            match = "all",
            rules = new object[]
            {
                new { field = "totalSpent", op = "contains", value = 10 },
                new { field = "ordersCount", op = "gt", value = "three" },
                new { field = "favouriteColour", op = "eq", value = "red" },
                new { field = "rfmSegment", op = "eq", value = "royalty" },
                new { field = "acceptsEmail", op = "eq", value = "yes" },
                new { field = "tag", op = "in", value = "vip" },
                new { field = "totalSpent", op = "gt", value = 10.001 },
            },
        }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(
            ["rules[0].op", "rules[1].value", "rules[2].field", "rules[3].value", "rules[4].value", "rules[5].value", "rules[6].value"],
            bad["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        await store.Client.PostJson("/api/v1/segments", new { name = "None", match = "some", rules = Array.Empty<object>() })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await store.Client.PostJson("/api/v1/segments", new { name = "Twice", rules = new[] { new { field = "ordersCount", op = "gt", value = 1 } } }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/segments", new { name = "Twice", rules = new[] { new { field = "ordersCount", op = "gt", value = 2 } } })
            .ExpectProblem(HttpStatusCode.Conflict, "segment_exists");
        await store.Client.GetAsync($"/api/v1/segments/{Guid.NewGuid()}").ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await store.Client.GetAsync($"/api/v1/customers?segment={Guid.NewGuid()}").ExpectProblem(HttpStatusCode.NotFound, "not_found");

        var support = await store.ClientForAsync(Role.Support);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.GetAsync("/api/v1/segments")).StatusCode);
        var marketing = await store.ClientForAsync(Role.Marketing);
        await marketing.PostJson("/api/v1/segments", new { name = "Marketing's", rules = new[] { new { field = "acceptsEmail", op = "eq", value = true } } }).Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        Assert.Equal(["Marketing's", "Twice"], await db.Set<Storekeep.Segments.Segment>().Select(s => s.Name).OrderBy(n => n).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_demo_store_starts_with_tagged_customers_and_segments_that_have_members(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: new Dictionary<string, string?> { ["Seed:Demo"] = "true" });
        var segments = await store.Client.GetAsync("/api/v1/segments").Expect(HttpStatusCode.OK);
        var counts = segments["items"]!.AsArray().ToDictionary(s => s!["name"].Str(), s => s!["count"].Int());
        Assert.Equal(["Champions", "Lapsed big spenders", "VIPs to email"], counts.Keys.Order(StringComparer.Ordinal));
        Assert.All(counts, c => Assert.True(c.Value > 0, $"{c.Key} has no members"));
        var vips = await store.Client.GetAsync("/api/v1/customers?tag=vip&limit=1").Expect(HttpStatusCode.OK);
        Assert.Single(vips["items"]!.AsArray());
    }

    private static async Task SeedAsync(TestStore store)
    {
        await store.Client.PutJson("/api/v1/loyalty/program", new
        {
            enabled = true,
            pointsPerUnit = 1,
            pointValue = 0.01m,
            minimumRedeemPoints = 0,
            tiers = new[] { new { name = "Silver", minimumSpend12Months = 100m, multiplier = 1m }, new { name = "Gold", minimumSpend12Months = 500m, multiplier = 2m } },
        }).Expect(HttpStatusCode.OK);
        foreach (var profile in Profiles)
        {
            await store.Client.PostJson("/api/v1/customers", profile).Expect(HttpStatusCode.Created);
        }

        var csv = new StringBuilder("Order,Date,Email,SKU,Category,Qty,Total\n");
        var today = DateTime.UtcNow.Date;
        var number = 0;
        foreach (var (email, daysAgo, lines) in Orders)
        {
            number++;
            foreach (var (sku, category, total) in lines)
            {
                csv.Append(CultureInfo.InvariantCulture, $"SEG-{number},{today.AddDays(-daysAgo):yyyy-MM-dd},{email},{sku},{category},1,{total.ToString("0.00", CultureInfo.InvariantCulture)}\n");
            }
        }

        var body = new JsonObject
        {
            ["csv"] = csv.ToString(),
            ["map"] = new JsonObject
            {
                ["columns"] = new JsonObject
                {
                    ["orderNumber"] = "Order", ["placedAt"] = "Date", ["customerEmail"] = "Email", ["sku"] = "SKU", ["category"] = "Category", ["quantity"] = "Qty", ["lineTotal"] = "Total",
                },
            },
        };
        await store.Client.PostJson("/api/v1/orders/import", body).Expect(HttpStatusCode.OK);
    }

    private sealed record Facts(
        string Email, string? Country, string? Company, bool AcceptsEmail, bool AcceptsSms, HashSet<string> Tags,
        int OrdersCount, int LiveOrders, long SpentMinor, DateTime? FirstAt, DateTime? LastAt,
        HashSet<string> Skus, HashSet<string> Categories, string? RfmSegment, string? Tier);

    /// <summary>Each customer's facts from the raw rows, computed in C# without the service's query.</summary>
    private static async Task<List<Facts>> FactsAsync(TestStore store, DateTime now)
    {
        var rfm = await CustomerRfmTests.ReferenceAsync(store, now, windowDays: 365);
        await using var db = store.Db();
        var customers = await db.Customers.AsNoTracking().ToListAsync();
        var tags = await db.Set<CustomerTag>().AsNoTracking().ToListAsync();
        var orders = await db.Orders.AsNoTracking().ToListAsync();
        var lines = await db.OrderLines.AsNoTracking().ToListAsync();
        var variants = await db.Variants.AsNoTracking().ToDictionaryAsync(v => v.Id, v => v.ProductId);
        var products = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.CategoryId);
        var categories = await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Id, c => new[] { c.Name.ToLowerInvariant(), c.Slug.ToLowerInvariant() });
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Status == Storekeep.Payments.RefundStatus.Succeeded).ToListAsync();
        var payments = await db.Payments.AsNoTracking().ToListAsync();
        return [.. customers.Select(c =>
        {
            var mine = orders.Where(o => o.Email == c.Email).ToList();
            var live = mine.Where(o => o.Status != OrderStatus.Cancelled).ToList();
            var spent = live.Sum(o => o.Total) - refunds.Where(r => live.Any(o => o.Id == r.OrderId)).Sum(r => r.Amount);
            var bought = lines.Where(l => live.Any(o => o.Id == l.OrderId)).ToList();
            var loyaltyOrders = orders.Where(o => o.CustomerId == c.Id && o.Status != OrderStatus.Cancelled && o.CreatedAt >= now.AddDays(-365)
                && o.PaymentStatus is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded).ToList();
            var loyaltySpend = loyaltyOrders.Sum(o => o.Total) - payments.Where(p => loyaltyOrders.Any(o => o.Id == p.OrderId)).Sum(p => p.RefundedAmount);
            var tier = loyaltySpend >= 500m ? "Gold" : loyaltySpend >= 100m ? "Silver" : null;
            return new Facts(
                c.Email, c.Country, c.Company, c.AcceptsEmail, c.AcceptsSms, [.. tags.Where(t => t.CustomerId == c.Id).Select(t => t.Tag)],
                mine.Count, live.Count, (long)(spent * 100), mine.Count == 0 ? null : mine.Min(o => o.CreatedAt), mine.Count == 0 ? null : mine.Max(o => o.CreatedAt),
                [.. bought.Select(l => l.Sku)],
                [.. bought.Select(l => products[variants[l.VariantId]]).OfType<Guid>().SelectMany(id => categories[id])],
                rfm.TryGetValue(c.Email, out var r) ? r.Segment : null,
                tier);
        })];
    }

    /// <summary>One rule, evaluated in C# the way docs/crm.md defines it.</summary>
    private static bool Holds(Facts f, JsonNode rule)
    {
        var field = rule["field"].Str();
        var op = rule["op"].Str();
        var value = rule["value"]!;
        var values = op == "in" ? value.AsArray().Select(v => v!).ToList() : [value];
        var now = DateTime.UtcNow;

        // A missing figure (no orders, no average) matches no numeric rule, not even ne.
        bool Number(decimal? actual) => actual is { } a && values.Any(v => Cmp(a, op == "in" ? "eq" : op, v.GetValue<decimal>()));

        bool Text(string? actual, StringComparer cmp) => op switch
        {
            "eq" => cmp.Equals(actual, value.Str()),
            "ne" => !cmp.Equals(actual, value.Str()),
            "in" => values.Any(v => cmp.Equals(actual, v.Str())),
            _ => actual is not null && actual.Contains(value.Str(), StringComparison.OrdinalIgnoreCase),
        };

        // Many-valued fields: ne means none of them equals the value; the other ops, any of them matches.
        bool Set(IEnumerable<string> actual, StringComparer cmp) => op == "ne"
            ? !actual.Any(a => cmp.Equals(a, value.Str()))
            : actual.Any(a => Text(a, cmp));

        decimal? DaysAgo(DateTime? t) => t is { } v ? (int)Math.Floor((now - DateTime.SpecifyKind(v, DateTimeKind.Utc)).TotalDays) : null;
        var exact = StringComparer.Ordinal;
        var anyCase = StringComparer.OrdinalIgnoreCase;
        return field switch
        {
            "totalSpent" => Number(f.SpentMinor / 100m),
            "ordersCount" => Number(f.OrdersCount),
            "averageOrderValue" => Number(f.LiveOrders > 0 ? f.SpentMinor / 100m / f.LiveOrders : null),
            "lastOrderDaysAgo" => Number(DaysAgo(f.LastAt)),
            "firstOrderDaysAgo" => Number(DaysAgo(f.FirstAt)),
            "country" => Text(f.Country, anyCase),
            "company" => Text(f.Company, exact),
            "acceptsEmail" => (f.AcceptsEmail == value.GetValue<bool>()) == (op == "eq"),
            "acceptsSms" => (f.AcceptsSms == value.GetValue<bool>()) == (op == "eq"),
            "tag" => Set(f.Tags, anyCase),
            "purchasedSku" => Set(f.Skus, exact),
            "purchasedCategory" => Set(f.Categories, anyCase),
            "rfmSegment" => op == "ne" ? f.RfmSegment != value.Str() : f.RfmSegment is not null && Text(f.RfmSegment, exact),
            "loyaltyTier" => op == "ne" ? !anyCase.Equals(f.Tier, value.Str()) : f.Tier is not null && Text(f.Tier, anyCase),
            _ => throw new InvalidOperationException(field),
        };
    }

    private static bool Cmp(decimal a, string op, decimal b) => op switch
    {
        "eq" => a == b,
        "ne" => a != b,
        "gt" => a > b,
        "gte" => a >= b,
        "lt" => a < b,
        _ => a <= b,
    };

    private static async Task<Guid> IdAsync(TestStore store, string email)
    {
        await using var db = store.Db();
        return await db.Customers.Where(c => c.Email == email).Select(c => c.Id).SingleAsync();
    }
}

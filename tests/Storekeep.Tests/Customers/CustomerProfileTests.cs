using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Customers;

public sealed class CustomerProfileTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_created_customer_carries_tags_note_and_consent_and_a_patch_changes_only_what_it_names(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var created = await store.Client.PostJson("/api/v1/customers", new
        {
            email = "Lin@Example.com",
            firstName = "Lin",
            lastName = "Chen",
            phone = "+44 20 7946 0000",
            company = "Chen & Co",
            country = "gb",
            tags = new[] { "VIP", "wholesale", "vip" },
            note = "Prefers phone calls.",
            consent = new { email = new { accepted = true, source = "trade show" } },
        }).Expect(HttpStatusCode.Created);
        var id = created["id"].Str();
        Assert.Equal(("lin@example.com", "GB", "Chen & Co"), (created["email"].Str(), created["country"].Str(), created["company"].Str()));
        Assert.Equal(["vip", "wholesale"], created["tags"]!.AsArray().Select(t => t.Str()));
        Assert.Equal((true, "trade show"), (created["consent"]!["email"]!["accepted"]!.GetValue<bool>(), created["consent"]!["email"]!["source"].Str()));
        Assert.NotNull(created["consent"]!["email"]!["at"]);
        Assert.Equal((false, null), (created["consent"]!["sms"]!["accepted"]!.GetValue<bool>(), created["consent"]!["sms"]!["at"]));
        Assert.Null(created["rfm"]);
        Assert.Equal(0, created["loyalty"]!["points"].Int());
        Assert.Null(created["acquisition"]!["firstTouch"]);
        Assert.Equal(0, created["stats"]!["ordersCount"].Int());

        var patched = await store.Client.PatchJson($"/api/v1/customers/{id}", new
        {
            tags = new[] { "wholesale", "reseller" },
            note = "",
            consent = new { sms = new { accepted = true }, email = new { accepted = false, source = "unsubscribe link" } },
        }).Expect(HttpStatusCode.OK);
        Assert.Equal(["reseller", "wholesale"], patched["tags"]!.AsArray().Select(t => t.Str()));
        Assert.Null(patched["note"]);
        Assert.Equal(("Lin", "+44 20 7946 0000"), (patched["firstName"].Str(), patched["phone"].Str()));
        Assert.Equal((false, "unsubscribe link"), (patched["consent"]!["email"]!["accepted"]!.GetValue<bool>(), patched["consent"]!["email"]!["source"].Str()));
        Assert.Equal((true, "staff"), (patched["consent"]!["sms"]!["accepted"]!.GetValue<bool>(), patched["consent"]!["sms"]!["source"].Str()));

        await using (var db = store.Db())
        {
            Assert.Equal(["reseller", "wholesale"], await db.Set<CustomerTag>().Where(t => t.CustomerId == Guid.Parse(id)).Select(t => t.Tag).OrderBy(t => t).ToListAsync());
            var row = await db.Customers.SingleAsync(c => c.Id == Guid.Parse(id));
            Assert.Equal((false, true, null), (row.AcceptsEmail, row.AcceptsSms, row.Note));
        }

        var byEmail = await store.Client.GetAsync("/api/v1/customers/lin@example.com").Expect(HttpStatusCode.OK);
        Assert.Equal(id, byEmail["id"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Customers_are_filtered_by_tag_and_listed_with_their_profile(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.Client.PostJson("/api/v1/customers", new { email = "a@example.com", tags = new[] { "vip" } }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/customers", new { email = "b@example.com", tags = new[] { "vipish" } }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/customers", new { email = "c@example.com", tags = new[] { "VIP", "press" } }).Expect(HttpStatusCode.Created);

        var vip = await store.Client.GetAsync("/api/v1/customers?tag=Vip").Expect(HttpStatusCode.OK);
        Assert.Equal(["c@example.com", "a@example.com"], vip["items"]!.AsArray().Select(c => c!["email"].Str()));
        Assert.Equal(["press", "vip"], vip["items"]![0]!["tags"]!.AsArray().Select(t => t.Str()));
        Assert.Equal(0m, vip["items"]![0]!["stats"]!["totalSpent"].Dec());
        var none = await store.Client.GetAsync("/api/v1/customers?tag=nobody&q=a").Expect(HttpStatusCode.OK);
        Assert.Empty(none["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bad_profile_requests_are_problems_naming_the_field_and_write_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var bad = await store.Client.PostJson("/api/v1/customers", new
        {
            email = "not-an-email",
            tags = new[] { "ok", new string('t', 51), " " },
            phone = "call me",
            country = "GBR",
            consent = new { sms = new { source = "x" } },
        }).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = bad["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["consent.sms.accepted", "country", "email", "phone", "tags[1]", "tags[2]"], errors);

        await store.Client.PostJson("/api/v1/customers", new { email = "dup@example.com" }).Expect(HttpStatusCode.Created);
        await store.Client.PostJson("/api/v1/customers", new { email = "DUP@example.com" }).ExpectProblem(HttpStatusCode.Conflict, "customer_exists");
        await store.Client.PatchJson($"/api/v1/customers/{Guid.NewGuid()}", new { note = "x" }).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        var tooMany = await store.Client.PatchJson($"/api/v1/customers/{await IdAsync(store, "dup@example.com")}", new { note = new string('n', Customer.NoteMaxLength + 1) })
            .ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(tooMany["errors"]!["note"]);

        await using var db = store.Db();
        Assert.Equal(1, await db.Customers.CountAsync());
        Assert.Null((await db.Customers.SingleAsync()).Note);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Creating_a_customer_is_idempotent_and_only_staff_who_may_write_can(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var first = await store.Client.PostJson("/api/v1/customers", new { email = "once@example.com" }, idempotencyKey: "create-once").Expect(HttpStatusCode.Created);
        var again = await store.Client.PostJson("/api/v1/customers", new { email = "once@example.com" }, idempotencyKey: "create-once").Expect(HttpStatusCode.Created);
        Assert.Equal(first["id"].Str(), again["id"].Str());

        var sales = await store.ClientForAsync(Role.Sales);
        Assert.Equal(HttpStatusCode.Forbidden, (await sales.PostJson("/api/v1/customers", new { email = "s@example.com" })).StatusCode);
        var support = await store.ClientForAsync(Role.Support);
        await support.PatchJson($"/api/v1/customers/{first["id"].Str()}", new { note = "Called about a late parcel." }).Expect(HttpStatusCode.OK);
        var marketing = await store.ClientForAsync(Role.Marketing);
        await marketing.PostJson("/api/v1/customers", new { email = "m@example.com", tags = new[] { "newsletter" } }).Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        Assert.Equal(2, await db.Customers.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_timeline_holds_orders_loyalty_entries_and_the_note_newest_first_a_page_at_a_time(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await CustomerRfmTests.ImportAsync(store, [("tl@example.com", [(30, 10m), (20, 20m)])]);
        var id = await IdAsync(store, "tl@example.com");
        await store.Client.PostJson($"/api/v1/customers/{id}/loyalty/adjustments", new { points = 50, reason = "Goodwill" }).Expect(HttpStatusCode.Created);
        await store.Client.PatchJson($"/api/v1/customers/{id}", new { note = "Asked for a catalogue." }).Expect(HttpStatusCode.OK);

        var all = await store.Client.GetAsync($"/api/v1/customers/{id}/timeline").Expect(HttpStatusCode.OK);
        var items = all["items"]!.AsArray();
        Assert.Equal(["note", "loyalty", "order", "order"], items.Select(i => i!["type"].Str()));
        Assert.Equal(("Asked for a catalogue.", 50, 20m), (items[0]!["summary"].Str(), items[1]!["points"].Int(), items[2]!["amount"].Dec()));
        var times = items.Select(i => i!["at"]!.GetValue<DateTime>()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var page1 = await store.Client.GetAsync($"/api/v1/customers/{id}/timeline?limit=3").Expect(HttpStatusCode.OK);
        var page2 = await store.Client.GetAsync($"/api/v1/customers/{id}/timeline?limit=3&cursor={page1["nextCursor"].Str()}").Expect(HttpStatusCode.OK);
        Assert.Equal(
            items.Select(i => i!["id"].Str() + i["type"].Str()),
            page1["items"]!.AsArray().Concat(page2["items"]!.AsArray()).Select(i => i!["id"].Str() + i["type"].Str()));
        Assert.Null(page2["nextCursor"]);
        await store.Client.GetAsync($"/api/v1/customers/{id}/timeline?cursor=bm90LW91cnM").ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await store.Client.GetAsync($"/api/v1/customers/{Guid.NewGuid()}/timeline").ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }

    private static async Task<Guid> IdAsync(TestStore store, string email)
    {
        await using var db = store.Db();
        return await db.Customers.Where(c => c.Email == email).Select(c => c.Id).SingleAsync();
    }
}

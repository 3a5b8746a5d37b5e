using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Store;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.CatalogTestData;

namespace Storekeep.Tests.Catalog;

public sealed class ProductApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Public_catalog_reads_are_cached_but_show_a_change_as_soon_as_it_commits(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var product = await (await store.Client.PostJson("/api/v1/products", new
        {
            title = "Cached Kettle",
            status = "active",
            variants = new object[] { new { sku = "KETTLE-C", price = 20m } },
        })).Expect(HttpStatusCode.Created);
        var id = product["id"].Str();

        // The same anonymous read twice: the second is answered from the output cache.
        var first = await store.Anonymous.GetAsync("/api/v1/products?limit=5");
        var second = await store.Anonymous.GetAsync("/api/v1/products?limit=5");
        Assert.Equal(20m, (await first.Expect(HttpStatusCode.OK))["items"]![0]!["variants"]![0]!["price"].Dec());
        Assert.Equal(20m, (await second.Expect(HttpStatusCode.OK))["items"]![0]!["variants"]![0]!["price"].Dec());
        Assert.True(second.Headers.Age is not null, "the repeated anonymous read should come from the output cache (Age header)");

        // A price change commits: the next anonymous reads show it, list and single product alike.
        await (await store.Client.PatchJson($"/api/v1/products/{id}", new { variants = new object[] { new { sku = "KETTLE-C", price = 25m } } })).Expect(HttpStatusCode.OK);
        var listed = await (await store.Anonymous.GetAsync("/api/v1/products?limit=5")).Expect(HttpStatusCode.OK);
        var single = await (await store.Anonymous.GetAsync($"/api/v1/products/{id}")).Expect(HttpStatusCode.OK);
        Assert.Equal(25m, listed["items"]![0]!["variants"]![0]!["price"].Dec());
        Assert.Equal(25m, single["variants"]![0]!["price"].Dec());

        // Staff (an API key) are never served the public copy: they see drafts the public does not.
        await (await store.Client.PostJson("/api/v1/products", new
        {
            title = "Draft Kettle",
            status = "draft",
            variants = new object[] { new { sku = "KETTLE-D", price = 30m } },
        })).Expect(HttpStatusCode.Created);
        var staffList = await (await store.Client.GetAsync("/api/v1/products?limit=5")).Expect(HttpStatusCode.OK);
        var publicList = await (await store.Anonymous.GetAsync("/api/v1/products?limit=5")).Expect(HttpStatusCode.OK);
        Assert.Contains("KETTLE-D", staffList["items"]!.AsArray().SelectMany(p => p!["variants"]!.AsArray()).Select(v => v!["sku"].Str()));
        Assert.DoesNotContain("KETTLE-D", publicList["items"]!.AsArray().SelectMany(p => p!["variants"]!.AsArray()).Select(v => v!["sku"].Str()));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Creating_a_product_returns_it_with_generated_slug_and_location_and_writes_an_event(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var response = await store.Client.PostJson("/api/v1/products", new
        {
            title = "Crème Brûlée Torch — Pro",
            description = "Caramelises sugar.",
            status = "active",
            variants = new object[]
            {
                new { sku = "TORCH-PRO", title = "Black", price = 39.99m, compareAtPrice = 49.99m, cost = 12.5m, weightGrams = 450, barcode = "4006381333931" },
                new { sku = "TORCH-PRO-RED", price = 41m },
            },
        });
        var product = await response.Expect(HttpStatusCode.Created);

        Assert.Equal("creme-brulee-torch-pro", product["slug"].Str());
        Assert.Equal("USD", product["currency"].Str());
        Assert.Equal("active", product["status"].Str());
        Assert.Equal($"/api/v1/products/{product["id"].Str()}", response.Headers.Location?.ToString());
        var variants = product["variants"]!.AsArray();
        Assert.Equal(["TORCH-PRO", "TORCH-PRO-RED"], variants.Select(v => v!["sku"].Str()));
        Assert.Equal(39.99m, variants[0]!["price"].Dec());
        Assert.Equal(49.99m, variants[0]!["compareAtPrice"].Dec());
        Assert.Equal(12.5m, variants[0]!["cost"].Dec());
        Assert.Equal(450, variants[0]!["weightGrams"].Int());
        Assert.False(string.IsNullOrEmpty(variants[0]!["id"].Str()));

        var byId = await (await store.Anonymous.GetAsync($"/api/v1/products/{product["id"].Str()}")).Expect(HttpStatusCode.OK);
        var bySlug = await (await store.Anonymous.GetAsync("/api/v1/products/creme-brulee-torch-pro")).Expect(HttpStatusCode.OK);
        Assert.Equal(product["id"].Str(), byId["id"].Str());
        Assert.Equal(product["id"].Str(), bySlug["id"].Str());
        Assert.Null(byId["variants"]![0]!["cost"]); // cost is for the back office only

        await using var db = store.Db();
        var stored = await db.Products.Include(p => p.Variants).SingleAsync();
        Assert.Contains("torch-pro-red", stored.SearchText, StringComparison.Ordinal);
        Assert.Contains("4006381333931", stored.SearchText, StringComparison.Ordinal);
        Assert.Equal(39.99m, stored.Variants.Single(v => v.Sku == "TORCH-PRO").Price);
        Assert.Single(await db.OutboxEvents.Where(e => e.Type == EventTypes.ProductCreated).ToListAsync());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Currency_comes_from_the_store_settings(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            db.StoreSettings.Add(new StoreSettings { Currency = "EUR" });
            await db.SaveChangesAsync();
        }

        var product = await CreateProductAsync(store.Client, "Mug", "MUG-1");

        Assert.Equal("EUR", product["currency"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Generated_slugs_are_made_unique_and_a_taken_explicit_slug_or_sku_is_409(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        Assert.Equal("blue-mug", (await CreateProductAsync(store.Client, "Blue Mug", "MUG-B1"))["slug"].Str());
        Assert.Equal("blue-mug-2", (await CreateProductAsync(store.Client, "Blue  mug!", "MUG-B2"))["slug"].Str());
        Assert.Equal("blue-mug-3", (await CreateProductAsync(store.Client, "BLUE MUG", "MUG-B3"))["slug"].Str());
        var before = await FingerprintAsync(store);

        var slugTaken = await store.Client.PostJson("/api/v1/products", new { title = "Other", slug = "blue-mug", status = "active", variants = new[] { new { sku = "OTHER-1", price = 1m } } });
        await slugTaken.ExpectProblem(HttpStatusCode.Conflict, "slug_taken");
        var skuTaken = await store.Client.PostJson("/api/v1/products", new { title = "Other", status = "active", variants = new[] { new { sku = "OTHER-2", price = 1m }, new { sku = "MUG-B2", price = 1m } } });
        var problem = await skuTaken.ExpectProblem(HttpStatusCode.Conflict, "sku_taken");
        Assert.Equal("MUG-B2", problem["sku"].Str());

        Assert.Equal(before, await FingerprintAsync(store));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Anonymous_callers_never_see_drafts_while_catalog_writers_can_filter_by_status(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var live = await CreateProductAsync(store.Client, "Live", "LIVE-1");
        var draft = await CreateProductAsync(store.Client, "Secret", "DRAFT-1", status: "draft");

        await (await store.Anonymous.GetAsync($"/api/v1/products/{draft["id"].Str()}")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        await (await store.Anonymous.GetAsync("/api/v1/products/secret")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
        var anonymousList = await (await store.Anonymous.GetAsync("/api/v1/products")).Expect(HttpStatusCode.OK);
        Assert.Equal([live["id"].Str()], Ids(anonymousList));
        var anonymousDrafts = await (await store.Anonymous.GetAsync("/api/v1/products?status=draft")).Expect(HttpStatusCode.OK);
        Assert.Empty(Ids(anonymousDrafts));
        var anonymousSearch = await (await store.Anonymous.GetAsync("/api/v1/products?q=secret")).Expect(HttpStatusCode.OK);
        Assert.Empty(Ids(anonymousSearch));

        var marketing = await store.ClientForAsync(Role.Marketing);
        await (await marketing.GetAsync($"/api/v1/products/{draft["id"].Str()}")).Expect(HttpStatusCode.OK);
        var drafts = await (await marketing.GetAsync("/api/v1/products?status=draft")).Expect(HttpStatusCode.OK);
        Assert.Equal([draft["id"].Str()], Ids(drafts));
        var all = await (await store.Client.GetAsync("/api/v1/products")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, Ids(all).Count);

        // A key without catalog.write is a member of the public here.
        var support = await store.ClientForAsync(Role.Support);
        await (await support.GetAsync($"/api/v1/products/{draft["id"].Str()}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Products_page_newest_first_without_gaps_or_repeats(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var created = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            created.Add((await CreateProductAsync(store.Client, $"Item {i}", $"ITEM-{i}"))["id"].Str());
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = "/api/v1/products?limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await (await store.Anonymous.GetAsync(url)).Expect(HttpStatusCode.OK);
            seen.AddRange(Ids(page));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
        await (await store.Anonymous.GetAsync("/api/v1/products?cursor=***")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await store.Anonymous.GetAsync("/api/v1/products?limit=0")).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        await (await store.Anonymous.GetAsync("/api/v1/products?limit=abc")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Search_matches_title_description_sku_and_barcode_case_insensitively(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await (await store.Client.PostJson("/api/v1/categories", new { name = "Kitchen" })).Expect(HttpStatusCode.Created);
        var kettle = await CreateProductAsync(store.Client, "Whistling Kettle", "KET-100", category: "kitchen", description: "Stainless steel, 2 litres", barcode: "5012345678900");
        var lamp = await CreateProductAsync(store.Client, "Desk Lamp", "LAMP-7", description: "Warm LED light");

        async Task<List<string>> Search(string query) =>
            Ids(await (await store.Anonymous.GetAsync($"/api/v1/products?{query}")).Expect(HttpStatusCode.OK));

        Assert.Equal([kettle["id"].Str()], await Search("q=WHISTLING"));
        Assert.Equal([kettle["id"].Str()], await Search("q=stainless%20STEEL"));
        Assert.Equal([kettle["id"].Str()], await Search("q=ket-1"));
        Assert.Equal([kettle["id"].Str()], await Search("q=5012345"));
        Assert.Equal([lamp["id"].Str()], await Search("q=led"));
        Assert.Empty(await Search("q=toaster"));
        Assert.Equal([kettle["id"].Str()], await Search("category=kitchen"));
        Assert.Equal([kettle["id"].Str()], await Search($"category={kettle["category"]!["id"].Str()}&q=kettle"));
        Assert.Empty(await Search("category=kitchen&q=lamp"));
        Assert.Empty(await Search("category=no-such-category"));
        Assert.Empty(await Search("q=%25")); // a LIKE wildcard is matched literally
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Patching_changes_fields_updates_variants_by_sku_and_adds_new_ones(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await (await store.Client.PostJson("/api/v1/categories", new { name = "Lighting", slug = "lighting" })).Expect(HttpStatusCode.Created);
        var created = await CreateProductAsync(store.Client, "Lamp", "LAMP-1", price: 20m, status: "draft");
        var id = created["id"].Str();

        var patched = await (await store.Client.PatchJson($"/api/v1/products/{id}", new
        {
            title = "Desk Lamp",
            slug = "desk-lamp",
            description = "Bright",
            category = "lighting",
            status = "active",
            variants = new object[] { new { sku = "LAMP-1", price = 25.5m }, new { sku = "LAMP-2", title = "Large", price = 30m } },
        })).Expect(HttpStatusCode.OK);

        Assert.Equal("Desk Lamp", patched["title"].Str());
        Assert.Equal("desk-lamp", patched["slug"].Str());
        Assert.Equal("active", patched["status"].Str());
        Assert.Equal("lighting", patched["category"]!["slug"].Str());
        Assert.Equal([("LAMP-1", 25.5m), ("LAMP-2", 30m)], patched["variants"]!.AsArray().Select(v => (v!["sku"].Str(), v["price"].Dec())));
        Assert.Equal(created["variants"]![0]!["id"].Str(), patched["variants"]![0]!["id"].Str());
        Assert.True(patched["updatedAt"]!.GetValue<DateTime>() >= created["updatedAt"]!.GetValue<DateTime>());

        var found = await (await store.Anonymous.GetAsync("/api/v1/products?q=lamp-2")).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(found));

        var cleared = await (await store.Client.PatchJson($"/api/v1/products/{id}", new { category = "", description = "" })).Expect(HttpStatusCode.OK);
        Assert.Null(cleared["category"]);
        Assert.Null(cleared["description"]);
        Assert.Equal("Desk Lamp", cleared["title"].Str());

        await using var db = store.Db();
        Assert.Equal(2, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.ProductUpdated));
        Assert.Equal(2, await db.Variants.CountAsync());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Archived_products_disappear_from_the_public_api(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var product = await CreateProductAsync(store.Client, "Old Thing", "OLD-1");
        var id = product["id"].Str();

        var archived = await (await store.Client.PostAsync($"/api/v1/products/{id}/archive", null)).Expect(HttpStatusCode.OK);
        Assert.Equal("archived", archived["status"].Str());
        await (await store.Client.PostAsync($"/api/v1/products/{id}/archive", null)).Expect(HttpStatusCode.OK);

        await (await store.Anonymous.GetAsync($"/api/v1/products/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty(Ids(await (await store.Anonymous.GetAsync("/api/v1/products")).Expect(HttpStatusCode.OK)));
        var listed = await (await store.Client.GetAsync("/api/v1/products?status=archived")).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Ids(listed));
        await (await store.Client.PostAsync($"/api/v1/products/{Guid.NewGuid()}/archive", null)).ExpectProblem(HttpStatusCode.NotFound);

        await using var db = store.Db();
        Assert.Equal(1, await db.OutboxEvents.CountAsync(e => e.Type == EventTypes.ProductUpdated));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Catalog_writes_need_a_key_with_catalog_write(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var product = await CreateProductAsync(store.Client, "Thing", "THING-1");
        var body = new { title = "X", status = "active", variants = new[] { new { sku = "X-1", price = 1m } } };
        var support = await store.ClientForAsync(Role.Support);
        var before = await FingerprintAsync(store);

        await (await store.Anonymous.PostJson("/api/v1/products", body)).ExpectProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await support.PostJson("/api/v1/products", body)).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await support.PatchJson($"/api/v1/products/{product["id"].Str()}", new { title = "Y" })).ExpectProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await store.Anonymous.PostAsync($"/api/v1/products/{product["id"].Str()}/archive", null)).ExpectProblem(HttpStatusCode.Unauthorized);
        await (await support.PostJson("/api/v1/categories", new { name = "Nope" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await store.Anonymous.PostJson("/api/v1/categories", new { name = "Nope" })).ExpectProblem(HttpStatusCode.Unauthorized);

        Assert.Equal(before, await FingerprintAsync(store));
        var marketing = await store.ClientForAsync(Role.Marketing);
        await (await marketing.PostJson("/api/v1/products", body)).Expect(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Malformed_or_invalid_product_creations_are_4xx_problems_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await CreateProductAsync(store.Client, "Existing", "EXISTING-1");
        var client = store.Client;
        const string url = "/api/v1/products";
        object Product(object variant, string title = "Ok", string status = "active", string? slug = null, string? category = null, string? description = null) =>
            new { title, slug, category, description, status, variants = new[] { variant } };

        await ExpectAllRejectedAsync(store,
        [
            ("malformed json", () => client.PostRaw(url, "{\"title\": \"x\", ")),
            ("not an object", () => client.PostRaw(url, "[1,2]")),
            ("null body", () => client.PostRaw(url, "null")),
            ("empty body", () => client.PostRaw(url, "")),
            ("wrong content type", () => client.PostRaw(url, "title=x", "text/plain")),
            ("title wrong type", () => client.PostRaw(url, """{"title": 5, "status": "active", "variants": [{"sku": "A-1", "price": 1}]}""")),
            ("price wrong type", () => client.PostRaw(url, """{"title": "x", "status": "active", "variants": [{"sku": "A-1", "price": true}]}""")),
            ("variants wrong type", () => client.PostRaw(url, """{"title": "x", "status": "active", "variants": {"sku": "A-1"}}""")),
            ("variant null", () => client.PostRaw(url, """{"title": "x", "status": "active", "variants": [null]}""")),
            ("price beyond decimal", () => client.PostRaw(url, """{"title": "x", "status": "active", "variants": [{"sku": "A-1", "price": 1e40}]}""")),
            ("weight beyond int", () => client.PostRaw(url, """{"title": "x", "status": "active", "variants": [{"sku": "A-1", "price": 1, "weightGrams": 99999999999999}]}""")),
            ("empty object", () => client.PostJson(url, new { })),
            ("no variants", () => client.PostJson(url, new { title = "x", status = "active", variants = Array.Empty<object>() })),
            ("missing status", () => client.PostJson(url, new { title = "x", variants = new[] { new { sku = "A-1", price = 1m } } })),
            ("archived status", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, status: "archived"))),
            ("unknown status", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, status: "published"))),
            ("blank title", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, title: "   "))),
            ("title too long", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, title: new string('t', 201)))),
            ("description too long", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, description: new string('d', 20001)))),
            ("bad slug", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, slug: "Not A Slug"))),
            ("guid slug", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, slug: Guid.NewGuid().ToString()))),
            ("unknown category", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, category: "nope"))),
            ("missing price", () => client.PostJson(url, Product(new { sku = "A-1" }))),
            ("negative price", () => client.PostJson(url, Product(new { sku = "A-1", price = -1m }))),
            ("price with three decimals", () => client.PostJson(url, Product(new { sku = "A-1", price = 1.234m }))),
            ("huge price", () => client.PostJson(url, Product(new { sku = "A-1", price = 99_999_999_999m }))),
            ("negative cost", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m, cost = -0.01m }))),
            ("negative weight", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m, weightGrams = -1 }))),
            ("missing sku", () => client.PostJson(url, Product(new { price = 1m }))),
            ("sku with spaces", () => client.PostJson(url, Product(new { sku = "A 1", price = 1m }))),
            ("sku too long", () => client.PostJson(url, Product(new { sku = new string('S', 65), price = 1m }))),
            ("barcode with spaces", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m, barcode = "12 34" }))),
            ("variant title too long", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m, title = new string('v', 201) }))),
            ("duplicate skus", () => client.PostJson(url, new { title = "x", status = "active", variants = new[] { new { sku = "A-1", price = 1m }, new { sku = "A-1", price = 2m } } })),
            ("sku taken", () => client.PostJson(url, Product(new { sku = "EXISTING-1", price = 1m }))),
            ("slug taken", () => client.PostJson(url, Product(new { sku = "A-1", price = 1m }, slug: "existing"))),
            ("too many variants", () => client.PostJson(url, new { title = "x", status = "active", variants = Enumerable.Range(0, 101).Select(i => new { sku = $"V-{i}", price = 1m }) })),
        ]);

        var problem = await (await client.PostJson(url, new { title = "", status = "active", variants = new[] { new { sku = "A 1", price = -1m } } })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["title"]);
        Assert.NotNull(problem["errors"]!["variants[0].sku"]);
        Assert.NotNull(problem["errors"]!["variants[0].price"]);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Malformed_or_invalid_product_patches_are_4xx_problems_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var product = await CreateProductAsync(store.Client, "Patch Me", "PATCH-1");
        await CreateProductAsync(store.Client, "Neighbour", "NEIGHBOUR-1");
        var client = store.Client;
        var url = $"/api/v1/products/{product["id"].Str()}";

        await ExpectAllRejectedAsync(store,
        [
            ("malformed json", () => client.SendRaw(HttpMethod.Patch, url, "{\"title\": ")),
            ("title wrong type", () => client.SendRaw(HttpMethod.Patch, url, """{"title": ["x"]}""")),
            ("price beyond decimal", () => client.SendRaw(HttpMethod.Patch, url, """{"variants": [{"sku": "PATCH-1", "price": 1e99}]}""")),
            ("blank title", () => client.PatchJson(url, new { title = "" })),
            ("title too long", () => client.PatchJson(url, new { title = new string('t', 5000) })),
            ("bad status", () => client.PatchJson(url, new { status = "gone" })),
            ("bad slug", () => client.PatchJson(url, new { slug = "UPPER" })),
            ("slug taken", () => client.PatchJson(url, new { slug = "neighbour" })),
            ("unknown category", () => client.PatchJson(url, new { category = Guid.NewGuid().ToString() })),
            ("negative price", () => client.PatchJson(url, new { variants = new[] { new { sku = "PATCH-1", price = -5m } } })),
            ("new sku without price", () => client.PatchJson(url, new { title = "Changed", variants = new[] { new { sku = "PATCH-2" } } })),
            ("sku of another product", () => client.PatchJson(url, new { title = "Changed", variants = new[] { new { sku = "NEIGHBOUR-1", price = 1m } } })),
            ("duplicate skus", () => client.PatchJson(url, new { variants = new[] { new { sku = "PATCH-1", price = 1m }, new { sku = "PATCH-1", price = 2m } } })),
            ("unknown product", () => client.PatchJson($"/api/v1/products/{Guid.NewGuid()}", new { title = "x" })),
        ]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Replaying_a_creation_with_the_same_idempotency_key_creates_one_product(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var body = new { title = "Once", status = "active", variants = new[] { new { sku = "ONCE-1", price = 5m } } };

        var first = await (await store.Client.PostJson("/api/v1/products", body, "create-once")).Expect(HttpStatusCode.Created);
        var replay = await store.Client.PostJson("/api/v1/products", body, "create-once");
        var second = await replay.Expect(HttpStatusCode.Created);

        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["id"].Str(), second["id"].Str());
        await using var db = store.Db();
        Assert.Equal(1, await db.Products.CountAsync());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_catalog_and_inventory_endpoints()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        var paths = (await (await store.Anonymous.GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK))["paths"]!;

        foreach (var path in new[]
        {
            "/api/v1/products", "/api/v1/products/{idOrSlug}", "/api/v1/products/{id}", "/api/v1/products/{id}/archive",
            "/api/v1/categories", "/api/v1/warehouses", "/api/v1/inventory/adjustments", "/api/v1/inventory/transfers",
            "/api/v1/inventory/movements", "/api/v1/inventory/low-stock", "/api/v1/inventory/{sku}", "/api/v1/inventory/{sku}/warehouses/{code}",
        })
        {
            Assert.True(paths[path] is not null, $"{path} is missing from the OpenAPI document");
        }

        Assert.NotNull(paths["/api/v1/products"]!["post"]!["responses"]!["409"]);
    }

    private static List<string> Ids(JsonNode page) => page["items"]!.AsArray().Select(p => p!["id"].Str()).ToList();
}

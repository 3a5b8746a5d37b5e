using System.Net;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.CatalogTestData;

namespace Storekeep.Tests.Catalog;

public sealed class CategoryApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Categories_are_created_by_writers_and_listed_publicly_by_slug(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var garden = await (await store.Client.PostJson("/api/v1/categories", new { name = "Garden & Patio", description = "Outdoors" })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson("/api/v1/categories", new { name = "Audio", slug = "audio" })).Expect(HttpStatusCode.Created);
        var second = await (await store.Client.PostJson("/api/v1/categories", new { name = "Garden Patio" })).Expect(HttpStatusCode.Created);

        Assert.Equal("garden-patio", garden["slug"].Str());
        Assert.Equal("garden-patio-2", second["slug"].Str());
        var first = await (await store.Anonymous.GetAsync("/api/v1/categories?limit=2")).Expect(HttpStatusCode.OK);
        Assert.Equal(["audio", "garden-patio"], first["items"]!.AsArray().Select(c => c!["slug"].Str()));
        var rest = await (await store.Anonymous.GetAsync($"/api/v1/categories?limit=2&cursor={first["nextCursor"].Str()}")).Expect(HttpStatusCode.OK);
        Assert.Equal(["garden-patio-2"], rest["items"]!.AsArray().Select(c => c!["slug"].Str()));
        Assert.Null(rest["nextCursor"]);

        var product = await CreateProductAsync(store.Client, "Speaker", "SPK-1", category: garden["id"].Str());
        Assert.Equal("garden-patio", product["category"]!["slug"].Str());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Invalid_or_conflicting_categories_are_4xx_problems_and_change_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await (await store.Client.PostJson("/api/v1/categories", new { name = "Toys", slug = "toys" })).Expect(HttpStatusCode.Created);
        var client = store.Client;
        const string url = "/api/v1/categories";

        await ExpectAllRejectedAsync(store,
        [
            ("malformed json", () => client.PostRaw(url, "{name: toys}")),
            ("name wrong type", () => client.PostRaw(url, """{"name": 12}""")),
            ("missing name", () => client.PostJson(url, new { slug = "x" })),
            ("name too long", () => client.PostJson(url, new { name = new string('n', 201) })),
            ("description too long", () => client.PostJson(url, new { name = "n", description = new string('d', 4001) })),
            ("bad slug", () => client.PostJson(url, new { name = "n", slug = "-bad-" })),
            ("slug taken", () => client.PostJson(url, new { name = "Other toys", slug = "toys" })),
        ]);

        await (await client.PostJson(url, new { name = "Toys again", slug = "toys" })).ExpectProblem(HttpStatusCode.Conflict, "slug_taken");
    }
}

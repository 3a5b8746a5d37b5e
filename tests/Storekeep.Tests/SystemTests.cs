using System.Net;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests;

public sealed class SystemTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Health_is_ok_when_the_database_answers(string database)
    {
        await using var store = await TestStore.StartAsync(database);

        var body = await (await store.Anonymous.GetAsync("/health")).Expect(HttpStatusCode.OK);

        Assert.Equal("ok", body["status"].Str());
        Assert.Equal(database, body["database"].Str());
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        var document = await (await store.Anonymous.GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);
        Assert.Equal("Storekeep API", document["info"]!["title"].Str());
        Assert.NotNull(document["paths"]!["/health"]);

        var docs = await store.Anonymous.GetAsync("/api/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("text/html", docs.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_icon_browsers_ask_for_on_pages_that_name_none_is_the_store_icon()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        // Followed like a browser does: /favicon.ico leads to the store's SVG icon, not a 404.
        var icon = await store.Anonymous.GetAsync("/favicon.ico");

        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", await icon.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_response()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);

        await (await store.Anonymous.GetAsync("/api/v1/no-such-thing")).ExpectProblem(HttpStatusCode.NotFound, "not_found");
    }
}

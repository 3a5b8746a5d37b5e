using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Tests.Api;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Cli;
using static Storekeep.Tests.Orders.Import.OrderImportTestData;

namespace Storekeep.Tests.Orders.Import;

public sealed class OrderImportApiAndCliTests
{
    private static MultipartFormDataContent Form(string csv, string? map)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "orders.csv");
        if (map is not null)
        {
            form.Add(new StringContent(map), "map");
        }

        return form;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_endpoint_previews_imports_and_refuses_bad_lines_and_bad_maps(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var csv = Sample("shopify-orders.csv");
        const string shopify = """{"preset": "shopify"}""";

        var preview = await store.Client.PostAsync("/api/v1/orders/import?dryRun=true", Form(csv, shopify)).Expect(HttpStatusCode.OK);
        Assert.Equal((true, false, 4), (preview["dryRun"]!.GetValue<bool>(), preview["imported"]!.GetValue<bool>(), preview["orders"].Int()));
        Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM orders"));

        var imported = await store.Client.PostAsync("/api/v1/orders/import", Form(csv, shopify)).Expect(HttpStatusCode.OK);
        Assert.Equal((true, 4), (imported["imported"]!.GetValue<bool>(), imported["orders"].Int()));
        var again = await store.Client.PostAsync("/api/v1/orders/import", Form(csv, shopify)).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 4), (again["orders"].Int(), again["alreadyImported"].Int()));

        // The order API says where an order came from.
        var list = await store.Client.GetAsync("/api/v1/orders").Expect(HttpStatusCode.OK);
        Assert.All(list["items"]!.AsArray(), o => Assert.Equal("import", o!["source"].Str()));
        Assert.Contains(list["items"]!.AsArray(), o => o!["externalNumber"].Str() == "#1002");

        var bad = Csv("E-1,2023-01-01,,e@example.com,,S-1,One,,1,5.00,,,,US", "E-2,yesterday,,e@example.com,,S-1,One,,1,5.00,,,,US");
        var map = """{"columns": {"orderNumber": "Order", "placedAt": "Date", "sku": "SKU", "quantity": "Qty", "lineTotal": "Total"}}""";
        var problem = await store.Client.PostAsync("/api/v1/orders/import", Form(bad, map)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "import_has_errors");
        var errors = problem["errors"]!.AsArray();
        Assert.Equal(3, errors.Single()!["line"].Int());
        Assert.Equal(4, await store.ScalarAsync("SELECT COUNT(*) FROM orders"));

        await store.Client.PostAsync("/api/v1/orders/import", Form(bad, """{"columns": {"sku": "SKU"}}""")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_import_map");
        await store.Client.PostAsync("/api/v1/orders/import", Form(bad, "not json")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_import_map");
        await store.Client.PostAsync("/api/v1/orders/import", Form(bad, null)).ExpectProblem(HttpStatusCode.BadRequest, "invalid_import_map");
        await store.Client.PostAsync("/api/v1/orders/import", new MultipartFormDataContent { { new StringContent(map), "map" } }).ExpectProblem(HttpStatusCode.BadRequest, "missing_file");
        await store.Client.PostAsync("/api/v1/orders/import", new StringContent(bad, Encoding.UTF8, "text/csv")).ExpectProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

        // Scripts may send the same as JSON, the map as an object; the bad line is still line 3.
        var json = new System.Text.Json.Nodes.JsonObject { ["csv"] = bad, ["map"] = System.Text.Json.Nodes.JsonNode.Parse(map) }.ToJsonString();
        var jsonProblem = await store.Client.PostAsync("/api/v1/orders/import", new StringContent(json, Encoding.UTF8, "application/json"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "import_has_errors");
        Assert.Equal(3, jsonProblem["errors"]!.AsArray().Single()!["line"].Int());
        var good = new System.Text.Json.Nodes.JsonObject { ["csv"] = csv, ["map"] = shopify }.ToJsonString();
        var jsonPreview = await store.Client.PostAsync("/api/v1/orders/import?dryRun=true", new StringContent(good, Encoding.UTF8, "application/json")).Expect(HttpStatusCode.OK);
        Assert.Equal(4, jsonPreview["alreadyImported"].Int());
        await store.Client.PostAsync("/api/v1/orders/import", new StringContent("{\"csv\": ", Encoding.UTF8, "application/json")).ExpectProblem(HttpStatusCode.BadRequest, "malformed_json");
        await store.Client.PostAsync("/api/v1/orders/import", new StringContent("{}", Encoding.UTF8, "application/json")).ExpectProblem(HttpStatusCode.BadRequest, "missing_file");
        Assert.Equal(4, await store.ScalarAsync("SELECT COUNT(*) FROM orders"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Only_owners_and_managers_may_import_orders(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var sales = await store.ClientForAsync(Role.Sales);
        var manager = await store.ClientForAsync(Role.Manager);
        var csv = Sample("shopify-orders.csv");

        await sales.PostAsync("/api/v1/orders/import", Form(csv, """{"preset": "shopify"}""")).ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.PostAsync("/api/v1/orders/import", Form(csv, """{"preset": "shopify"}""")).ExpectProblem(HttpStatusCode.Unauthorized);
        await manager.PostAsync("/api/v1/orders/import?dryRun=true", Form(csv, """{"preset": "shopify"}""")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_cli_dry_runs_imports_and_lists_bad_lines_with_a_failing_exit_code(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var directory = Directory.CreateTempSubdirectory("storekeep-orders-");
        try
        {
            var input = Path.Combine(directory.FullName, "orders.csv");
            var map = Path.Combine(directory.FullName, "map.json");
            await File.WriteAllTextAsync(input, Sample("superstore-orders.csv"), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(map, Sample("superstore-orders.map.json"), TestContext.Current.CancellationToken);

            var (dryExit, dryOutput) = await store.RunCliAsync("import", "orders", input, "--map", map, "--dry-run");
            Assert.True(dryExit == 0, dryOutput);
            Assert.Contains("nothing was written", dryOutput, StringComparison.Ordinal);
            Assert.Equal(0, await store.ScalarAsync("SELECT COUNT(*) FROM orders"));

            var (exit, output) = await store.RunCliAsync("import", "orders", input, "--map", map);
            Assert.True(exit == 0, output);
            Assert.Contains("Imported 4 order(s)", output, StringComparison.Ordinal);
            Assert.Equal(4, await store.ScalarAsync("SELECT COUNT(*) FROM orders"));

            var bad = Path.Combine(directory.FullName, "bad.csv");
            await File.WriteAllTextAsync(bad, Sample("superstore-orders.csv").Replace("11/8/2016", "2016-13-45", StringComparison.Ordinal), TestContext.Current.CancellationToken);
            var (badExit, badOutput) = await store.RunCliAsync("import", "orders", bad, "--map", map);
            Assert.Equal(StorekeepCli.Failed, badExit);
            Assert.Contains("nothing was imported", badOutput, StringComparison.Ordinal);
            Assert.Contains("Order Date", badOutput, StringComparison.Ordinal);

            var (noMapExit, _) = await store.RunCliAsync("import", "orders", input);
            Assert.Equal(StorekeepCli.Usage, noMapExit);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

}

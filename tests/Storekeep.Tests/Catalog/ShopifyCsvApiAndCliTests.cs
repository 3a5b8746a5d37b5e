using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Data;
using Storekeep.Tests.Api;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Cli;
using static Storekeep.Tests.Catalog.ShopifyCsvTestData;

namespace Storekeep.Tests.Catalog;

public sealed class ShopifyCsvApiAndCliTests
{
    private static HttpContent Csv(string csv) => new StringContent(csv, Encoding.UTF8, "text/csv");

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_import_endpoint_previews_imports_and_the_export_endpoint_streams_the_csv(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);

        var preview = await store.Client.PostAsync("/api/v1/products/import?dryRun=true", Csv(Sample())).Expect(HttpStatusCode.OK);
        Assert.Equal((true, false, 4), (preview["dryRun"]!.GetValue<bool>(), preview["imported"]!.GetValue<bool>(), preview["productsToCreate"].Int()));
        await using (var db = store.Db())
        {
            Assert.Equal(0, await db.Products.CountAsync());
        }

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(SampleWithBomAndCrlf());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "products.csv");
        var imported = await store.Client.PostAsync("/api/v1/products/import", form).Expect(HttpStatusCode.OK);
        Assert.True(imported["imported"]!.GetValue<bool>());
        Assert.Equal("MAIN", imported["warehouse"].Str());

        var viaJson = await store.Client.PostJson("/api/v1/products/import?warehouse=WEST", new { csv = Sample() }).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 4, "WEST"), (viaJson["productsToCreate"].Int(), viaJson["productsToUpdate"].Int(), viaJson["warehouse"].Str()));

        var response = await store.Client.GetAsync("/api/v1/products/export?status=active");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var parsed = await ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(["classic-tee", "ceramic-mug"], parsed.Products.Select(p => p.Handle));

        await store.Client.GetAsync("/api/v1/products/export?warehouse=NOPE").ExpectProblem(HttpStatusCode.UnprocessableEntity, "unknown_warehouse");
        await store.Client.GetAsync("/api/v1/products/export?status=sold").ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task An_invalid_file_is_422_with_every_row_error_and_writes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        var csv = CsvOf(Row("ok", "Ok", sku: "OK-1", price: "1.00"), Row("bad", "Bad", sku: "BAD-1", price: "-2"), Row("worse", "Worse", sku: "W-1", price: "x", qty: "1.5"));
        await using var fingerprint = await DatabaseFingerprint.OpenAsync(store);
        var before = await fingerprint.TakeAsync();

        var problem = await store.Client.PostAsync("/api/v1/products/import", Csv(csv)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "import_has_errors");

        var errors = problem["report"]!["errors"]!.AsArray();
        Assert.Equal([3, 4, 4], errors.Select(e => e!["row"].Int()));
        Assert.Contains(errors, e => e!["column"].Str() == "Variant Inventory Qty" && e["message"].Str().Contains("whole number", StringComparison.Ordinal));
        Assert.Empty(DatabaseFingerprint.Differences(before, await fingerprint.TakeAsync()));

        // A dry run of the same file answers 200 with the same errors: it is a report, not a failure.
        var preview = await store.Client.PostAsync("/api/v1/products/import?dryRun=true", Csv(csv)).Expect(HttpStatusCode.OK);
        Assert.Equal(3, preview["errors"]!.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Import_and_export_need_catalog_write_and_a_csv_body(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var warehouse = await store.ClientForAsync(Role.Warehouse);
        var marketing = await store.ClientForAsync(Role.Marketing);

        await warehouse.PostAsync("/api/v1/products/import", Csv(Sample())).ExpectProblem(HttpStatusCode.Forbidden);
        await warehouse.GetAsync("/api/v1/products/export").ExpectProblem(HttpStatusCode.Forbidden);
        await store.Anonymous.GetAsync("/api/v1/products/export").ExpectProblem(HttpStatusCode.Unauthorized);
        await marketing.PostAsync("/api/v1/products/import", new StringContent("Handle\n", Encoding.UTF8, "text/plain"))
            .ExpectProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await marketing.PostAsync("/api/v1/products/import", new MultipartFormDataContent { { new StringContent("x"), "notes" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "missing_file");
        await marketing.PostRaw("/api/v1/products/import", "{\"csv\": 12}").ExpectProblem(HttpStatusCode.BadRequest, "malformed_json");
        Assert.Equal(HttpStatusCode.OK, (await marketing.GetAsync("/api/v1/products/export")).StatusCode);
    }

    [Fact]
    public async Task A_csv_larger_than_the_usual_body_limit_can_be_imported()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite, kestrel: true);
        var body = new string('x', 1000);
        var rows = Enumerable.Range(1, 3000).Select(i => Row($"p-{i}", $"Product {i}", sku: $"P-{i}", price: "1.00") + "," + body);
        var csv = CsvOf([.. rows]);
        Assert.True(csv.Length > 3 * 1024 * 1024);

        var report = await store.Client.PostAsync("/api/v1/products/import?dryRun=true", Csv(csv)).Expect(HttpStatusCode.OK);

        Assert.Equal(3000, report["productsToCreate"].Int());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_cli_imports_with_a_dry_run_first_and_exports_to_a_file_or_standard_output(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        var directory = Directory.CreateTempSubdirectory("storekeep-csv-");
        try
        {
            var input = Path.Combine(directory.FullName, "in.csv");
            await File.WriteAllBytesAsync(input, SampleWithBomAndCrlf(), TestContext.Current.CancellationToken);

            var (dryExit, dryOutput) = await store.RunCliAsync("import", "products", input, "--dry-run", "--warehouse", "WEST");
            Assert.True(dryExit == 0, dryOutput);
            Assert.Contains("nothing was written", dryOutput, StringComparison.Ordinal);
            await using (var db = store.Db())
            {
                Assert.Equal(0, await db.Products.CountAsync(TestContext.Current.CancellationToken));
            }

            var (exit, output) = await store.RunCliAsync("import", "products", input, "--warehouse", "WEST");
            Assert.True(exit == 0, output);
            Assert.Contains("Imported 4 product(s)", output, StringComparison.Ordinal);

            var exported = Path.Combine(directory.FullName, "out.csv");
            var (exportExit, exportOutput) = await store.RunCliAsync("export", "products", "--output", exported, "--warehouse", "WEST");
            Assert.True(exportExit == 0, exportOutput);
            var fromFile = await ParseAsync(await File.ReadAllTextAsync(exported, TestContext.Current.CancellationToken));
            Assert.Equal(Canonical(await ParseAsync(Sample())), Canonical(fromFile).ReplaceLineEndings("\n"));

            var (stdoutExit, stdout) = await store.RunCliAsync("export", "products", "--warehouse", "WEST");
            Assert.Equal(0, stdoutExit);
            Assert.StartsWith("Handle,Title,Body (HTML)", stdout, StringComparison.Ordinal);
            Assert.Equal(await File.ReadAllTextAsync(exported, TestContext.Current.CancellationToken), stdout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_cli_prints_each_bad_row_and_exits_with_1(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var input = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(input, CsvOf(Row("fine", "Fine", sku: "F-1", price: "1.00"), Row("broken", "Broken", sku: "B 1", price: "one")), TestContext.Current.CancellationToken);

            var (exit, output) = await store.RunCliAsync("import", "products", input);

            Assert.Equal(StorekeepCli.Failed, exit);
            Assert.Contains("Variant SKU", output, StringComparison.Ordinal);
            Assert.Contains("Variant Price", output, StringComparison.Ordinal);
            Assert.Contains("2 error(s)", output, StringComparison.Ordinal);
            Assert.Contains("nothing was imported", output, StringComparison.Ordinal);
            await using var db = store.Db();
            Assert.Equal(0, await db.Products.CountAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(input);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Shared;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Cli;

namespace Storekeep.Tests.Customers;

public sealed class CustomerCsvTests
{
    private static readonly string[] ProfileColumns = ["email", "firstName", "lastName", "phone", "country", "tags", "acceptsEmail", "acceptsSms"];

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Exported_customers_import_into_an_empty_store_unchanged_and_totals_equal_a_raw_sql_sum(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 25.35m, main: 50);
        var first = await PlaceAsync(store, "ada@example.com", ("MUG-1", 2));
        await PlaceAsync(store, "ada@example.com", ("MUG-1", 1));
        var cancelled = await PlaceAsync(store, "grace@example.com", ("MUG-1", 3));
        await PlaceAsync(store, "grace@example.com", ("MUG-1", 1));
        await (await store.Client.PostJson($"/api/v1/orders/{first["id"].Str()}/refunds", new { amount = 10.07m })).Expect(HttpStatusCode.Created);
        await (await store.Client.PostJson($"/api/v1/orders/{cancelled["id"].Str()}/cancel", new { })).Expect(HttpStatusCode.OK);
        await store.Client.PostJson("/api/v1/customers", new
        {
            email = "linus@example.com", firstName = Formula, lastName = "Pauling, Jr.", phone = "+1 (555) 010-0200", country = "us",
            tags = new[] { "vip", "press" },
            consent = new { email = new { accepted = true, source = "phone call" }, sms = new { accepted = false } },
        }).Expect(HttpStatusCode.Created);

        await store.SubscribersCaughtUpAsync(); // the order figures are kept by an event subscriber
        await CustomerRfmTests.ScoreAsync(store);
        var response = await store.Client.GetAsync("/api/v1/customers/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var exported = await response.Content.ReadAsStringAsync();
        var rows = await ReadAsync(exported);
        Assert.Equal(CustomerCsvColumns.Export, rows.Header);
        Assert.Equal(3, rows.Rows.Count);
        var linus = rows.Rows.Single(r => r["email"] == "linus@example.com");
        // Cells a spreadsheet would run as a formula start with an apostrophe (CSV injection).
        Assert.Equal(("'" + Formula, "Pauling, Jr.", "'+1 (555) 010-0200", "US", "press;vip", "true", "false", "phone call"),
            (linus["firstName"], linus["lastName"], linus["phone"], linus["country"], linus["tags"], linus["acceptsEmail"], linus["acceptsSms"], linus["consentSource"]));
        var ada = rows.Rows.Single(r => r["email"] == "ada@example.com");
        Assert.Equal(("2", "65.98"), (ada["orders"], ada["totalSpent"])); // 3 × 25.35 − 10.07
        Assert.NotEqual("", ada["rfmSegment"]);

        var csvMinor = rows.Rows.Sum(r => MinorUnits.ToMinor(decimal.Parse(r["totalSpent"], NumberStyles.Number, CultureInfo.InvariantCulture)));
        Assert.Equal(await RawSpentMinorAsync(store), csvMinor);

        var filtered = await ReadAsync(await (await store.Client.GetAsync("/api/v1/customers/export?tag=VIP&q=linus")).Content.ReadAsStringAsync());
        Assert.Equal(["linus@example.com"], filtered.Rows.Select(r => r["email"]));
        await store.Client.GetAsync("/api/v1/customers/export?q=" + new string('x', 201)).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");

        await using var empty = await TestStore.StartAsync(database);
        using var form = new MultipartFormDataContent { { new StringContent(exported, Encoding.UTF8, "text/csv"), "file", "customers.csv" } };
        var report = await empty.Client.PostAsync("/api/v1/customers/import", form).Expect(HttpStatusCode.OK);
        Assert.Equal((3, 3, 0, 0), (report["rows"].Int(), report["created"].Int(), report["updated"].Int(), report["errors"]!.AsArray().Count));

        var again = await ReadAsync(await (await empty.Client.GetAsync("/api/v1/customers/export")).Content.ReadAsStringAsync());
        Assert.Equal(
            rows.Rows.OrderBy(r => r["email"], StringComparer.Ordinal).Select(r => string.Join('|', ProfileColumns.Select(c => r[c]))),
            again.Rows.OrderBy(r => r["email"], StringComparer.Ordinal).Select(r => string.Join('|', ProfileColumns.Select(c => r[c]))));
        Assert.Equal("import", again.Rows.Single(r => r["email"] == "linus@example.com")["consentSource"]);
        var imported = await empty.Client.GetAsync("/api/v1/customers/linus@example.com").Expect(HttpStatusCode.OK);
        Assert.Equal((Formula, "+1 (555) 010-0200"), (imported["firstName"].Str(), imported["phone"].Str())); // the apostrophe is taken off again
    }

    private const string Formula = "=HYPERLINK(\"https://evil.example\",\"Linus\")";

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_dry_run_writes_nothing_rows_with_errors_are_skipped_and_the_rest_upserted_by_email(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.Client.PostJson("/api/v1/customers", new { email = "ada@example.com", firstName = "Ada", lastName = "Lovelace", tags = new[] { "old" } })
            .Expect(HttpStatusCode.Created);
        const string csv = """
            Email,firstName,lastName,phone,country,tags,acceptsEmail,acceptsSms,notes
             ADA@Example.com ,,King,+44 20 1234,gb,VIP;press,yes,,ignored
            not-an-email,X,,,,,,,
            new@example.com,New,Person,abc,,,,,
            new2@example.com,,,,USA,,maybe,,
            ,,,,,,,,
            fresh@example.com,Fresh,,,,,,true,
            FRESH@example.com,Again,,,,,,,
            """;

        var before = await SnapshotAsync(store);
        var preview = await store.Client.PostAsync("/api/v1/customers/import?dryRun=true", Csv(csv)).Expect(HttpStatusCode.OK);
        Assert.Equal(before, await SnapshotAsync(store));
        Assert.True(preview["dryRun"]!.GetValue<bool>());
        Assert.Equal((6, 1, 1, 4), (preview["rows"].Int(), preview["created"].Int(), preview["updated"].Int(), preview["skipped"].Int()));
        var errors = preview["errors"]!.AsArray().Select(e => (e!["row"].Int(), e["field"].Str())).ToList();
        Assert.Equal([(3, "email"), (4, "phone"), (5, "country"), (5, "acceptsEmail"), (8, "email")], errors);

        var report = await store.Client.PostAsync("/api/v1/customers/import", Csv(csv)).Expect(HttpStatusCode.OK);
        Assert.Equal((false, 1, 1, 4), (report["dryRun"]!.GetValue<bool>(), report["created"].Int(), report["updated"].Int(), report["skipped"].Int()));

        await using var db = store.Db();
        var ada = await db.Customers.SingleAsync(c => c.Email == "ada@example.com");
        Assert.Equal(("Ada", "King", "+44 20 1234", "GB"), (ada.FirstName, ada.LastName, ada.Phone, ada.Country)); // a blank cell leaves the name
        Assert.Equal((true, "import", false), (ada.AcceptsEmail, ada.EmailConsentSource, ada.AcceptsSms));
        Assert.NotNull(ada.EmailConsentAt);
        Assert.Equal(["press", "vip"], await db.Set<CustomerTag>().Where(t => t.CustomerId == ada.Id).Select(t => t.Tag).OrderBy(t => t).ToListAsync());
        var fresh = await db.Customers.SingleAsync(c => c.Email == "fresh@example.com");
        Assert.Equal(("Fresh", true, "import", false), (fresh.FirstName, fresh.AcceptsSms, fresh.SmsConsentSource, fresh.AcceptsEmail));
        Assert.Equal(2, await db.Customers.CountAsync());

        // The same file again changes nothing more: consent keeps its first time.
        var consentAt = ada.EmailConsentAt;
        var rerun = await store.Client.PostJson("/api/v1/customers/import", new { csv }).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 2), (rerun["created"].Int(), rerun["updated"].Int()));
        await using var db2 = store.Db();
        Assert.Equal(consentAt, (await db2.Customers.SingleAsync(c => c.Email == "ada@example.com")).EmailConsentAt);
    }

    [Fact]
    public async Task Whole_file_problems_are_a_400_problem_and_only_writers_may_import()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.Client.PostAsync("/api/v1/customers/import", Csv("name,phone\nAda,123\n")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_customer_csv");
        await store.Client.PostAsync("/api/v1/customers/import", Csv("")).ExpectProblem(HttpStatusCode.BadRequest, "invalid_customer_csv");
        await store.Client.PostAsync("/api/v1/customers/import", new ByteArrayContent([0, 1, 2, 255, 254, 10, 0]) { Headers = { { "Content-Type", "text/csv" } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "invalid_customer_csv");
        await store.Client.PostAsync("/api/v1/customers/import", new MultipartFormDataContent { { new StringContent("x"), "notes" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "missing_file");
        await store.Client.PostAsync("/api/v1/customers/import", new StringContent("email\na@example.com", Encoding.UTF8, "text/plain"))
            .ExpectProblem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");

        var sales = await store.ClientForAsync(Role.Sales);
        Assert.Equal(HttpStatusCode.OK, (await sales.GetAsync("/api/v1/customers/export")).StatusCode);
        await sales.PostAsync("/api/v1/customers/import", Csv("email\na@example.com\n")).ExpectProblem(HttpStatusCode.Forbidden);
        await using var db = store.Db();
        Assert.Equal(0, await db.Customers.CountAsync());
    }

    [Fact]
    public async Task The_cli_exports_to_a_file_and_imports_it_with_a_dry_run_first()
    {
        await using var store = await TestStore.StartAsync(TestDatabases.Sqlite);
        await store.Client.PostJson("/api/v1/customers", new { email = "ada@example.com", firstName = "Ada", tags = new[] { "vip" } }).Expect(HttpStatusCode.Created);
        var directory = Directory.CreateTempSubdirectory("storekeep-customers-");
        try
        {
            var file = Path.Combine(directory.FullName, "customers.csv");
            var (exportExit, exportOutput) = await store.RunCliAsync("customers", "export", file);
            Assert.True(exportExit == StorekeepCli.Ok, exportOutput);
            Assert.Contains("Exported 1 customer", exportOutput, StringComparison.Ordinal);
            Assert.Contains("ada@example.com", await File.ReadAllTextAsync(file), StringComparison.Ordinal);

            await File.AppendAllTextAsync(file, ",grace@example.com,Grace,Hopper,,,,,true,,,,,,,,\n,bad,,,,,,,,,,,,,,,\n");
            var (dryExit, dryOutput) = await store.RunCliAsync("customers", "import", file, "--dry-run");
            Assert.Equal(StorekeepCli.Failed, dryExit); // a row was skipped
            Assert.Contains("Dry run", dryOutput, StringComparison.Ordinal);
            await using (var db = store.Db())
            {
                Assert.Equal(1, await db.Customers.CountAsync());
            }

            var (exit, output) = await store.RunCliAsync("customers", "import", file);
            Assert.Contains("Imported 2 customer", output, StringComparison.Ordinal);
            Assert.Equal(StorekeepCli.Failed, exit);
            await using (var db = store.Db())
            {
                var grace = await db.Customers.SingleAsync(c => c.Email == "grace@example.com");
                Assert.Equal(("Grace", "Hopper", true, "import"), (grace.FirstName, grace.LastName, grace.AcceptsSms, grace.SmsConsentSource));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static HttpContent Csv(string csv) => new StringContent(csv, Encoding.UTF8, "text/csv");

    private static async Task<System.Text.Json.Nodes.JsonNode> PlaceAsync(TestStore store, string email, params (string Sku, int Quantity)[] lines)
    {
        var cart = await store.CartWithAsync(store.Anonymous, lines);
        return await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(email: email))).Expect(HttpStatusCode.Created);
    }

    private static Task<(IReadOnlyList<string> Header, List<Dictionary<string, string>> Rows)> ReadAsync(string text) => CsvText.ReadAsync(text);

    /// <summary>Every customer's spend straight from the tables, in minor units: live orders' totals minus their succeeded refunds.</summary>
    private static async Task<long> RawSpentMinorAsync(TestStore store)
    {
        await using var db = store.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.status <> 'cancelled' AND o.email IN (SELECT email FROM customers))
                 - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                    WHERE r.status = 'succeeded' AND o.status <> 'cancelled' AND o.email IN (SELECT email FROM customers))
            """;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> SnapshotAsync(TestStore store)
    {
        await using var db = store.Db();
        var customers = await db.Customers.AsNoTracking().OrderBy(c => c.Email).ToListAsync();
        var tags = await db.Set<CustomerTag>().AsNoTracking().OrderBy(t => t.CustomerId).ThenBy(t => t.Tag).Select(t => t.Tag).ToListAsync();
        return string.Join('\n', customers.Select(c => $"{c.Email}|{c.FirstName}|{c.LastName}|{c.Phone}|{c.Country}|{c.AcceptsEmail}|{c.EmailConsentSource}|{c.AcceptsSms}|{c.SmsConsentSource}"))
            + "\n" + string.Join(',', tags);
    }
}

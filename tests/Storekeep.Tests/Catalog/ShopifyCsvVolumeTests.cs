using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Storekeep.Tests.Infrastructure;
using static Storekeep.Tests.Catalog.ShopifyCsvTestData;

namespace Storekeep.Tests.Catalog;

/// <summary>
/// A large file end to end. Explicit (run with <c>--filter</c> and <c>-- xUnit.Explicit=on</c>, or
/// <c>STOREKEEP_CSV_VARIANTS</c> for the size): it prints timings and asserts only outcomes.
/// </summary>
public sealed class ShopifyCsvVolumeTests
{
    [Theory(Explicit = true)]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_file_of_many_variants_imports_and_exports_completely(string database)
    {
        var variants = int.TryParse(Environment.GetEnvironmentVariable("STOREKEEP_CSV_VARIANTS"), out var n) ? n : 100_000;
        const int perProduct = 10;
        var csv = new StringBuilder(Header).Append('\n');
        for (var p = 0; p < variants / perProduct; p++)
        {
            for (var v = 0; v < perProduct; v++)
            {
                var first = v == 0;
                csv.Append(CultureInfo.InvariantCulture, $"product-{p},{(first ? $"Product {p}" : "")},{(first ? "\"<p>Line one,\nline two</p>\"" : "")},Vendor,,{(first ? "Things" : "")},,{(first ? "TRUE" : "")},{(first ? "Size" : "")},S{v},,,,,SKU-{p}-{v},100,shopify,{v + 1},deny,manual,{p % 100}.99,,TRUE,TRUE,,{(v < 2 ? $"https://cdn.example.com/{p}-{v}.jpg" : "")},{(v < 2 ? v + 1 : "")},,FALSE,,,,g,1.00,{(first ? "active" : "")}\n");
            }
        }

        await using var store = await TestStore.StartAsync(database);
        await AddWarehousesAsync(store);
        var clock = Stopwatch.StartNew();
        var report = await store.ImportAsync(csv.ToString());
        var imported = clock.Elapsed;
        clock.Restart();
        var exported = await store.ExportAsync();
        var exportTime = clock.Elapsed;

        TestContext.Current.TestOutputHelper?.WriteLine($"{database}: {variants:N0} variants imported in {imported.TotalSeconds:0.0} s, exported in {exportTime.TotalSeconds:0.0} s ({exported.Length / 1024 / 1024} MB)");
        Assert.True(report.Imported, string.Join("\n", report.Errors.Take(10)));
        await using var db = store.Db();
        Assert.Equal(variants, await db.Variants.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(variants, await db.StockLevels.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(variants / perProduct * 2, await db.ProductImages.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(variants + 1, exported.Count(c => c == '\n') - variants / perProduct);
    }
}

using System.Net;
using Storekeep.Access;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Catalog;

/// <summary>The back office shows a variant's cost to the roles the API shows it to (catalog.write), and only to them.</summary>
public sealed class ProductCostVisibilityTests
{
    private const string Cost = "12.37";

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_product_page_carries_the_cost_only_for_roles_with_catalog_write(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var product = await store.Client.PostJson("/api/v1/products", new
        {
            title = "Brass Desk Lamp",
            status = "active",
            variants = new object[] { new { sku = "LAMP-1", price = 39.99m, cost = 12.37m } },
        }).Expect(HttpStatusCode.Created);
        var url = $"/admin/products/{product["id"].Str()}";

        foreach (var role in new[] { Role.Warehouse, Role.Sales, Role.Support })
        {
            var html = await (await store.SignedInStaffAsync(role)).GetPageAsync(url);
            Assert.Contains("LAMP-1", html, StringComparison.Ordinal);
            Assert.DoesNotContain(Cost, html, StringComparison.Ordinal);
            Assert.DoesNotContain("variant-cost", html, StringComparison.Ordinal);
        }

        foreach (var role in new[] { Role.Owner, Role.Manager })
        {
            var html = await (await store.SignedInStaffAsync(role)).GetPageAsync(url);
            Assert.Contains("variant-cost", html, StringComparison.Ordinal);
            Assert.Contains(Cost, html, StringComparison.Ordinal);
        }

        // The API agrees: no cost without catalog.write.
        var asSales = await (await store.ClientForAsync(Role.Sales)).GetAsync(url.Replace("/admin/", "/api/v1/", StringComparison.Ordinal)).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(Cost, asSales.ToJsonString(), StringComparison.Ordinal);
    }
}

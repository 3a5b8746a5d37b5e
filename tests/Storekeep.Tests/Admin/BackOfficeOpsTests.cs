using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Audit;
using Storekeep.Catalog;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Admin;

public sealed class BackOfficeOpsTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Bulk_price_change_is_exact_to_the_cent_and_audited_with_before_and_after(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("BULK-1", 19.99m, main: 1);
        await store.AddProductAsync("BULK-2", 0.05m, main: 1);
        await using var db = store.Db();
        var ids = await db.Products.Select(p => p.Id).ToListAsync();

        await using (var scope = store.Services.CreateAsyncScope())
        using (AuditScope.Begin(new Actor("manager@staff.test")))
        {
            var bulk = scope.ServiceProvider.GetRequiredService<ProductBulkChanges>();
            await bulk.ChangePricesAsync(ids, PriceChangeKind.Percent, 10m, CancellationToken.None);
            await bulk.SetStatusAsync(ids, ProductStatus.Draft, CancellationToken.None);
        }

        await using var check = store.Db();
        var prices = await check.Variants.OrderBy(v => v.Sku).Select(v => v.Price).ToListAsync();
        Assert.Equal([21.99m, 0.06m], prices);
        Assert.All(await check.Products.ToListAsync(), p => Assert.Equal(ProductStatus.Draft, p.Status));
        var audit = await check.AuditLog.Where(a => a.Actor == "manager@staff.test").ToListAsync();
        var priceRow = Assert.Single(audit, a => a.EntityType.Contains("Variant", StringComparison.Ordinal) && a.Before!.Contains("19.99", StringComparison.Ordinal));
        Assert.Contains("21.99", priceRow.After, StringComparison.Ordinal);
        Assert.Equal(2, audit.Count(a => a.EntityType == nameof(Product) && a.After!.Contains($"\"Status\":{(int)ProductStatus.Draft}", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_bulk_price_cut_that_would_reach_zero_changes_nothing(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("CUT-1", 50m, main: 1);
        await store.AddProductAsync("CUT-2", 4.99m, main: 1);
        await using var db = store.Db();
        var ids = await db.Products.Select(p => p.Id).ToListAsync();

        await using var scope = store.Services.CreateAsyncScope();
        var e = await Assert.ThrowsAsync<StorekeepException>(() =>
            scope.ServiceProvider.GetRequiredService<ProductBulkChanges>().ChangePricesAsync(ids, PriceChangeKind.Amount, -5m, CancellationToken.None));

        Assert.Equal("price_not_positive", e.Code);
        await using var check = store.Db();
        Assert.Equal([50m, 4.99m], await check.Variants.OrderBy(v => v.Sku).Select(v => v.Price).ToListAsync());
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Products_page_renders_for_warehouse_refuses_marketing_and_sends_strangers_to_sign_in(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("PAGE-1", 12m, main: 3, title: "Walnut Desk Organiser");

        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        Assert.Contains("Walnut Desk Organiser", await warehouse.GetPageAsync("/admin/products"), StringComparison.Ordinal);
        Assert.Contains("PAGE-1", await warehouse.GetPageAsync("/admin/inventory"), StringComparison.Ordinal);

        Assert.DoesNotContain(Role.Marketing, Storekeep.Web.Hosting.StorekeepModules.PermissionGrants[Permissions.InventoryRead]);
        var marketing = await store.SignedInStaffAsync(Role.Marketing);
        await marketing.GetPageAsync("/admin/products", HttpStatusCode.Forbidden);

        var stranger = store.Browser();
        var response = await stranger.GetAsync("/admin/products");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/admin/login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Dashboard_renders_todays_figures_for_staff(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("DASHP-1", 40m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("DASHP-1", 3));
        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody())).Expect(HttpStatusCode.Created);

        var support = await store.SignedInStaffAsync(Role.Support);
        var html = await support.GetPageAsync("/admin");

        Assert.Contains("data-testid=\"orders-1\"><strong>1</strong>", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"units-1\"><strong>3</strong>", html, StringComparison.Ordinal);
        Assert.Contains("revenue-chart", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Customer_pages_need_customers_read(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var db = store.Db())
        {
            db.Customers.Add(new Storekeep.Customers.Customer { Email = "grace@example.com", FirstName = "Grace", LastName = "Hopper", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var sales = await store.SignedInStaffAsync(Role.Sales);
        Assert.Contains("grace@example.com", await sales.GetPageAsync("/admin/customers"), StringComparison.Ordinal);
        var warehouse = await store.SignedInStaffAsync(Role.Warehouse);
        await warehouse.GetPageAsync("/admin/customers", HttpStatusCode.Forbidden);
    }
}

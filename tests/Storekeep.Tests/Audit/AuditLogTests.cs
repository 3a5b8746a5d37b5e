using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Accounts;
using Storekeep.Audit;
using Storekeep.Pricing;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Audit;

public sealed class AuditLogTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_price_change_through_an_API_key_is_logged_with_the_key_and_old_and_new_price(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("TEE-1", 20m, main: 5);
        Guid productId;
        await using (var db = store.Db())
        {
            productId = await db.Products.Select(p => p.Id).SingleAsync(TestContext.Current.CancellationToken);
        }

        var manager = await store.ClientForAsync(Role.Manager);
        await (await manager.PatchJson($"/api/v1/products/{productId}", new { variants = new[] { new { sku = "TEE-1", price = 24.5m } } })).Expect(HttpStatusCode.OK);

        await using var check = store.Db();
        var entry = await check.AuditLog.Where(a => a.EntityType == "ProductVariant" && a.Action == "updated").SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("api-key:test-Manager", entry.Actor);
        var change = Assert.Single(AuditQueries.Diff(entry.Before, entry.After), c => c.Property == "Price");
        Assert.Equal(20m, decimal.Parse(change.Before!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(24.5m, decimal.Parse(change.After!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Shipping_method_changes_from_the_back_office_are_logged_with_the_staff_member(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var scope = store.Services.CreateAsyncScope())
        using (AuditScope.Begin(new Actor("manager@staff.test")))
        {
            var settings = scope.ServiceProvider.GetRequiredService<PricingSettings>();
            var created = await settings.CreateShippingMethodAsync(new ShippingMethodRequest("std", "Standard", 5m, null, ["US"], true, 1), TestContext.Current.CancellationToken);
            await settings.UpdateShippingMethodAsync(created.Id, new ShippingMethodRequest(null, null, 6.5m, null, null, null, null), TestContext.Current.CancellationToken);
            await settings.DeleteShippingMethodAsync(created.Id, TestContext.Current.CancellationToken);
        }

        await using var db = store.Db();
        var entries = await db.AuditLog.Where(a => a.EntityType == "ShippingMethod").OrderBy(a => a.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["created", "updated", "deleted"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("manager@staff.test", e.Actor));
        var rate = Assert.Single(AuditQueries.Diff(entries[1].Before, entries[1].After));
        Assert.Equal("Rate", rate.Property);
        Assert.StartsWith("5", rate.Before, StringComparison.Ordinal);
        Assert.StartsWith("6.5", rate.After, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_role_change_is_logged_with_the_roles_before_and_after(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var user = await store.CreateStaffAsync(Role.Support);
        await using (var scope = store.Services.CreateAsyncScope())
        using (AuditScope.Begin(new Actor("owner@staff.test")))
        {
            await scope.ServiceProvider.GetRequiredService<StaffAccounts>().SetRolesAsync(user.Id, [Role.Manager]);
        }

        await using var db = store.Db();
        var entry = await db.AuditLog.Where(a => a.EntityId == user.Id.ToString() && a.Before != null && a.Before.Contains("Roles")).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("owner@staff.test", entry.Actor);
        var roles = Assert.Single(AuditQueries.Diff(entry.Before, entry.After), c => c.Property == "Roles");
        Assert.Equal("[\"support\"]", roles.Before);
        Assert.Equal("[\"manager\"]", roles.After);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Secrets_and_hashes_never_reach_the_audit_log(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var key = await (await store.Client.PostJson("/api/v1/api-keys", new { name = "erp", role = "manager" })).Expect(HttpStatusCode.Created);
        await (await store.Client.DeleteAsync(new Uri($"/api/v1/api-keys/{key["id"].Str()}", UriKind.Relative), TestContext.Current.CancellationToken)).Expect(HttpStatusCode.NoContent);
        var webhook = await (await store.Client.PostJson("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "*" } })).Expect(HttpStatusCode.Created);
        var user = await store.CreateStaffAsync(Role.Sales);
        await using (var scope = store.Services.CreateAsyncScope())
        using (AuditScope.Begin(new Actor("owner@staff.test")))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<UserAccount>>();
            var account = (await users.FindByIdAsync(user.Id.ToString()))!;
            await scope.ServiceProvider.GetRequiredService<AccountSecurity>().ChangePasswordAsync(account, HtmlPages.StaffPassword, "another-password-2");
            await scope.ServiceProvider.GetRequiredService<AccountSecurity>().GetAuthenticatorSetupAsync(account);
        }

        await using var db = store.Db();
        var log = string.Join('\n', (await db.AuditLog.ToListAsync(TestContext.Current.CancellationToken)).Select(a => a.Before + a.After));
        var secrets = new List<string> { key["key"].Str(), ApiKeyService.Hash(key["key"].Str()), webhook["secret"].Str() };
        secrets.Add((await db.Users.Where(u => u.Id == user.Id).Select(u => u.PasswordHash).SingleAsync(TestContext.Current.CancellationToken))!);
        secrets.Add((await db.UserTokens.Where(t => t.UserId == user.Id).Select(t => t.Value).FirstAsync(TestContext.Current.CancellationToken))!);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, log, StringComparison.Ordinal));
        Assert.Contains("[redacted]", log, StringComparison.Ordinal);
        // The revocation (a bulk update) is still on record.
        Assert.True(await db.AuditLog.AnyAsync(a => a.EntityType == "ApiKey" && a.EntityId == key["id"].Str() && a.After!.Contains("RevokedAt"), TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task A_shopper_checkout_writes_no_audit_rows(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("MUG-1", 12m, main: 5);
        var cart = await store.CartWithAsync(store.Anonymous, ("MUG-1", 2));

        await (await store.Anonymous.PostJson($"/api/v1/carts/{cart}/checkout", TestCatalog.CheckoutBody(), Guid.NewGuid().ToString())).Expect(HttpStatusCode.Created);

        await using var db = store.Db();
        Assert.Equal(0, await db.AuditLog.CountAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_audit_query_pages_newest_first_and_filters_by_entity(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await using (var scope = store.Services.CreateAsyncScope())
        using (AuditScope.Begin(new Actor("manager@staff.test")))
        {
            var settings = scope.ServiceProvider.GetRequiredService<PricingSettings>();
            for (var i = 0; i < 3; i++)
            {
                await settings.CreateTaxRateAsync(new TaxRateRequest("US", "R" + i, "Region " + i, 5m), TestContext.Current.CancellationToken);
            }

            await settings.CreateShippingMethodAsync(new ShippingMethodRequest("std", "Standard", 5m, null, null, true, 1), TestContext.Current.CancellationToken);
        }

        await using var readScope = store.Services.CreateAsyncScope();
        var audit = readScope.ServiceProvider.GetRequiredService<AuditQueries>();
        var first = await audit.ListAsync(new AuditFilter(EntityType: "TaxRate"), 2, null, TestContext.Current.CancellationToken);
        var second = await audit.ListAsync(new AuditFilter(EntityType: "TaxRate"), 2, first.NextCursor, TestContext.Current.CancellationToken);
        Assert.Equal(2, first.Items.Count);
        Assert.Single(second.Items);
        Assert.Null(second.NextCursor);
        Assert.Equal(["R2", "R1", "R0"], first.Items.Concat(second.Items).Select(e => e.Changes.Single(c => c.Property == "Region").After));
        Assert.Single((await audit.ListAsync(new AuditFilter(Actor: "manager@staff.test", EntityType: "ShippingMethod"), null, null, TestContext.Current.CancellationToken)).Items);
        Assert.Empty((await audit.ListAsync(new AuditFilter(Actor: "someone-else"), null, null, TestContext.Current.CancellationToken)).Items);
    }
}

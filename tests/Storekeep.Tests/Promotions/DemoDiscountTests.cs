using System.Net;
using Microsoft.EntityFrameworkCore;
using Storekeep.Promotions;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Promotions;

/// <summary>The demo store's discounts: valid as the service defines them, consistent with their uses, and usable on a cart.</summary>
public sealed class DemoDiscountTests
{
    private static readonly Dictionary<string, string?> SeedDemo = new() { ["Seed:Demo"] = "true" };

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Demo_discounts_are_valid_consistent_with_their_uses_and_work_on_a_cart(string database)
    {
        await using var store = await TestStore.StartAsync(database, settings: SeedDemo);
        await using var db = store.Db();
        var discounts = await db.Set<DiscountDefinition>().AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["BLACKFRIDAY", "BREW3FOR2", "SUMMER25", "WELCOME10"], discounts.Select(d => d.CodeKey).OfType<string>().Order());
        var automatic = Assert.Single(discounts, d => d.Code is null);
        Assert.Equal(DiscountType.FreeShipping, automatic.Type);
        Assert.NotNull(automatic.MinimumSubtotal);
        Assert.Contains(discounts, d => d.Type == DiscountType.BuyXGetY);
        Assert.Contains(discounts, d => d.EndsAt < DateTime.UtcNow);

        // Each one reads back through the service, and is what the service would accept again.
        var list = await store.Client.GetAsync("/api/v1/discounts?limit=50").Expect(HttpStatusCode.OK);
        Assert.Equal(discounts.Count, list["items"]!.AsArray().Count);
        foreach (var d in discounts)
        {
            _ = Discounts.ToEngine(d, 0);
            var view = await store.Client.GetAsync($"/api/v1/discounts/{d.Id}").Expect(HttpStatusCode.OK);
            var back = Storekeep.Web.Admin.Discounts.DiscountForm.From(System.Text.Json.JsonSerializer.Deserialize<DiscountView>(view.ToJsonString(), Storekeep.Shared.StorekeepJson.Options)!);
            _ = Discounts.Draft(back.ToRequest(), DateTime.UtcNow);

            // used_count is the uses held for a limited discount (what its guard counts), and 0 for an
            // unlimited one (its uses are only rows); usageCount shows the uses held either way.
            var held = await db.Set<DiscountUse>().CountAsync(u => u.DiscountId == d.Id && u.ReleasedAt == null, TestContext.Current.CancellationToken);
            Assert.Equal(d.UsageLimit is null ? 0 : held, d.UsedCount);
            Assert.Equal(held, view["usageCount"].Int());
            if (d.UsageLimitPerCustomer is not null)
            {
                var perCustomer = await db.Set<DiscountCustomerUse>().Where(u => u.DiscountId == d.Id).SumAsync(u => u.Uses, TestContext.Current.CancellationToken);
                Assert.Equal(held, perCustomer);
            }
        }

        // The history used the codes and the automatic free shipping, and its orders add up as checkout's do.
        var uses = await db.Set<DiscountUse>().AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        foreach (var used in new[] { "WELCOME10", "SUMMER25", "BLACKFRIDAY" })
        {
            Assert.Contains(uses, u => u.DiscountId == discounts.Single(d => d.CodeKey == used).Id);
        }

        Assert.Contains(uses, u => u.DiscountId == automatic.Id);
        var discountedOrders = uses.Select(u => u.OrderId).Distinct().ToList();
        var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => discountedOrders.Contains(o.Id)).ToListAsync(TestContext.Current.CancellationToken);
        var allocations = await db.Set<OrderDiscountAllocation>().AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        foreach (var order in orders)
        {
            Assert.Equal(order.Total, order.Subtotal - order.DiscountTotal + order.ShippingTotal + order.TaxTotal);
            Assert.Equal(uses.Where(u => u.OrderId == order.Id).Sum(u => u.Amount), order.DiscountTotal);
            Assert.Equal(allocations.Where(a => a.OrderId == order.Id).Sum(a => a.Amount), order.DiscountTotal);
            Assert.All(order.Lines, l => Assert.Equal(l.DiscountAmount, l.DiscountAllocations?.Sum(a => a.Amount) ?? 0m));
        }

        var sku = await db.Variants.AsNoTracking().Where(v => v.Product!.Status == Storekeep.Catalog.ProductStatus.Active && v.Price >= 20m && v.Price <= 50m)
            .OrderBy(v => v.Sku).Select(v => v.Sku).FirstAsync(TestContext.Current.CancellationToken);
        var cart = await store.CartWithAsync(store.Anonymous, (sku, 1));
        var welcome = await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "welcome10" }).Expect(HttpStatusCode.OK);
        Assert.True(welcome["discountTotal"].Dec() > 0);
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "BLACKFRIDAY" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_not_active");
        await store.Anonymous.PostJson($"/api/v1/carts/{cart}/discount-codes", new { code = "SUMMER25" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "discount_minimum_not_met");
    }
}

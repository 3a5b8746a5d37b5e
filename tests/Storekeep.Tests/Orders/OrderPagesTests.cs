using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Access;
using Storekeep.Audit;
using Storekeep.Shared;
using Storekeep.Tests.Fulfillment;
using Storekeep.Tests.Infrastructure;
using Storekeep.Web.Admin.Orders;
using static Storekeep.Tests.Orders.OrderSearchTests;

namespace Storekeep.Tests.Orders;

public sealed class OrderPagesTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task Warehouse_staff_see_placed_orders_in_the_list_and_the_detail_with_lines_timeline_and_only_their_actions(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.34m, main: 10, title: "Blue mug");
        var order = await store.PlaceOrderAsync(("MUG-1", 2));
        var browser = await store.SignedInStaffAsync(Role.Warehouse);

        var list = await browser.GetPageAsync("/admin/orders");
        Assert.Contains($"data-number=\"{N(order)}\"", list, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"order-row\"", list, StringComparison.Ordinal);
        var toShip = await browser.GetPageAsync("/admin/orders?tab=to_ship");
        Assert.Contains($"data-number=\"{N(order)}\"", toShip, StringComparison.Ordinal);
        var cancelledTab = await browser.GetPageAsync("/admin/orders?tab=cancelled");
        Assert.DoesNotContain($"data-number=\"{N(order)}\"", cancelledTab, StringComparison.Ordinal);

        var detail = await browser.GetPageAsync($"/admin/orders/{N(order)}");
        Assert.Contains($"Order #{N(order)}", detail, StringComparison.Ordinal);
        Assert.Contains("Blue mug", detail, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"timeline-entry\" data-kind=\"placed\"", detail, StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace", detail, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"ship-button\"", detail, StringComparison.Ordinal);

        // Warehouse may neither refund nor cancel: the buttons are not there (and ChangeAsync refuses).
        Assert.DoesNotContain("data-testid=\"refund-button\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"cancel-button\"", detail, StringComparison.Ordinal);

        var support = await store.SignedInStaffAsync(Role.Support);
        var supportDetail = await support.GetPageAsync($"/admin/orders/{N(order)}");
        Assert.Contains("data-testid=\"refund-button\"", supportDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"ship-button\"", supportDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)] // access rules only: the page tests here cover both databases
    public async Task Marketing_is_refused_the_order_pages_by_the_server_and_anonymous_visitors_are_sent_to_sign_in(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var order = await store.PlaceOrderAsync(("MUG-1", 1));
        Assert.DoesNotContain(Role.Marketing, Storekeep.Web.Hosting.StorekeepModules.PermissionGrants[Permissions.OrdersRead]);

        var marketing = await store.SignedInStaffAsync(Role.Marketing);
        await marketing.GetPageAsync("/admin/orders", HttpStatusCode.Forbidden);
        await marketing.GetPageAsync($"/admin/orders/{N(order)}", HttpStatusCode.Forbidden);
        await marketing.GetPageAsync($"/admin/orders/{N(order)}/packing-slip", HttpStatusCode.Forbidden);
        await marketing.GetPageAsync("/admin/pick-lists/all", HttpStatusCode.Forbidden);

        // Support reads orders but does not pick.
        var support = await store.SignedInStaffAsync(Role.Support);
        await support.GetPageAsync("/admin/pick-lists/all", HttpStatusCode.Forbidden);

        var anonymous = await store.Browser().GetAsync("/admin/orders");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/admin/login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task The_packing_slip_lists_the_lines_and_address_without_prices(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 12.34m, main: 10, title: "Blue mug");
        await store.AddProductAsync("TEE-1", 56.78m, main: 10, title: "Grey tee");
        var order = await store.PlaceOrderAsync(("MUG-1", 2), ("TEE-1", 1));
        var browser = await store.SignedInStaffAsync(Role.Warehouse);

        var slip = await browser.GetPageAsync($"/admin/orders/{N(order)}/packing-slip");
        Assert.Contains("data-testid=\"packing-slip\"", slip, StringComparison.Ordinal);
        Assert.Contains("Blue mug", slip, StringComparison.Ordinal);
        Assert.Contains("Grey tee", slip, StringComparison.Ordinal);
        Assert.Contains("12 Analytical Row", slip, StringComparison.Ordinal);
        Assert.Equal(2, slip.Split("data-testid=\"packing-slip-line\"").Length - 1);
        Assert.DoesNotContain("12.34", slip, StringComparison.Ordinal);
        Assert.DoesNotContain("56.78", slip, StringComparison.Ordinal);
        Assert.DoesNotContain(order["total"]!.GetValue<decimal>().ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), slip, StringComparison.Ordinal);

        // Printable pages are plain HTML: no interactive runtime.
        Assert.DoesNotContain("blazor.web.js", slip, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task The_pick_list_gathers_the_chosen_paid_orders_per_warehouse_and_sku(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10, title: "Blue mug");
        await store.AddProductAsync("TEE-1", 20m, main: 0, west: 10, title: "Grey tee");
        var first = await store.PlaceOrderAsync(("MUG-1", 2), ("TEE-1", 1));
        var second = await store.PlaceOrderAsync(("MUG-1", 3));
        var unpaid = await store.PlaceManualOrderAsync("bank_transfer", ("MUG-1", 1));
        var browser = await store.SignedInStaffAsync(Role.Warehouse);

        var all = WebUtility.HtmlDecode(await browser.GetPageAsync("/admin/pick-lists/all"));
        Assert.Contains("data-warehouse=\"MAIN\"", all, StringComparison.Ordinal);
        Assert.Contains("data-warehouse=\"WEST\"", all, StringComparison.Ordinal);
        Assert.Contains($"#{N(first)} × 2, #{N(second)} × 3", all, StringComparison.Ordinal);
        Assert.DoesNotContain($"#{N(unpaid)} ", all, StringComparison.Ordinal);

        var chosen = WebUtility.HtmlDecode(await browser.GetPageAsync($"/admin/pick-lists/all?orders={N(second)}"));
        Assert.Contains($"#{N(second)} × 3", chosen, StringComparison.Ordinal);
        Assert.DoesNotContain($"#{N(first)} ", chosen, StringComparison.Ordinal);
        Assert.DoesNotContain("data-warehouse=\"WEST\"", chosen, StringComparison.Ordinal);

        var west = await browser.GetPageAsync("/admin/pick-lists/WEST");
        Assert.Contains("Grey tee", west, StringComparison.Ordinal);
        Assert.DoesNotContain("Blue mug", west, StringComparison.Ordinal);

        var unknown = await browser.GetPageAsync("/admin/pick-lists/MOON");
        Assert.Contains("data-testid=\"pick-list-error\"", unknown, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.All), MemberType = typeof(TestDatabases))]
    public async Task Shipping_and_refunding_from_the_order_screen_are_audited_and_on_the_timeline_under_the_staff_member(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        await store.AddProductAsync("MUG-1", 10m, main: 10);
        var order = await store.PlaceOrderAsync(("MUG-1", 3));
        var number = N(order);
        var warehouse = new Actor("wanda@staff.test");
        var manager = new Actor("max@staff.test");

        // What the page does inside ChangeAsync: a fresh scope, the user's audit scope, the same call.
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var details = await OrderAdmin.LoadAsync(scope.ServiceProvider, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(details.MayShip);
            var lines = details.Order.Lines.Select(l => new LineQuantity { Sku = l.Sku, Title = l.Title, Max = l.Quantity, Quantity = 2 }).ToList();
            using (AuditScope.Begin(warehouse))
            {
                await OrderAdmin.ShipAsync(scope.ServiceProvider, number, lines, "", "UPS", "1Z-TRACK-42", warehouse);
            }
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            using (AuditScope.Begin(manager))
            {
                await OrderAdmin.RefundAsync(scope.ServiceProvider, number, 5.50m, "Chipped handle", manager);
            }
        }

        await using (var scope = store.Services.CreateAsyncScope())
        {
            var details = await OrderAdmin.LoadAsync(scope.ServiceProvider, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("1Z-TRACK-42", Assert.Single(details.Shipments).TrackingNumber);
            Assert.Equal(Storekeep.Orders.FulfillmentStatus.PartiallyShipped, details.Order.FulfillmentStatus);
            Assert.Equal(5.50m, details.Refunded);
            Assert.Equal(details.Captured - 5.50m, details.Refundable);
            var timeline = details.Timeline.ToList();
            Assert.Equal("refunded", timeline[0].Kind);
            Assert.Equal(manager.Name, timeline[0].Actor);
            Assert.Contains(timeline, t => t.Kind == "shipped" && t.Actor == warehouse.Name);

            // Too much: the domain error the page shows.
            var tooMuch = await Assert.ThrowsAsync<StorekeepException>(() => OrderAdmin.RefundAsync(scope.ServiceProvider, number, details.Refundable + 1m, null, manager));
            Assert.Equal("refund_exceeds_captured", tooMuch.Code);
        }

        await using var db = store.Db();
        var audit = await db.AuditLog.AsNoTracking().ToListAsync();
        Assert.Contains(audit, a => a.EntityType == "Shipment" && a.Action == "created" && a.Actor == warehouse.Name);
        Assert.Contains(audit, a => a.EntityType == "Refund" && a.Action == "created" && a.Actor == manager.Name);
        Assert.Contains(audit, a => a.EntityType == "Order" && a.Actor == warehouse.Name);
    }
}

using System.Net;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Suites;

/// <summary>
/// <c>ConnectionStrings:StorekeepReadOnly</c> against a real streaming standby: reports, exports and
/// storefront catalog pages read the standby, everything else (checkout, the order list, stock) the
/// primary. Replay on the standby is paused mid-test, so what each read shows proves where it came
/// from: the standby still has the past, the primary already has the new order.
/// </summary>
public sealed class ReadReplicaTests
{
    [Fact]
    public async Task Reports_exports_and_catalog_pages_read_the_replica_while_writes_and_stock_use_the_primary()
    {
        await using var pair = await TestReplica.StartAsync();
        var database = await pair.CreateDatabaseAsync();
        await using var store = await TestStore.StartOnAsync(database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:StorekeepReadOnly"] = pair.ReplicaConnectionString(database),
        });
        await store.AddShippingAndTaxAsync();
        await store.AddProductAsync("REPLICA-1", 20m, main: 50);
        var first = await store.Anonymous.PostJson($"/api/v1/carts/{await store.CartWithAsync(store.Anonymous, ("REPLICA-1", 1))}/checkout", TestCatalog.CheckoutBody())
            .Expect(HttpStatusCode.Created);
        await store.SubscribersCaughtUpAsync();
        await pair.CaughtUpAsync();

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        async Task<int> ReportedOrdersAsync() =>
            (await store.Client.GetAsync($"/api/v1/analytics/kpis?from={today}&to={tomorrow}").Expect(HttpStatusCode.OK))["totals"]!["orders"]!.GetValue<int>();
        async Task<string> ExportAsync() =>
            await (await store.Client.GetAsync($"/api/v1/orders/export?from={today}&to={today}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        async Task<int> OrderListCountAsync() =>
            (await store.Client.GetAsync("/api/v1/orders?limit=50").Expect(HttpStatusCode.OK))["items"]!.AsArray().Count;

        Assert.Equal(1, await ReportedOrdersAsync());
        Assert.Contains(first["number"]!.ToString(), await ExportAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.GetAsync("/p/product-replica-1")).StatusCode);

        // The standby stops replaying: checkout still works (it writes to the primary and reads its
        // stock there), and a product added now exists on the primary only.
        await pair.PauseReplayAsync();
        var second = await store.Anonymous.PostJson($"/api/v1/carts/{await store.CartWithAsync(store.Anonymous, ("REPLICA-1", 2))}/checkout", TestCatalog.CheckoutBody())
            .Expect(HttpStatusCode.Created);
        await store.AddProductAsync("REPLICA-2", 30m, main: 5);
        await store.SubscribersCaughtUpAsync();
        var stock = await store.Client.GetAsync("/api/v1/inventory/REPLICA-1").Expect(HttpStatusCode.OK);
        Assert.Equal(47, stock["available"]!.GetValue<int>());
        Assert.Equal(2, await OrderListCountAsync());

        // What reads the standby still shows the past: one order, no second order in the export, no new product page.
        Assert.Equal(1, await ReportedOrdersAsync());
        Assert.DoesNotContain(second["number"]!.ToString(), await ExportAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await store.Anonymous.GetAsync("/p/product-replica-2")).StatusCode);

        // Replay resumes: the standby catches up and the reads show the new order and product. Polled
        // for a little: on a loaded machine (CI) the rollup's commit can land just after the position
        // the standby was checked against, and a lagging standby is what these reads tolerate.
        await pair.ResumeReplayAsync();
        await pair.CaughtUpAsync();
        await Eventually.HoldsAsync(async () => await ReportedOrdersAsync() == 2, "the standby's KPIs to count the second order", 30);
        Assert.Contains(second["number"]!.ToString(), await ExportAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await store.Anonymous.GetAsync("/p/product-replica-2")).StatusCode);
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Storekeep.Pricing;
using Storekeep.Shared;
using Storekeep.Tests.Infrastructure;

namespace Storekeep.Tests.Analytics;

/// <summary>A shipping method's promise (shipWithinHours), which the fulfillment report's on-time rate is measured against.</summary>
public sealed class ShippingPromiseTests
{
    [Theory]
    [InlineData(TestDatabases.Sqlite)]
    public async Task A_shipping_method_keeps_its_promise_hours_and_refuses_impossible_ones(string database)
    {
        await using var store = await TestStore.StartAsync(database);
        var created = await (await store.Client.PostJson("/api/v1/shipping-methods", new { code = "express", name = "Express", rate = 12m, shipWithinHours = 24 })).Expect(HttpStatusCode.Created);
        Assert.Equal(24, created["shipWithinHours"].Int());
        var standard = await (await store.Client.PostJson("/api/v1/shipping-methods", new { code = "slow", name = "Slow", rate = 2m })).Expect(HttpStatusCode.Created);
        Assert.Equal(48, standard["shipWithinHours"].Int());

        // The back office's settings page edits it (fields left out keep their value).
        var id = Guid.Parse(created["id"].Str());
        await using (var scope = store.Services.CreateAsyncScope())
        {
            var settings = scope.ServiceProvider.GetRequiredService<PricingSettings>();
            var updated = await settings.UpdateShippingMethodAsync(id, new ShippingMethodRequest(null, null, null, null, null, null, null, ShipWithinHours: 12), TestContext.Current.CancellationToken);
            Assert.Equal((12, "Express", 12m), (updated.ShipWithinHours, updated.Name, updated.Rate));
            var kept = await settings.UpdateShippingMethodAsync(id, new ShippingMethodRequest(null, "Express post", null, null, null, null, null), TestContext.Current.CancellationToken);
            Assert.Equal(12, kept.ShipWithinHours);
            foreach (var hours in new[] { 0, -5, 24 * 60 + 1 })
            {
                await (await store.Client.PostJson("/api/v1/shipping-methods", new { code = "bad", name = "Bad", rate = 1m, shipWithinHours = hours })).ExpectProblem(HttpStatusCode.BadRequest, "validation_failed");
                var refused = await Assert.ThrowsAsync<RequestValidationException>(() => settings.UpdateShippingMethodAsync(id, new ShippingMethodRequest(null, null, null, null, null, null, null, hours), TestContext.Current.CancellationToken));
                Assert.Contains("shipWithinHours", refused.Errors.Keys);
            }
        }

        var list = await store.Client.GetAsync("/api/v1/shipping-methods").Expect(HttpStatusCode.OK);
        Assert.Equal(12, list.AsArray().Single(m => m!["code"].Str() == "express")!["shipWithinHours"].Int());
        Assert.DoesNotContain(list.AsArray(), m => m!["code"].Str() == "bad");
    }
}

using Storekeep.Demo;
using Storekeep.Experiments;

namespace Storekeep.Tests.Experiments;

public sealed class DemoExperimentTests
{
    // Seeded on several days: the demo store is built from the day it starts, and the experiment must look right on any of them.
    [Theory]
    [InlineData("2026-03-14T15:09:26Z")]
    [InlineData("2026-12-05T01:10:00Z")]
    [InlineData("2027-07-30T22:45:00Z")]
    public void The_demo_store_has_one_finished_experiment_with_believable_results(string seededAt)
    {
        var now = DateTime.Parse(seededAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var data = DemoStoreBuilder.Build(now);
        var experiment = Assert.Single(data.Experiments);
        Assert.Equal(experiment.Id, DemoStoreBuilder.Build(now).Experiments.Single().Id); // reproducible: the same day gives the same split
        Assert.Equal(ExperimentStatus.Stopped, experiment.Status);
        Assert.True(experiment.StoppedAt < now);

        // Every exposure is where the hash puts the visitor, and every converted visitor's order followed the exposure.
        Assert.All(data.ExperimentExposures, x => Assert.Equal(ExperimentAssignment.Assign(experiment, x.VisitorId).Key, x.VariantKey));
        var exposures = data.ExperimentExposures.ToDictionary(x => x.VisitorId);
        var orders = data.Orders.ToDictionary(o => o.Id);
        // (The other acquisitions are the demo's storefront journeys, DemoStoreBuilder.Attribution.cs: browsers the experiment never saw.)
        var converted = data.OrderAcquisitions.Where(a => exposures.ContainsKey(a.VisitorId)).ToList();
        Assert.NotEmpty(converted);
        Assert.All(converted, a => Assert.InRange(orders[a.OrderId].CreatedAt, exposures[a.VisitorId].ExposedAt, experiment.StoppedAt!.Value));

        // The results as the API computes them, from the same counts the SQL would give.
        var counts = data.ExperimentExposures.GroupBy(x => x.VariantKey).Select(g =>
        {
            var revenue = g.Select(x => converted.Where(a => a.VisitorId == x.VisitorId).Sum(a => (long)(orders[a.OrderId].Total * 100))).ToList();
            return new VariantCount(g.Key, g.Count(), revenue.Count(r => r > 0), revenue.Sum(), revenue.Sum(r => (double)r * r));
        }).ToList();
        var results = ExperimentService.Results(experiment, counts, "USD");
        var control = results.Variants.Single(v => v.Key == "control");
        var treatment = results.Variants.Single(v => v.Key == "treatment");
        Assert.InRange(control.ConversionRate, 0.015, 0.04);
        Assert.InRange(treatment.ConversionRate, 0.02, 0.05);
        Assert.True(treatment.Uplift > 0);
        Assert.NotNull(treatment.PValue);
        Assert.False(results.SampleRatioMismatch.Flagged);
    }
}

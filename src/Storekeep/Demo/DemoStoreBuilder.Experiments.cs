using Storekeep.Attribution;
using Storekeep.Experiments;
using Storekeep.Orders;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    private const int ExperimentVisitors = 4_000;

    /// <summary>
    /// One finished storefront experiment, so the experiments page shows results on first start: the
    /// home headline "Free shipping over $75" against the usual one, four weeks ending a fortnight ago.
    /// Its visitors are assigned by the real hash; those who convert are given an order of the demo
    /// history placed within a week after their visit (the order's visitor, as checkout records it),
    /// treatment a little more often than control. Drawn from its own random source, so the rest of
    /// the demo store is unchanged by it. The experiment's id comes from that source too (the hash that
    /// splits visitors depends on it), and each variant converts its exact share of visitors (every
    /// visitor whose running count crosses the next multiple of 1/rate), so every demo store shows
    /// the treatment ahead, as the headline promises, whatever day it is seeded on.
    /// </summary>
    private void BuildExperiments()
    {
        var rng = new Random(_experimentSeed);
        var started = _end.AddDays(-44);
        var stopped = _end.AddDays(-16);
        var experiment = new Experiment
        {
            Id = new Guid(RandomBytes(rng)),
            Name = "Home headline: free shipping message",
            Kind = ExperimentKind.Storefront,
            Metric = ExperimentMetric.Conversion,
            Status = ExperimentStatus.Stopped,
            CreatedAt = started.AddDays(-2),
            StartedAt = started,
            StoppedAt = stopped,
        };
        experiment.Variants.Add(new ExperimentVariant
        {
            ExperimentId = experiment.Id, Key = Experiment.ControlKey, Weight = 1, Position = 0, Headline = "Goods for the home, made to last",
        });
        experiment.Variants.Add(new ExperimentVariant
        {
            ExperimentId = experiment.Id, Key = Experiment.TreatmentKey, Weight = 1, Position = 1, Headline = "Free shipping on orders over $75",
            Banner = "Standard shipping is free over $75 to the US, Canada, the UK and Germany.",
        });
        _data.Experiments.Add(experiment);

        var orders = _data.Orders
            .Where(o => o.Source == OrderSources.Checkout && o.Status != OrderStatus.Cancelled && o.CreatedAt > started && o.CreatedAt < stopped)
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Number).ToList();
        var used = new HashSet<Guid>();
        var span = (stopped - started).TotalMinutes - 24 * 60;
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < ExperimentVisitors; i++)
        {
            var visitor = Hex(rng);
            var at = started.AddMinutes(Math.Floor(rng.NextDouble() * span));
            var variant = ExperimentAssignment.Assign(experiment, visitor);
            _data.ExperimentExposures.Add(new ExperimentExposure { ExperimentId = experiment.Id, VisitorId = visitor, VariantKey = variant.Key, ExposedAt = at });
            _data.VisitorTouches.Add(new VisitorTouch { VisitorId = visitor, SessionId = Hex(rng), Touch = DirectTouch(at) });

            var rate = variant.Key == Experiment.TreatmentKey ? 0.036 : 0.028;
            var before = seen.GetValueOrDefault(variant.Key);
            seen[variant.Key] = before + 1;
            if (Math.Floor((before + 1) * rate) == Math.Floor(before * rate))
            {
                continue;
            }

            var within = orders.Where(o => o.CreatedAt >= at && o.CreatedAt <= at.AddDays(7) && !used.Contains(o.Id)).ToList();
            if (within.Count == 0)
            {
                continue;
            }

            var order = within[rng.Next(within.Count)];
            used.Add(order.Id);
            _data.OrderAcquisitions.Add(new OrderAcquisition { OrderId = order.Id, VisitorId = visitor, FirstTouch = DirectTouch(at), LastTouch = DirectTouch(at) });
        }

        static Touch DirectTouch(DateTime at) => new() { Source = Touches.Direct, Medium = Touches.NoMedium, At = at };

        static string Hex(Random rng) => Convert.ToHexStringLower(RandomBytes(rng));

        static byte[] RandomBytes(Random rng)
        {
            var bytes = new byte[16];
            rng.NextBytes(bytes);
            return bytes;
        }
    }
}

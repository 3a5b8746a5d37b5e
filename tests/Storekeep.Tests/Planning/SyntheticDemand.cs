namespace Storekeep.Tests.Planning;

/// <summary>Weekly demand with known structure, from a fixed seed: what the forecasting tests and the bench score on.</summary>
public static class SyntheticDemand
{
    public enum Kind
    {
        SeasonalTrend,
        SeasonalMultiplicative,
        Trend,
        Level,
        Intermittent,

        /// <summary>A slowly wandering level (a random walk of 2 % of the level a week) with 5 % noise.</summary>
        Smooth,

        /// <summary>A flat level with much noise (35 %).</summary>
        Noise,
    }

    public static double[] Generate(Kind kind, int weeks, int seed)
    {
        var random = new Random(seed);
        var y = new double[weeks];
        // Per series shape, so "several series of a kind" differ in more than noise.
        var level = 60 + random.NextDouble() * 80;
        var slope = 0.15 + random.NextDouble() * 0.35;
        var amplitude = 0.2 + random.NextDouble() * 0.3;
        var phase = random.NextDouble() * 2 * Math.PI;
        var wandering = level;
        for (var t = 0; t < weeks; t++)
        {
            var season = Math.Sin(2 * Math.PI * t / 52 + phase) + 0.4 * Math.Sin(4 * Math.PI * t / 52 + 2 * phase);
            y[t] = kind switch
            {
                Kind.SeasonalTrend => level + slope * t + amplitude * level * season + Normal(random) * 0.06 * level,
                Kind.SeasonalMultiplicative => (level + slope * t) * (1 + amplitude * season) * (1 + 0.06 * Normal(random)),
                Kind.Trend => level + slope * t + Normal(random) * 0.08 * level,
                Kind.Level => level + Normal(random) * 0.12 * level,
                Kind.Intermittent => random.NextDouble() < 0.3 ? 1 + Math.Floor(-Math.Log(1 - random.NextDouble()) * 4) : 0,
                Kind.Smooth => (wandering = Math.Max(5, wandering + Normal(random) * 0.02 * level)) + Normal(random) * 0.05 * level,
                Kind.Noise => level + Normal(random) * 0.35 * level,
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };

            // Whole, non-negative units, as sold.
            y[t] = Math.Max(0, Math.Round(y[t]));
        }

        return y;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

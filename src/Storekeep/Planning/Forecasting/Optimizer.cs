namespace Storekeep.Planning.Forecasting;

/// <summary>
/// Bounded minimisation of a few smoothing parameters: a coarse grid, then a compass (pattern)
/// search that halves its step. Deterministic, no allocation per evaluation, and good enough for
/// the flat SSE surfaces of exponential smoothing; a general optimiser buys nothing here.
/// </summary>
internal static class Optimizer
{
    public static double[] Minimize(Func<double[], double> objective, double[] lower, double[] upper, int gridPoints = 5, double tolerance = 0.004)
    {
        var dims = lower.Length;
        var best = new double[dims];
        var bestValue = double.PositiveInfinity;
        var point = new double[dims];
        var index = new int[dims];
        while (true)
        {
            for (var d = 0; d < dims; d++)
            {
                // Grid nodes sit inside the box (not on its edges), where optima of smoothing usually are.
                point[d] = lower[d] + (upper[d] - lower[d]) * (index[d] + 0.5) / gridPoints;
            }

            var value = objective(point);
            if (value < bestValue)
            {
                bestValue = value;
                Array.Copy(point, best, dims);
            }

            var k = 0;
            while (k < dims && ++index[k] == gridPoints)
            {
                index[k++] = 0;
            }

            if (k == dims)
            {
                break;
            }
        }

        var step = new double[dims];
        for (var d = 0; d < dims; d++)
        {
            step[d] = (upper[d] - lower[d]) / gridPoints / 2;
        }

        var trial = new double[dims];
        while (step.Max() > tolerance)
        {
            var improved = false;
            for (var d = 0; d < dims; d++)
            {
                foreach (var sign in (ReadOnlySpan<int>)[1, -1])
                {
                    Array.Copy(best, trial, dims);
                    trial[d] = Math.Clamp(best[d] + sign * step[d], lower[d], upper[d]);
                    var value = objective(trial);
                    if (value < bestValue)
                    {
                        bestValue = value;
                        Array.Copy(trial, best, dims);
                        improved = true;
                        break;
                    }
                }
            }

            if (!improved)
            {
                for (var d = 0; d < dims; d++)
                {
                    step[d] /= 2;
                }
            }
        }

        return best;
    }
}

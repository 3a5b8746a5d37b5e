namespace Storekeep.Planning.Forecasting;

/// <summary>
/// One forecasting method. <see cref="Fit"/> chooses its parameters by minimising the in-sample
/// one-step-ahead SSE, then forecasts <c>horizon</c> weeks with an 80% interval. Definitions and
/// interval formulas: docs/planning.md.
/// </summary>
public abstract class ForecastMethod
{
    /// <summary>z for a two-sided 80% normal interval.</summary>
    public const double Z80 = 1.2815515655446004;

    public abstract string Name { get; }

    /// <summary>Whether the method can be fitted on <paramref name="history"/> at all.</summary>
    public abstract bool AppliesTo(ReadOnlySpan<double> history, int seasonLength);

    public abstract MethodForecast Fit(double[] history, int seasonLength, int horizon);

    /// <summary>
    /// The interval of an innovations state-space model: Var(h) = σ²(1 + Σ_{j=1}^{h-1} c_j²), with σ
    /// the one-step residual standard deviation and c_j the method's weight of an error j steps back.
    /// </summary>
    protected MethodForecast Build(double[] mean, double sigma, Func<int, double> c, params double[] parameters)
    {
        var lo = new double[mean.Length];
        var hi = new double[mean.Length];
        var sum = 1.0;
        for (var h = 1; h <= mean.Length; h++)
        {
            if (h > 1)
            {
                var cj = c(h - 1);
                sum += cj * cj;
            }

            // Demand is never negative: neither is a point forecast nor the interval's lower bound.
            mean[h - 1] = Math.Max(0, mean[h - 1]);
            var half = Z80 * sigma * Math.Sqrt(sum);
            lo[h - 1] = Math.Max(0, mean[h - 1] - half);
            hi[h - 1] = mean[h - 1] + half;
        }

        return new MethodForecast(Name, mean, lo, hi, sigma, parameters);
    }

    protected static double Sigma(double sse, int count) => count <= 0 ? 0 : Math.Sqrt(sse / count);
}

/// <summary>Next year repeats the last one: ŷ(n+h) = y(n+h−m(⌊(h−1)/m⌋+1)). Shorter than a season: the naive last value.</summary>
public sealed class SeasonalNaive : ForecastMethod
{
    public override string Name => "seasonal_naive";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength) => history.Length >= 1;

    public static int PeriodFor(int length, int seasonLength) => length >= seasonLength ? seasonLength : 1;

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var n = history.Length;
        if (n == 0)
        {
            return Build(new double[horizon], 0, _ => 0);
        }

        var m = PeriodFor(n, seasonLength);
        var mean = new double[horizon];
        for (var h = 1; h <= horizon; h++)
        {
            mean[h - 1] = history[n - m + (h - 1) % m];
        }

        var sse = 0.0;
        for (var t = m; t < n; t++)
        {
            sse += Sq(history[t] - history[t - m]);
        }

        // An error j steps back matters again only a whole season later.
        return Build(mean, Sigma(sse, n - m), j => j % m == 0 ? 1 : 0, m);
    }

    private static double Sq(double x) => x * x;
}

/// <summary>Simple exponential smoothing: ℓ(t) = ℓ(t−1) + α(y(t) − ℓ(t−1)), ℓ(0) = y(0); ŷ = ℓ(n).</summary>
public sealed class SimpleExponentialSmoothing : ForecastMethod
{
    public override string Name => "ses";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength) => history.Length >= 2;

    public static (double Level, double Sse) Run(double[] y, double alpha)
    {
        var level = y[0];
        var sse = 0.0;
        for (var t = 1; t < y.Length; t++)
        {
            var e = y[t] - level;
            sse += e * e;
            level += alpha * e;
        }

        return (level, sse);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var alpha = Optimizer.Minimize(p => Run(history, p[0]).Sse, [0.01], [0.99], gridPoints: 10)[0];
        var (level, sse) = Run(history, alpha);
        var mean = new double[horizon];
        Array.Fill(mean, level);
        return Build(mean, Sigma(sse, history.Length - 1), _ => alpha, alpha);
    }
}

/// <summary>
/// Additive damped trend (Gardner–McKenzie), error-correction form: e = y − (ℓ + φb);
/// ℓ ← ℓ + φb + αe; b ← φb + αβe; ŷ(n+h) = ℓ + (φ + … + φ^h)b.
/// </summary>
public sealed class DampedHolt : ForecastMethod
{
    public override string Name => "damped_holt";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength) => history.Length >= 8;

    public static (double Level, double Trend, double Sse) Run(double[] y, double alpha, double beta, double phi)
    {
        var (level, trend) = InitialLevelAndTrend(y, Math.Min(y.Length, 8));
        var sse = 0.0;
        foreach (var value in y)
        {
            var e = value - (level + phi * trend);
            sse += e * e;
            level += phi * trend + alpha * e;
            trend = phi * trend + alpha * beta * e;
        }

        return (level, trend, sse);
    }

    /// <summary>Least squares line through the first <paramref name="k"/> weeks, as the state before week 0.</summary>
    internal static (double Level, double Trend) InitialLevelAndTrend(double[] y, int k)
    {
        if (k < 2)
        {
            return (k == 1 ? y[0] : 0, 0);
        }

        double meanX = (k - 1) / 2.0, meanY = 0;
        for (var t = 0; t < k; t++)
        {
            meanY += y[t];
        }

        meanY /= k;
        double sxy = 0, sxx = 0;
        for (var t = 0; t < k; t++)
        {
            sxy += (t - meanX) * (y[t] - meanY);
            sxx += (t - meanX) * (t - meanX);
        }

        var slope = sxy / sxx;
        return (meanY - slope * meanX - slope, slope);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var p = Optimizer.Minimize(q => Run(history, q[0], q[1], q[2]).Sse, [0.01, 0.0, 0.80], [0.99, 0.5, 0.98], gridPoints: 4);
        var (alpha, beta, phi) = (p[0], p[1], p[2]);
        var (level, trend, sse) = Run(history, alpha, beta, phi);
        var mean = new double[horizon];
        var damp = 0.0;
        var power = 1.0;
        for (var h = 1; h <= horizon; h++)
        {
            power *= phi;
            damp += power;
            mean[h - 1] = level + damp * trend;
        }

        return Build(mean, Sigma(sse, history.Length), j => alpha * (1 + beta * PhiSum(phi, j)), alpha, beta, phi);
    }

    private static double PhiSum(double phi, int j)
    {
        double sum = 0, power = 1;
        for (var i = 1; i <= j; i++)
        {
            power *= phi;
            sum += power;
        }

        return sum;
    }
}

/// <summary>
/// Holt-Winters with additive trend and additive or multiplicative season (component form):
/// additive ℓ ← α(y − s) + (1−α)(ℓ + b), b ← β(ℓ' − ℓ) + (1−β)b, s ← γ(y − ℓ') + (1−γ)s,
/// ŷ(n+h) = ℓ + hb + s(n+h−m); multiplicative divides by / multiplies with s instead. Needs two
/// whole seasons (the initial state comes from them); multiplicative only on strictly positive demand.
/// </summary>
public sealed class HoltWinters(bool multiplicative) : ForecastMethod
{
    public bool Multiplicative { get; } = multiplicative;

    public override string Name => Multiplicative ? "holt_winters_multiplicative" : "holt_winters_additive";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength)
    {
        if (history.Length < 2 * seasonLength || seasonLength < 2)
        {
            return false;
        }

        if (Multiplicative)
        {
            foreach (var value in history)
            {
                if (value <= 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private sealed record State(double Level, double Trend, double[] Season);

    /// <summary>
    /// Level and trend from the means of the first two seasons; the season from both seasons'
    /// deviations (or ratios) around that line, normalised to sum 0 (average 1).
    /// </summary>
    private State? Initial(double[] y, int m)
    {
        double mean1 = 0, mean2 = 0;
        for (var i = 0; i < m; i++)
        {
            mean1 += y[i];
            mean2 += y[m + i];
        }

        mean1 /= m;
        mean2 /= m;
        var trend = (mean2 - mean1) / m;
        var level = mean1 - trend * (m + 1) / 2.0;
        var season = new double[m];
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                var t = i + k * m;
                var line = level + (t + 1) * trend;
                if (Multiplicative && line <= 0)
                {
                    return null;
                }

                season[i] += (Multiplicative ? y[t] / line : y[t] - line) / 2;
            }
        }

        var average = season.Average();
        for (var i = 0; i < m; i++)
        {
            season[i] = Multiplicative ? season[i] / average : season[i] - average;
        }

        return new State(level, trend, season);
    }

    private (State State, double Sse) Run(double[] y, int m, double alpha, double beta, double gamma, State initial)
    {
        var season = (double[])initial.Season.Clone();
        var level = initial.Level;
        var trend = initial.Trend;
        var sse = 0.0;
        for (var t = 0; t < y.Length; t++)
        {
            var s = season[t % m];
            double levelNew;
            if (Multiplicative)
            {
                var e = y[t] - (level + trend) * s;
                sse += e * e;
                levelNew = alpha * y[t] / s + (1 - alpha) * (level + trend);
                if (levelNew <= 1e-9)
                {
                    return (initial, double.PositiveInfinity);
                }

                season[t % m] = gamma * y[t] / levelNew + (1 - gamma) * s;
            }
            else
            {
                var e = y[t] - (level + trend + s);
                sse += e * e;
                levelNew = alpha * (y[t] - s) + (1 - alpha) * (level + trend);
                season[t % m] = gamma * (y[t] - levelNew) + (1 - gamma) * s;
            }

            trend = beta * (levelNew - level) + (1 - beta) * trend;
            level = levelNew;
        }

        return (new State(level, trend, season), sse);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var m = seasonLength;
        var initial = Initial(history, m);
        if (initial is null)
        {
            // A falling line that crosses zero inside the first two years: no multiplicative model.
            return Build(new double[horizon], double.PositiveInfinity, _ => 0);
        }

        var p = Optimizer.Minimize(q => Run(history, m, q[0], q[1], q[2], initial).Sse, [0.01, 0.0, 0.0], [0.95, 0.3, 0.95], gridPoints: 4);
        var (alpha, beta, gamma) = (p[0], p[1], p[2]);
        var (state, sse) = Run(history, m, alpha, beta, gamma, initial);
        var n = history.Length;
        var mean = new double[horizon];
        for (var h = 1; h <= horizon; h++)
        {
            var s = state.Season[(n + h - 1) % m];
            mean[h - 1] = Multiplicative ? (state.Level + h * state.Trend) * s : state.Level + h * state.Trend + s;
        }

        // The additive model's weights; for the multiplicative one an approximation in units (docs/planning.md).
        return Build(mean, Sigma(sse, n), j => alpha * (1 + j * beta) + (j % m == 0 ? gamma * (1 - alpha) : 0), alpha, beta, gamma);
    }
}

/// <summary>
/// Croston's method: sizes z and intervals p of the non-zero demands are smoothed separately (same α),
/// ŷ = z/p; SBA (Syntetos–Boylan) multiplies by (1 − α/2) to remove Croston's bias.
/// </summary>
public sealed class Croston(bool sba) : ForecastMethod
{
    public override string Name => sba ? "sba" : "croston";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength)
    {
        var nonZero = 0;
        foreach (var value in history)
        {
            nonZero += value > 0 ? 1 : 0;
        }

        return nonZero >= 2;
    }

    /// <summary>The demand rate after <paramref name="y"/> and the one-step SSE from the first demand on.</summary>
    public static (double Rate, double Sse, int Count) Run(double[] y, double alpha, bool sba)
    {
        var first = Array.FindIndex(y, v => v > 0);
        if (first < 0)
        {
            return (0, 0, 0);
        }

        var factor = sba ? 1 - alpha / 2 : 1;
        double size = y[first], interval = first + 1, sse = 0;
        var sinceLast = 0;
        var count = 0;
        for (var t = first + 1; t < y.Length; t++)
        {
            var e = y[t] - factor * size / interval;
            sse += e * e;
            count++;
            sinceLast++;
            if (y[t] > 0)
            {
                size += alpha * (y[t] - size);
                interval += alpha * (sinceLast - interval);
                sinceLast = 0;
            }
        }

        return (factor * size / interval, sse, count);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var alpha = Optimizer.Minimize(p => Run(history, p[0], sba).Sse, [0.01], [0.5], gridPoints: 8)[0];
        var (rate, sse, count) = Run(history, alpha, sba);
        var mean = new double[horizon];
        Array.Fill(mean, rate);
        return Build(mean, Sigma(sse, count), _ => alpha, alpha);
    }
}

/// <summary>
/// Teunter–Syntetos–Babai: the probability of demand p is smoothed every week (β), the size z only
/// in weeks with demand (α); ŷ = p·z. Unlike Croston it decays when demand stops.
/// </summary>
public sealed class Tsb : ForecastMethod
{
    public override string Name => "tsb";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength)
    {
        var nonZero = 0;
        foreach (var value in history)
        {
            nonZero += value > 0 ? 1 : 0;
        }

        return nonZero >= 2;
    }

    public static (double Rate, double Sse) Run(double[] y, double alpha, double beta)
    {
        double sizeSum = 0;
        var nonZero = 0;
        foreach (var value in y)
        {
            if (value > 0)
            {
                sizeSum += value;
                nonZero++;
            }
        }

        if (nonZero == 0)
        {
            return (0, 0);
        }

        double size = sizeSum / nonZero, probability = (double)nonZero / y.Length, sse = 0;
        foreach (var value in y)
        {
            var e = value - probability * size;
            sse += e * e;
            if (value > 0)
            {
                size += alpha * (value - size);
                probability += beta * (1 - probability);
            }
            else
            {
                probability -= beta * probability;
            }
        }

        return (probability * size, sse);
    }

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var p = Optimizer.Minimize(q => Run(history, q[0], q[1]).Sse, [0.01, 0.01], [0.5, 0.5], gridPoints: 5);
        var (rate, sse) = Run(history, p[0], p[1]);
        var mean = new double[horizon];
        Array.Fill(mean, rate);
        return Build(mean, Sigma(sse, history.Length), _ => p[1], p[0], p[1]);
    }
}

/// <summary>The mean of the last k weeks (all of them when fewer); the fallback for very short history.</summary>
public sealed class MovingAverage(int weeks = 13) : ForecastMethod
{
    public int Weeks { get; } = weeks;

    public override string Name => $"moving_average_{Weeks}";

    public override bool AppliesTo(ReadOnlySpan<double> history, int seasonLength) => true;

    public override MethodForecast Fit(double[] history, int seasonLength, int horizon)
    {
        var n = history.Length;
        var mean = new double[horizon];
        if (n == 0)
        {
            return Build(mean, 0, _ => 0);
        }

        var k = Math.Min(Weeks, n);
        Array.Fill(mean, history.AsSpan(n - k).ToArray().Average());

        // Residuals of the one-step moving average, once a full window exists (or from week 1 when it never does).
        var start = n > Weeks ? Weeks : 1;
        double sse = 0, window = 0;
        for (var t = 0; t < start; t++)
        {
            window += history[t];
        }

        for (var t = start; t < n; t++)
        {
            var width = Math.Min(t, Weeks);
            sse += Sq(history[t] - window / width);
            window += history[t];
            if (t >= Weeks)
            {
                window -= history[t - Weeks];
            }
        }

        // The window's error does not compound across the horizon: a constant width.
        return Build(mean, Sigma(sse, n - start), _ => 0);
    }

    private static double Sq(double x) => x * x;
}

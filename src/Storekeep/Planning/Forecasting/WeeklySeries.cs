namespace Storekeep.Planning.Forecasting;

/// <summary>Weekly demand, oldest week first; <see cref="SeasonLength"/> weeks make a year.</summary>
public sealed record WeeklySeries(double[] Units, int SeasonLength = 52)
{
    public int Length => Units.Length;

    /// <summary>Average demand interval: weeks per week with demand (∞ when there is none).</summary>
    public double AverageDemandInterval
    {
        get
        {
            var nonZero = Units.Count(u => u > 0);
            return nonZero == 0 ? double.PositiveInfinity : (double)Units.Length / nonZero;
        }
    }
}

/// <summary>A method's forecast: point, 80% interval (lower bound clipped at 0) and what it was fitted with.</summary>
public sealed record MethodForecast(string Method, double[] Mean, double[] Lo80, double[] Hi80, double ResidualStdDev, double[] Parameters);

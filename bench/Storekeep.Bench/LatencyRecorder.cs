namespace Storekeep.Bench;

/// <summary>Collects request latencies from many clients; percentiles by sorting at the end.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> samples = [];
    private readonly Lock gate = new();
    private long errors;

    public void Record(TimeSpan elapsed)
    {
        lock (gate)
        {
            samples.Add(elapsed.TotalMilliseconds);
        }
    }

    public void Error() => Interlocked.Increment(ref errors);

    /// <summary>The first failure's description, to tell what the errors were.</summary>
    public string? FirstError { get; private set; }

    public void Note(string message)
    {
        lock (gate)
        {
            FirstError ??= message.Length > 300 ? message[..300] : message;
        }
    }

    public long Errors => Interlocked.Read(ref errors);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return samples.Count;
            }
        }
    }

    /// <summary>The latency (ms) below which <paramref name="percent"/> of the samples fall (nearest rank).</summary>
    public double Percentile(double percent)
    {
        lock (gate)
        {
            if (samples.Count == 0)
            {
                return double.NaN;
            }

            var sorted = samples.Order().ToArray();
            var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }
}

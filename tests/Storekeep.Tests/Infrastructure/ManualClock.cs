namespace Storekeep.Tests.Infrastructure;

/// <summary>A clock the test sets and moves by hand (<see cref="Now"/>), for code that takes a <see cref="TimeProvider"/>.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

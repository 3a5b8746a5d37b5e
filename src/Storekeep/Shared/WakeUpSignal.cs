namespace Storekeep.Shared;

/// <summary>
/// An in-process wake-up for a background loop of this node: code that commits work calls
/// <see cref="Notify"/> so the loop starts now instead of at its next poll. Other nodes still find
/// the work by polling, so a lost or missing signal only delays, never loses. Each loop has its own
/// subclass, so each is a distinct service.
/// </summary>
public abstract class WakeUpSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // Many notifications while the loop is busy collapse into one wake-up. Checking first keeps
        // the common case (already signalled) free of a thrown exception; the catch covers the race
        // between the check and the release.
        if (_signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for a notification or the timeout; true when notified.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

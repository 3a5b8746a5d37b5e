namespace Storekeep.Events;

/// <summary>
/// In-process wake-up for the event dispatcher: code that commits events calls <see cref="Notify"/>
/// so publishing and delivery start now instead of at the next poll. Other nodes still find the
/// work by polling, so a lost or missing signal only delays, never loses.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // Many notifications while the dispatcher is busy collapse into one wake-up. Checking first
        // keeps the common case (already signalled) free of a thrown exception; the catch covers
        // the race between the check and the release.
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

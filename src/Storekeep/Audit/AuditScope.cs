using Storekeep.Shared;

namespace Storekeep.Audit;

/// <summary>
/// Who the changes saved in the current async flow belong to. The API sets it for API keys and
/// signed-in staff, the back office for each operation; shoppers and background work leave it
/// empty, so checkouts and dispatching add no audit rows.
/// </summary>
public static class AuditScope
{
    private static readonly AsyncLocal<Actor?> CurrentActor = new();

    public static Actor? Current => CurrentActor.Value;

    public static IDisposable Begin(Actor actor)
    {
        var previous = CurrentActor.Value;
        CurrentActor.Value = actor;
        return new Restore(previous);
    }

    private sealed class Restore(Actor? previous) : IDisposable
    {
        public void Dispose() => CurrentActor.Value = previous;
    }
}

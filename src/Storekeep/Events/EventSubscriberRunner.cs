using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>How event subscribers retry and hold their lease; read once from configuration.</summary>
public sealed class EventSubscriberSettings(IConfiguration configuration)
{
    /// <summary>Events handed to a subscriber in one transaction, unless it was registered with its own size.</summary>
    public const int BatchSize = 200;

    /// <summary>Batches one subscriber may run in one round before the others get their turn.</summary>
    public const int BatchesPerRound = 5;

    public TimeSpan RetryBase { get; } = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Events:SubscriberRetryBaseMilliseconds", 1_000)));
    public TimeSpan RetryMax { get; } = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("Events:SubscriberRetryMaxMilliseconds", 300_000)));

    /// <summary>How long a node owns a subscriber without committing a batch; renewed with each batch.</summary>
    public TimeSpan Lease { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Events:SubscriberLeaseSeconds", 120)));

    private readonly ConcurrentDictionary<string, TimeSpan> _pauses = new(StringComparer.Ordinal);

    /// <summary>
    /// <see cref="EventSubscriber.Pause"/>, or <c>Events:Subscribers:{name}:PauseSeconds</c> when
    /// that is set (0 runs it as soon as events arrive); read once per subscriber, like the rest.
    /// </summary>
    public TimeSpan PauseOf(EventSubscriber subscriber) =>
        _pauses.GetOrAdd(subscriber.Name, name =>
            configuration.GetValue<double?>($"Events:Subscribers:{name}:PauseSeconds") is { } seconds
                ? TimeSpan.FromSeconds(Math.Max(0, seconds))
                : subscriber.Pause);
}

/// <summary>
/// Runs the registered event subscribers (see <see cref="EventSubscriptions.AddEventSubscriber"/>).
/// Each subscriber has a checkpoint row (<see cref="EventSubscription"/>) holding the feed position
/// it has handled up to. A round claims the row with a guarded UPDATE that sets a lease (so two
/// nodes never run the same subscriber at once), then hands it the next published events in
/// position order, a batch per transaction: the handlers' writes and the checkpoint's advance
/// commit together, and the advance is guarded by the lease and the position it started from, so
/// a node that lost its lease rolls back instead of doing the work twice. A batch that throws rolls
/// back and the subscriber backs off on its own (attempts, last error, next attempt), starting again
/// from the same event; the other subscribers and webhooks carry on.
/// </summary>
public sealed partial class EventSubscriberRunner(
    IServiceScopeFactory scopes,
    IEnumerable<EventSubscriber> subscribers,
    TimeProvider clock,
    EventSubscriberSettings settings,
    ILogger<EventSubscriberRunner> logger)
{
    private readonly IReadOnlyList<EventSubscriber> _subscribers = Distinct(subscribers);

    public IReadOnlyList<EventSubscriber> Subscribers => _subscribers;

    /// <summary>Gives each due subscriber its next events; true when one of them has more waiting.</summary>
    public async Task<bool> RunDueAsync(CancellationToken ct)
    {
        // Every subscriber's checkpoint in one read, not one read each: each round of an idle or
        // busy store asks this of every subscriber, and most of them have nothing new.
        var checkpoints = await ReadCheckpointsAsync(ct);
        var more = false;
        foreach (var subscriber in _subscribers)
        {
            try
            {
                more |= await RunAsync(subscriber, checkpoints.GetValueOrDefault(subscriber.Name), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One subscriber's trouble (even a database hiccup) must not keep the others from running.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogRoundFailed(subscriber.Name, e);
            }
        }

        return more;
    }

    /// <summary>Runs one subscriber if it is due and not another node's; true when it stopped with events still waiting.</summary>
    public Task<bool> RunAsync(EventSubscriber subscriber, CancellationToken ct) => RunAsync(subscriber, null, ct);

    /// <param name="checkpoint">The subscriber's checkpoint read for this round; null to read it now (and create it when missing).</param>
    private async Task<bool> RunAsync(EventSubscriber subscriber, Checkpoint? checkpoint, CancellationToken ct)
    {
        if (await ClaimAsync(subscriber, checkpoint, ct) is not { } claim)
        {
            return false;
        }

        var (mine, from) = claim;

        var batches = 0;
        try
        {
            while (true)
            {
                var (handled, renewed, position) = await RunBatchAsync(subscriber, mine, from, ct);
                if (renewed is null)
                {
                    // The batch that caught up released the lease with its checkpoint.
                    return false;
                }

                (mine, from) = (renewed.Value, position);
                if (handled < subscriber.BatchSize)
                {
                    break;
                }

                if (++batches == EventSubscriberSettings.BatchesPerRound)
                {
                    await ReleaseAsync(subscriber.Name, mine);
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: hand the subscriber back at once instead of waiting for the lease to expire.
            await ReleaseAsync(subscriber.Name, mine);
            throw;
        }
        catch (LeaseLostException)
        {
            // Another node took over after our lease ran out; our batch rolled back, it carries on.
            return false;
        }
#pragma warning disable CA1031 // Whatever the handler threw is recorded and retried later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await FailAsync(subscriber.Name, mine, e);
            return false;
        }

        await ReleaseAsync(subscriber.Name, mine);
        return false;
    }

    /// <summary>
    /// The lease token and the checkpoint it starts from when this node now runs the subscriber;
    /// null when it is not due, has nothing new, or is another node's.
    /// </summary>
    private async Task<(DateTime Lease, long From)?> ClaimAsync(EventSubscriber subscriber, Checkpoint? checkpoint, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;

        // A cheap read first, the checkpoint and whether anything follows it in one round trip: an
        // idle store should not write every poll (on SQLite even an UPDATE of no row takes the write lock).
        var row = checkpoint ?? await Checkpoints(db).SingleOrDefaultAsync(c => c.Name == subscriber.Name, ct);
        if (row is null)
        {
            await CreateAsync(db, subscriber, now, ct);
            row = await Checkpoints(db).SingleAsync(c => c.Name == subscriber.Name, ct);
        }

        if (row.NextAttemptAt > now || row.LeaseUntil >= now || !row.More)
        {
            return null;
        }

        // Guarded by the checkpoint read too: if another node moved it meanwhile, this round passes
        // and the next one reads it afresh, so each batch can start from a position known exactly.
        var lease = Retries.LeaseToken(now + settings.Lease);
        var claimed = await db.EventSubscriptions
            .Where(s => s.Name == subscriber.Name && s.Position == row.Position && s.NextAttemptAt <= now && (s.LeaseUntil == null || s.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, lease), ct);
        return claimed == 1 ? (lease, row.Position) : null;
    }

    private async Task<Dictionary<string, Checkpoint>> ReadCheckpointsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        return await Checkpoints(db).ToDictionaryAsync(c => c.Name, StringComparer.Ordinal, ct);
    }

    /// <summary>Each subscriber's checkpoint, and whether published events follow it.</summary>
    private static IQueryable<Checkpoint> Checkpoints(StorekeepDbContext db) =>
        db.EventSubscriptions.AsNoTracking()
            .Select(s => new Checkpoint
            {
                Name = s.Name,
                NextAttemptAt = s.NextAttemptAt,
                LeaseUntil = s.LeaseUntil,
                Position = s.Position,
                More = db.OutboxEvents.Any(e => e.Position > s.Position),
            });

    private sealed class Checkpoint
    {
        public required string Name { get; init; }
        public DateTime NextAttemptAt { get; init; }
        public DateTime? LeaseUntil { get; init; }
        public long Position { get; init; }
        public bool More { get; init; }
    }

    /// <summary>The subscriber's first checkpoint; another node creating it at the same time is fine.</summary>
    private static async Task CreateAsync(StorekeepDbContext db, EventSubscriber subscriber, DateTime now, CancellationToken ct)
    {
        var start = subscriber.Start == SubscriberStart.Latest ? await db.OutboxEvents.MaxAsync(e => e.Position, ct) ?? 0 : 0;
        db.EventSubscriptions.Add(new EventSubscription { Name = subscriber.Name, Position = start, NextAttemptAt = now, UpdatedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Transactions.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Hands the subscriber the events after its checkpoint <paramref name="from"/> and advances it,
    /// in one transaction. Returns how many events it passed, the renewed lease (null when this
    /// batch caught up and released it with the advance, sparing a round trip) and the new checkpoint.
    /// </summary>
    private async Task<(int Handled, DateTime? Lease, long Position)> RunBatchAsync(EventSubscriber subscriber, DateTime lease, long from, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<StorekeepDbContext>();
        return await db.InTransactionAsync(async token =>
        {
            // Every event is read for its position, but only the payloads this subscriber handles:
            // most subscribers handle a few types, and each of them reading every payload made
            // every extra event (a discount's discount.used) cost eight payload reads.
            var handled = subscriber.HandledTypes;
            var events = await db.OutboxEvents.AsNoTracking()
                .Where(e => e.Position > from)
                .OrderBy(e => e.Position)
                .Take(subscriber.BatchSize)
                .Select(e => new { e.Id, e.Type, Payload = handled.Contains(e.Type) ? e.Payload : null, e.OccurredAt, Position = e.Position!.Value })
                .ToListAsync(token);
            if (events.Count == 0)
            {
                return (0, (DateTime?)lease, from);
            }

            foreach (var e in events.Where(e => e.Payload is not null && subscriber.Handles(e.Type)))
            {
                var context = new EventContext(e.Id, e.Type, e.Position, e.OccurredAt, subscriber.Name);
                bool read;
                try
                {
                    read = await subscriber.HandleAsync(services, e.Payload!, context, token);
                }
                catch (Exception inner) when (!Transactions.IsTransient(inner) && (inner is not OperationCanceledException || !token.IsCancellationRequested))
                {
                    throw new EventHandlerFailedException(context, inner);
                }

                if (!read)
                {
                    // A payload that does not read as its type never will: holding the subscriber on it would stop it for good.
                    LogUnreadable(subscriber.Name, e.Id, e.Type, e.Position);
                }
            }

            if (services.GetRequiredService(subscriber.Service) is IEventBatchCompletion completion)
            {
                await completion.CompleteBatchAsync(token);
            }

            await db.SaveFailingWholeAsync(token);
            var now = clock.GetUtcNow().UtcDateTime;
            var renewed = events.Count < subscriber.BatchSize ? (DateTime?)null : Retries.LeaseToken(now + settings.Lease);

            // Caught up: not due again until its pause has passed (a batch still behind goes on at once).
            var due = renewed is null ? now + settings.PauseOf(subscriber) : now;
            var advanced = await db.EventSubscriptions
                .Where(s => s.Name == subscriber.Name && s.LeaseUntil == lease && s.Position == from)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Position, events[^1].Position)
                    .SetProperty(x => x.Attempts, 0)
                    .SetProperty(x => x.LastError, (string?)null)
                    .SetProperty(x => x.LeaseUntil, renewed)
                    .SetProperty(x => x.NextAttemptAt, due)
                    .SetProperty(x => x.UpdatedAt, now), token);
            return advanced == 1 ? (events.Count, renewed, events[^1].Position) : throw new LeaseLostException();
        }, ct);
    }

    private async Task FailAsync(string name, DateTime lease, Exception e)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var mine = db.EventSubscriptions.Where(s => s.Name == name && s.LeaseUntil == lease);
        if (await mine.Select(s => (int?)s.Attempts).SingleOrDefaultAsync(CancellationToken.None) is not { } before)
        {
            return;
        }

        var attempts = before + 1;
        var now = clock.GetUtcNow().UtcDateTime;
        var next = now + Retries.Backoff(attempts, settings.RetryBase, settings.RetryMax);
        var cause = e is EventHandlerFailedException failed ? failed.InnerException! : e;
        var error = e is EventHandlerFailedException
            ? $"{e.Message} {cause.GetType().Name}: {cause.Message}"
            : $"{cause.GetType().Name}: {cause.Message}";
        error = error.Length > EventSubscription.MaxErrorLength ? error[..EventSubscription.MaxErrorLength] : error;
        await mine.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Attempts, attempts)
            .SetProperty(x => x.LastError, error)
            .SetProperty(x => x.NextAttemptAt, next)
            .SetProperty(x => x.LeaseUntil, (DateTime?)null)
            .SetProperty(x => x.UpdatedAt, now), CancellationToken.None);
        LogFailed(cause, name, attempts, error, next);
    }

    private async Task ReleaseAsync(string name, DateTime lease)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        await db.EventSubscriptions.Where(s => s.Name == name && s.LeaseUntil == lease)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, (DateTime?)null), CancellationToken.None);
    }

    private static List<EventSubscriber> Distinct(IEnumerable<EventSubscriber> subscribers)
    {
        var list = subscribers.ToList();
        var twice = list.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? list : throw new InvalidOperationException($"Two event subscribers are named '{twice.Key}'; each needs its own checkpoint.");
    }

    private sealed class LeaseLostException : Exception;

    private sealed class EventHandlerFailedException(EventContext context, Exception inner)
        : Exception($"Event {context.EventId} ({context.Type}, position {context.Position}) failed:", inner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} failed (attempt {Attempts}): {Error} Next attempt at {NextAttemptAt:O}.")]
    private partial void LogFailed(Exception exception, string subscriber, int attempts, string error, DateTime nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} skipped event {EventId} ({Type}, position {Position}): its payload does not read as that event.")]
    private partial void LogUnreadable(string subscriber, Guid eventId, string type, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} could not run this round; retrying at the next one.")]
    private partial void LogRoundFailed(string subscriber, Exception exception);
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Data;

namespace Storekeep.Events;

/// <summary>
/// Publishes committed events: gives each a feed <see cref="OutboxEvent.Position"/> (strictly
/// increasing, in order of occurrence (then id) within a round) and queues one delivery per active webhook that wants
/// it. Only one publisher assigns positions at a time: on PostgreSQL it takes a transaction-level
/// advisory lock and skips the round when another node holds it; SQLite's IMMEDIATE transaction
/// already serialises writers. Positions are assigned after commit, so an event whose transaction
/// commits late still lands after everything a feed reader has already seen. In-process subscribers
/// read the published feed afterwards, each in its own transaction (<see cref="EventSubscriberRunner"/>).
/// </summary>
public sealed class OutboxPublisher(StorekeepDbContext db, TimeProvider clock)
{
    /// <summary>The advisory lock key ("SKOUTBOX" in ASCII) that makes one node the publisher of a round.</summary>
    public const long PostgresLockKey = 0x534B_4F55_5442_4F58;

    public const int DefaultBatchSize = 500;

    /// <summary>Publishes up to <paramref name="batchSize"/> events; returns how many.</summary>
    public async Task<int> PublishAsync(int batchSize = DefaultBatchSize, CancellationToken ct = default)
    {
        // A cheap read first: an idle store should not take the write lock every poll.
        if (!await db.OutboxEvents.AnyAsync(e => e.Position == null, ct))
        {
            return 0;
        }

        return await db.InTransactionAsync(async token =>
        {
            if (db.IsPostgres && !await TryTakePublisherLockAsync(token))
            {
                return 0;
            }

            var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.IsActive).ToListAsync(token);
            var now = clock.GetUtcNow().UtcDateTime;
            var events = await NumberNextBatchAsync(batchSize, now, token);
            foreach (var outboxEvent in events)
            {
                foreach (var webhook in webhooks.Where(w => w.Wants(outboxEvent.Type)))
                {
                    db.WebhookDeliveries.Add(new WebhookDelivery
                    {
                        WebhookId = webhook.Id,
                        EventId = outboxEvent.Id,
                        Status = DeliveryStatus.Pending,
                        NextAttemptAt = now,
                        CreatedAt = now,
                    });
                }
            }

            return events.Count;
        }, ct);
    }

    /// <summary>
    /// Gives the next batch of unpublished events their positions, after the last one given, in order
    /// of occurrence (then id), in one statement: the events' payloads are never read, and a batch of
    /// events costs one round trip rather than a read and an update per event. Run under the
    /// publisher's lock, so the last position it reads is the last one given.
    /// </summary>
    private async Task<List<PublishedEvent>> NumberNextBatchAsync(int batchSize, DateTime now, CancellationToken ct) =>
        await db.Database.SqlQuery<PublishedEvent>($"""
            UPDATE outbox_events SET position = batch.last_position + batch.rank, published_at = {now}
            FROM (
              SELECT next.event_id, next.last_position, ROW_NUMBER() OVER (ORDER BY next.occurred_at, next.event_id) AS rank
              FROM (
                SELECT id AS event_id, occurred_at, (SELECT COALESCE(MAX(position), 0) FROM outbox_events) AS last_position
                FROM outbox_events WHERE position IS NULL ORDER BY occurred_at, id LIMIT {batchSize}
              ) AS next
            ) AS batch
            WHERE outbox_events.id = batch.event_id
            RETURNING id AS "Id", type AS "Type"
            """).ToListAsync(ct);

    internal sealed class PublishedEvent
    {
        public Guid Id { get; init; }
        public string Type { get; init; } = "";
    }

    private async Task<bool> TryTakePublisherLockAsync(CancellationToken ct)
    {
        var taken = await db.Database
            .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({PostgresLockKey}) AS \"Value\"")
            .SingleAsync(ct);
        return taken;
    }
}

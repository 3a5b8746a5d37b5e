using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Storekeep.Data;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>
/// Sends due webhook deliveries. A batch is claimed by one guarded UPDATE that sets a lease, so two
/// nodes never send the same delivery at once; each renews that lease as its attempt begins, and the outcome is written back only while that lease is
/// still ours. No transaction stays open across the HTTP call. Delivery is at least once (a node
/// that dies after sending but before recording lets the lease expire and the next node resends),
/// so receivers de-duplicate by event id.
/// </summary>
public sealed partial class WebhookDeliverer(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    TimeProvider clock,
    WebhookSettings settings,
    ILogger<WebhookDeliverer> logger)
{
    public const string HttpClientName = "storekeep-webhooks";
    private const int MaxErrorLength = 2000;

    /// <summary>Attempts the deliveries due now, a few at a time; returns how many this node attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> claimed;
        DateTime claim;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            claim = Shared.Retries.LeaseToken(now + settings.Lease);
            claimed = await Shared.Retries.ClaimDueAsync(db, "webhook_deliveries",
                "EXISTS (SELECT 1 FROM webhooks w WHERE w.id = webhook_deliveries.webhook_id AND w.is_active)", now, claim, settings.BatchSize, ct);
        }

        return await Shared.Retries.AttemptEachAsync(claimed, settings.Concurrency, (id, token) => DeliverAsync(id, claim, token), ct);
    }

    /// <summary>Sends and records one delivery this node claimed; false when its claim ran out and another node has it.</summary>
    private async Task<bool> DeliverAsync(Guid deliveryId, DateTime claim, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StorekeepDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;

        if (await Shared.Retries.RenewLeaseAsync(db, "webhook_deliveries", deliveryId, claim, now, settings.Lease, ct) is not { } lease)
        {
            return false;
        }

        var work = await (
            from d in db.WebhookDeliveries
            where d.Id == deliveryId
            join w in db.Webhooks on d.WebhookId equals w.Id
            join e in db.OutboxEvents on d.EventId equals e.Id
            select new { d.Attempts, w.Url, w.Secret, EventId = e.Id, e.Type, e.OccurredAt, e.Position, e.Payload })
            .AsNoTracking()
            .SingleAsync(ct);

        var body = StorekeepJson.Serialize(EventEnvelope.From(work.EventId, work.Type, work.OccurredAt, work.Position ?? 0, work.Payload));
        var mine = db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.LeaseUntil == lease);
        var attempts = work.Attempts + 1;
        (int? Status, string? Error) outcome;
        try
        {
            outcome = await SendAsync(work.Url, work.Secret, work.EventId, work.Type, body, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: hand the delivery back at once instead of waiting for the lease to expire.
            await mine.ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, (DateTime?)null), CancellationToken.None);
            throw;
        }

        var finished = clock.GetUtcNow().UtcDateTime;
        if (outcome.Error is null)
        {
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DeliveryStatus.Succeeded)
                .SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.LastStatusCode, outcome.Status)
                .SetProperty(d => d.LastError, (string?)null)
                .SetProperty(d => d.DeliveredAt, finished)
                .SetProperty(d => d.LeaseUntil, (DateTime?)null), CancellationToken.None);
            return true;
        }

        var givesUp = attempts >= settings.MaxAttempts;
        var next = finished + settings.RetryDelay(attempts);
        var error = outcome.Error.Length > MaxErrorLength ? outcome.Error[..MaxErrorLength] : outcome.Error;
        await mine.ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Status, givesUp ? DeliveryStatus.Failed : DeliveryStatus.Pending)
            .SetProperty(d => d.Attempts, attempts)
            .SetProperty(d => d.LastStatusCode, outcome.Status)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LeaseUntil, (DateTime?)null), CancellationToken.None);
        if (givesUp)
        {
            LogGaveUp(deliveryId, work.Url, attempts, error);
        }
        else
        {
            LogFailed(deliveryId, work.Url, attempts, error, next);
        }

        return true;
    }

    private async Task<(int? Status, string? Error)> SendAsync(string url, string secret, Guid eventId, string type, string body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Sign(secret, clock.GetUtcNow().ToUnixTimeSeconds(), body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventIdHeader, eventId.ToString());
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventTypeHeader, type);
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"The receiver answered {status} {response.ReasonPhrase}.");
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {settings.Timeout.TotalSeconds:0} seconds.");
        }
    }


    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Url} failed (attempt {Attempts}): {Error} Next attempt at {NextAttemptAt:O}.")]
    private partial void LogFailed(Guid deliveryId, string url, int attempts, string error, DateTime nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Url} failed {Attempts} times and is marked failed: {Error} It can be retried by hand.")]
    private partial void LogGaveUp(Guid deliveryId, string url, int attempts, string error);
}

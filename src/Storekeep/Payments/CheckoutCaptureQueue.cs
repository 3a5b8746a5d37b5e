using System.Threading.Channels;
using Microsoft.Extensions.Configuration;

namespace Storekeep.Payments;

/// <summary>
/// When the capture that follows a card checkout runs (<c>Payments:CheckoutCapture</c>):
/// <list type="bullet">
/// <item><c>request</c> (the default): inside the checkout request, so its answer shows the order paid.</item>
/// <item><c>batched</c>: after the answer, by this node's <c>CheckoutCaptureService</c>, many orders'
/// captures recorded in one transaction. The checkout answers with the order authorized; it turns
/// paid (and raises <c>order.paid</c>) a moment later. The request is spared a transaction, and
/// with a live gateway a second call to it.</item>
/// </list>
/// Either way the order's commit already claimed the payment (<c>capturing</c>): that row is the
/// durable record that a capture is due. The queue is only this node's list of what it committed;
/// if the node dies before it gets through it, <see cref="StalledCaptures"/> finishes the rest
/// under the same idempotency keys.
/// </summary>
public sealed class CheckoutCaptureQueue
{
    public const string Request = "request";
    public const string Batched = "batched";

    private readonly Channel<Guid> _payments = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });

    public CheckoutCaptureQueue(IConfiguration configuration)
    {
        var mode = configuration["Payments:CheckoutCapture"]?.Trim().ToLowerInvariant();
        IsBatched = mode switch
        {
            null or "" or Request => false,
            Batched => true,
            _ => throw new InvalidOperationException(
                $"Payments:CheckoutCapture is '{configuration["Payments:CheckoutCapture"]}'; use '{Request}' (capture inside the checkout request) or '{Batched}' (capture after the answer, in batches)."),
        };
    }

    /// <summary>True when checkouts leave their capture to the background service.</summary>
    public bool IsBatched { get; }

    /// <summary>Called after the order's commit, with its payment already claimed for capture.</summary>
    public void Enqueue(Guid paymentId) => _payments.Writer.TryWrite(paymentId);

    /// <summary>Waits until a payment is queued; false once <paramref name="ct"/> is cancelled.</summary>
    public async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            return await _payments.Reader.WaitToReadAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Up to <paramref name="max"/> queued payments, without waiting; empty when none are queued.</summary>
    public List<Guid> Take(int max)
    {
        var batch = new List<Guid>();
        while (batch.Count < max && _payments.Reader.TryRead(out var id))
        {
            batch.Add(id);
        }

        return batch;
    }
}

using Storekeep.Payments;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Holds captures or voids at the gateway until <see cref="Release"/>.</summary>
public sealed class GatewayGate
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HoldCaptures { get; set; }
    public bool HoldVoids { get; set; }
    public TaskCompletionSource CaptureEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource VoidEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    public IPaymentGateway Wrap(TestPaymentGateway inner) => new Wrapper(inner, this);

    private sealed class Wrapper(TestPaymentGateway inner, GatewayGate gate) : DelegatingGateway(inner)
    {
        public override async Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
        {
            if (gate.HoldCaptures)
            {
                gate.CaptureEntered.TrySetResult();
                await gate._release.Task;
            }

            return await base.CaptureAsync(reference, amount, currency, idempotencyKey, ct);
        }

        public override async Task<GatewayResult> VoidAsync(string reference, string idempotencyKey, CancellationToken ct)
        {
            if (gate.HoldVoids)
            {
                gate.VoidEntered.TrySetResult();
                await gate._release.Task;
            }

            return await base.VoidAsync(reference, idempotencyKey, ct);
        }
    }
}

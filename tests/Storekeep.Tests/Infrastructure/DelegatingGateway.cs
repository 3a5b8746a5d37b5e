using Storekeep.Payments;

namespace Storekeep.Tests.Infrastructure;

/// <summary>Passes every call on to the test gateway; a test overrides the call it holds, loses or fails.</summary>
public class DelegatingGateway(TestPaymentGateway inner) : IPaymentGateway
{
    public string Name => inner.Name;

    protected TestPaymentGateway Inner => inner;

    public virtual Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct) => inner.AuthorizeAsync(request, ct);

    public virtual Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        inner.CaptureAsync(reference, amount, currency, idempotencyKey, ct);

    public virtual Task<GatewayResult> VoidAsync(string reference, string idempotencyKey, CancellationToken ct) => inner.VoidAsync(reference, idempotencyKey, ct);

    public virtual Task<GatewayResult> RefundAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct) =>
        inner.RefundAsync(reference, amount, currency, idempotencyKey, ct);
}

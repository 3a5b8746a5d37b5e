namespace Storekeep.Payments;

public sealed record AuthorizeRequest(
    decimal Amount,
    string Currency,
    string Token,
    string IdempotencyKey,
    string? Email = null,
    string? Description = null);

/// <summary>What a gateway answered. A decline is a normal answer, not an exception.</summary>
public sealed record GatewayResult(
    bool Approved,
    string? Reference = null,
    string? DeclineCode = null,
    string? Message = null,
    string? CardBrand = null,
    string? Last4 = null)
{
    public static GatewayResult Declined(string code, string message) => new(false, DeclineCode: code, Message: message);
}

/// <summary>
/// A card processor. Every call carries an idempotency key so a retried call never moves money
/// twice. Amounts are in major units of <c>currency</c>.
/// </summary>
public interface IPaymentGateway
{
    string Name { get; }

    Task<GatewayResult> AuthorizeAsync(AuthorizeRequest request, CancellationToken ct);

    Task<GatewayResult> CaptureAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct);

    Task<GatewayResult> VoidAsync(string reference, string idempotencyKey, CancellationToken ct);

    Task<GatewayResult> RefundAsync(string reference, decimal amount, string currency, string idempotencyKey, CancellationToken ct);
}

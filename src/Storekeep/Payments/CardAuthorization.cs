using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>Authorizing a card before an order is placed (checkout, a quote accepted): a decline is the shopper's answer, not a result.</summary>
public static class CardAuthorization
{
    /// <summary>
    /// The approved authorization; a decline throws 402 <c>payment_declined</c> (with its
    /// <c>declineCode</c>) and a token the gateway does not know 400 <c>invalid_payment_token</c>.
    /// </summary>
    public static async Task<GatewayResult> AuthorizeOrRefuseAsync(this IPaymentGateway gateway, AuthorizeRequest request, CancellationToken ct)
    {
        var authorization = await gateway.AuthorizeAsync(request, ct);
        if (authorization.Approved)
        {
            return authorization;
        }

        throw authorization.DeclineCode == "invalid_token"
            ? Errors.BadRequest("invalid_payment_token", authorization.Message ?? "The payment token is not valid.")
            : new StorekeepException(ErrorKind.PaymentRequired, "payment_declined", authorization.Message ?? "The card was declined.")
            {
                Extensions = new Dictionary<string, object?> { ["declineCode"] = authorization.DeclineCode },
            };
    }
}

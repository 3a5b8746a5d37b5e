using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Payments.Stripe;
using Storekeep.Web.Hosting;
using Storekeep.Web.Api;

namespace Storekeep.Web.Payments;

public static class PaymentsEndpoints
{
    public sealed record StripeWebhookResponse(bool Received, string EventId, string Type, bool Duplicate);

    public static RouteGroupBuilder MapPaymentsEndpoints(this RouteGroupBuilder api)
    {
        var payments = api.MapGroup("/payments").WithTags("Payments");

        // Stripe calls this without an API key; the Stripe-Signature header is the authentication.
        payments.MapPost("/stripe/webhook", StripeWebhook)
            .WithName("StripeWebhook")
            .WithSummary("Receives Stripe events: verified by their Stripe-Signature, recorded once per event id.")
            .Accepts<object>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .AllowAnonymous()
            .RequireRateLimiting(StorekeepApp.PublicRateLimit);
        return api;
    }

    private static async Task<Ok<StripeWebhookResponse>> StripeWebhook(HttpRequest request, StripeWebhookProcessor processor, CancellationToken ct)
    {
        // The signature covers the exact bytes Stripe sent, so the body is read raw, never re-serialized.
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var payload = await reader.ReadToEndAsync(ct);
        var outcome = await processor.ProcessAsync(payload, request.Headers["Stripe-Signature"].ToString(), ct);
        return TypedResults.Ok(new StripeWebhookResponse(true, outcome.EventId, outcome.Type, outcome.Duplicate));
    }
}

using Storekeep.Access;
using Storekeep.Payments;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Payments;

/// <summary>Payments, captures, refunds, and the payment gateways (Stripe, the test gateway).</summary>
public sealed class PaymentsModule : StorekeepModule
{
    public override string Name => "Payments";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("raw_card_data_not_accepted", 400, "A card number was sent; cards are taken by the payment gateway, never by Storekeep."),
        new("capture_in_progress", 409, "A card capture is at the gateway; try again once it is recorded."),
        new("capture_failed", 502, "The payment gateway did not capture."),
        new("payment_not_authorized", 409, "Only an authorized card payment can be captured."),
        new("payment_gateway_error", 502, "The payment processor refused the request."),
        new("payment_intent_unexpected_state", 409, "The payment intent cannot change in its current state (it is already authorized, captured or canceled)."),
        new("invalid_amount", 422, "The amount cannot be charged in this currency."),
        new("refund_exceeds_captured", 422, "The refund is more than what is left of the captured amount."),
        new("refund_failed", 502, "The payment gateway did not refund."),
        new("refund_pending", 502, "The gateway did not answer; the refund stays pending until a retry learns the outcome."),
        new("refund_not_pending", 409, "Only a pending refund can be retried."),
        new("refund_exceeds_quantity", 422, "A line refund asks for more units of a line than are left to refund."),
        new("refund_line_unknown", 422, "A line refund names a SKU the order does not have."),
        new("invalid_signature", 400, "The Stripe webhook signature does not verify."),
        new("invalid_payload", 400, "The webhook payload is not a Stripe event."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.RefundsCreate, Role.Owner, Role.Manager, Role.Support),
    ];

    public override IEnumerable<string> EventTypes => [Storekeep.Events.EventTypes.RefundCreated];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<RefundService>();
        services.AddScoped<PaymentService>();
        services.AddScoped<PaymentCapture>();
        services.AddScoped<StalledCaptures>();
        services.AddHostedService<StalledCaptureSweepService>();
        services.AddSingleton<CheckoutCaptureQueue>();
        services.AddHostedService<CheckoutCaptureService>();
        services.AddScoped<PaymentVoid>();
        services.AddPaymentGateways();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPaymentsEndpoints();
}

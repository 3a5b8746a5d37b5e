using Storekeep.Access;
using Storekeep.Payments;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Payments;

/// <summary>Payments, captures, refunds, and the payment gateways (Stripe, the test gateway).</summary>
public sealed class PaymentsModule : StorekeepModule
{
    public override string Name => "Payments";

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
        services.AddPaymentGateways();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPaymentsEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Support;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Support;

/// <summary>Support tickets: the conversation with the customer, replies by email, SLA clocks in business hours (docs/support.md).</summary>
public sealed class SupportModule : StorekeepModule
{
    public override string Name => "Support";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("unknown_order", 422, "A ticket's orderId names no order."),
        new("unknown_assignee", 422, "A ticket's assigneeId names no staff user."),
        new("ticket_closed", 409, "The ticket is closed: it takes no more messages or changes."),
        new("invalid_inbound_secret", 403, "The inbound-email webhook's X-Storekeep-Inbound-Secret header is missing or wrong."),
        new("unreadable_email", 400, "The inbound email is not a MIME message with a From address."),
        new("sender_mismatch", 422, "An inbound email answers a ticket but its sender is not the ticket's customer."),
        new("sender_unverified", 422, "An inbound email's sender was not verified by the receiving mail server (Support:InboundAuthServId set; DMARC, DKIM or SPF did not pass for the From domain)."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(TicketPermissions.Read, Role.Owner, Role.Manager, Role.Support),
        new(TicketPermissions.Write, Role.Owner, Role.Manager, Role.Support),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(15, "Tickets", "/admin/tickets", Icons.Material.Filled.SupportAgent, TicketPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new SupportSettings(configuration));
        services.AddScoped<Tickets>();
        services.AddScoped<InboundEmails>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapSupportEndpoints();
}

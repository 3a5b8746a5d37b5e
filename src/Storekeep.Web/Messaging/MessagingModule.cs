using MudBlazor;
using Storekeep.Access;
using Storekeep.Messaging;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Messaging;

/// <summary>Email: templates, the message log, and delivery over SMTP.</summary>
public sealed class MessagingModule : StorekeepModule
{
    public override string Name => "Messaging";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("message_already_sent", 409, "A sent message is never sent again."),
        new("unknown_placeholder", 422, "The template uses placeholders it cannot fill (the problem carries placeholders)."),
        new("invalid_recipient", 422, "The recipient is not a plain email address."),
        new("invalid_twilio_signature", 403, "An inbound SMS webhook whose X-Twilio-Signature is missing or does not verify."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.MessagesRead, Role.Owner, Role.Manager, Role.Support, Role.Marketing),
        new(Storekeep.Access.Permissions.MessagesManage, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(60, "Messages", "/admin/messages", Icons.Material.Filled.Email, Storekeep.Access.Permissions.MessagesRead, MatchAll: true),
        new(70, "Email templates", "/admin/messages/templates", Icons.Material.Filled.EditNote, Storekeep.Access.Permissions.MessagesManage),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration) => services.AddMessaging();

    public override void MapApi(RouteGroupBuilder api) => api.MapMessagingEndpoints();
}

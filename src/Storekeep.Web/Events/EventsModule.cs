using MudBlazor;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Events;

/// <summary>The event outbox, the event feed, and webhooks that deliver it.</summary>
public sealed class EventsModule : StorekeepModule
{
    public override string Name => "Events";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("webhook_url_not_allowed", 422, "The webhook URL is or resolves to a private, loopback or otherwise internal address."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.EventsRead, Role.Owner, Role.Manager),
        new(Storekeep.Access.Permissions.WebhooksManage, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(130, "Webhooks", "/admin/settings/webhooks", Icons.Material.Filled.Webhook, Storekeep.Access.Permissions.WebhooksManage),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<WebhookSettings>();
        services.AddScoped<OutboxPublisher>();
        services.AddScoped<EventFeed>();
        services.AddScoped<WebhookService>();
        services.AddSingleton<WebhookAddressPolicy>();
        services.AddSingleton<WebhookDeliverer>();
        services.AddHttpClient(WebhookDeliverer.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<WebhookSettings>().Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Storekeep-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // No redirects and no proxy: the address policy must judge the address actually connected to.
                AllowAutoRedirect = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = sp.GetRequiredService<WebhookAddressPolicy>().ConnectAsync,
            });
        services.AddEventSubscriptions();
        services.AddHostedService<EventDispatcherService>();
    }

    public override void MapApi(RouteGroupBuilder api)
    {
        api.MapEventsEndpoints();
        api.MapWebhooksEndpoints();
    }
}

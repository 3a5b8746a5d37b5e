using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Payments;
using Storekeep.Web.Api;

namespace Storekeep.Web.Hosting;

/// <summary>Where each capability registers its services and maps its endpoints: one line each.</summary>
public static class Capabilities
{
    public static IServiceCollection AddStorekeepCapabilities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiKeyService>();
        services.AddSingleton<TestPaymentGateway>();
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<TestPaymentGateway>());
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<WebhookSettings>();
        services.AddScoped<OutboxPublisher>();
        services.AddScoped<EventFeed>();
        services.AddScoped<WebhookService>();
        services.AddSingleton<WebhookDeliverer>();
        services.AddHttpClient(WebhookDeliverer.HttpClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<WebhookSettings>().Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Storekeep-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddHostedService<EventDispatcherService>();
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        api.MapEventsEndpoints();
        api.MapWebhooksEndpoints();
        return api;
    }
}

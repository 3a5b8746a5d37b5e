using Storekeep.Access;
using Storekeep.Payments;
using Storekeep.Web.Api;

namespace Storekeep.Web.Hosting;

/// <summary>Where each capability registers its services and maps its endpoints: one line each.</summary>
public static class Capabilities
{
    public static IServiceCollection AddStorekeepCapabilities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiKeyService>();
        services.AddPaymentGateways();
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        api.MapPaymentsEndpoints();
        return api;
    }
}

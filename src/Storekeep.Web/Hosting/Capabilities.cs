using Storekeep.Access;
using Storekeep.Demo;
using Storekeep.Payments;
using Storekeep.Web.Api;

namespace Storekeep.Web.Hosting;

/// <summary>Where each capability registers its services and maps its endpoints: one line each.</summary>
public static class Capabilities
{
    public static IServiceCollection AddStorekeepCapabilities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiKeyService>();
        services.AddScoped<DemoStoreSeeder>();
        services.AddSingleton<TestPaymentGateway>();
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<TestPaymentGateway>());
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        return api;
    }
}

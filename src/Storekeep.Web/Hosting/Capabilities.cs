using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Web.Api;

namespace Storekeep.Web.Hosting;

/// <summary>Where each capability registers its services and maps its endpoints: one line each.</summary>
public static class Capabilities
{
    public static IServiceCollection AddStorekeepCapabilities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiKeyService>();
        services.AddScoped<ApiKeyAdministration>();

        services.AddScoped<CatalogService>();

        services.AddScoped<InventoryService>();
        services.AddScoped<WarehouseService>();
        services.AddScoped<StockService>();

        services.AddScoped<CheckoutSettings>();
        services.AddScoped<CartService>();
        services.AddScoped<CheckoutService>();

        services.AddScoped<OrderQueries>();

        services.AddSingleton<OutboxSignal>();

        services.AddPaymentGateways();
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        api.MapAccessEndpoints();
        api.MapCatalogEndpoints();
        api.MapInventoryEndpoints();
        api.MapCheckoutEndpoints();
        api.MapOrdersEndpoints();
        api.MapSettingsEndpoints();
        api.MapPaymentsEndpoints();
        return api;
    }
}

using Storekeep.Access;
using Storekeep.Catalog;
using Storekeep.Checkout;
using Storekeep.Events;
using Storekeep.Fulfillment;
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

        services.AddScoped<CatalogService>();

        services.AddScoped<InventoryService>();
        services.AddScoped<WarehouseService>();
        services.AddScoped<StockService>();

        services.AddScoped<CheckoutSettings>();
        services.AddScoped<CartService>();
        services.AddScoped<CheckoutService>();

        services.AddScoped<OrderQueries>();
        services.AddScoped<OrderCancellation>();

        services.AddScoped<ShipmentService>();
        services.AddScoped<PickListService>();
        services.AddScoped<ReturnService>();
        services.AddScoped<RefundService>();
        services.AddScoped<PaymentService>();

        services.AddSingleton<OutboxSignal>();

        services.AddSingleton<TestPaymentGateway>();
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<TestPaymentGateway>());
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        api.MapCatalogEndpoints();
        api.MapInventoryEndpoints();
        api.MapCheckoutEndpoints();
        api.MapOrdersEndpoints();
        api.MapFulfillmentEndpoints();
        api.MapSettingsEndpoints();
        return api;
    }
}

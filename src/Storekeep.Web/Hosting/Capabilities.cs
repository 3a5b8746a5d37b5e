using Storekeep.Access;
using Storekeep.Analytics;
using Storekeep.Catalog;
using Storekeep.Catalog.ShopifyCsv;
using Storekeep.Checkout;
using Storekeep.Demo;
using Storekeep.Events;
using Storekeep.Fulfillment;
using Storekeep.Inventory;
using Storekeep.Messaging;
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
        services.AddScoped<ShopifyCsvImporter>();
        services.AddScoped<ShopifyCsvExporter>();
        services.AddSingleton<Storekeep.Storefront.CatalogChangeSignal>();
        services.AddScoped<Storekeep.Storefront.StorefrontCatalog>();
        services.AddScoped<ProductBulkChanges>();
        services.AddScoped<Storekeep.Customers.CustomerDirectory>();

        services.AddScoped<InventoryService>();
        services.AddScoped<WarehouseService>();
        services.AddScoped<StockService>();
        services.AddScoped<StockTotals>();

        services.AddScoped<CheckoutSettings>();
        services.AddScoped<CartService>();
        services.AddScoped<CheckoutService>();
        services.AddSingleton<UnpaidOrderPolicy>();
        services.AddScoped<UnpaidOrderSweep>();
        services.AddHostedService<UnpaidOrderSweepService>();
        services.AddScoped<Storekeep.Storefront.StorefrontCheckout>();
        services.AddScoped<Storekeep.Storefront.CustomerAccounts>();
        services.AddScoped<Storekeep.Storefront.FunnelQueries>();

        services.AddScoped<OrderQueries>();
        services.AddScoped<OrderSearch>();
        services.AddScoped<OrderCancellation>();

        services.AddScoped<ShipmentService>();
        services.AddScoped<PickListService>();
        services.AddScoped<ReturnService>();
        services.AddScoped<RefundService>();
        services.AddScoped<PaymentService>();
        services.AddScoped<PaymentCapture>();

        services.AddSingleton<OutboxSignal>();

        services.AddPaymentGateways();

        services.AddSingleton<WebhookSettings>();
        services.AddScoped<OutboxPublisher>();
        services.AddScoped<EventFeed>();
        services.AddScoped<WebhookService>();
        services.AddScoped<Storekeep.Audit.AuditQueries>();
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
        services.AddHostedService<EventDispatcherService>();

        services.AddScoped<DemoStoreSeeder>();

        services.AddScoped<DailySalesRollup>();
        services.AddEventSubscriber<DailySalesRollup>(DailySalesRollup.SubscriberName);
        services.AddScoped<SalesDashboard>();

        services.AddMessaging();
        services.AddHostedService<IdempotencyCleanupService>();
        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        api.MapAccessEndpoints();
        api.MapCatalogEndpoints();
        api.MapCatalogImportEndpoints();
        api.MapInventoryEndpoints();
        api.MapCheckoutEndpoints();
        api.MapOrdersEndpoints();
        api.MapAnalyticsEndpoints();
        api.MapFulfillmentEndpoints();
        api.MapSettingsEndpoints();
        api.MapPaymentsEndpoints();
        api.MapEventsEndpoints();
        api.MapWebhooksEndpoints();
        api.MapMessagingEndpoints();
        return api;
    }
}

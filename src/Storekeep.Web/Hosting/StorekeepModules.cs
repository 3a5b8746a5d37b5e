using Storekeep.Access;
using Storekeep.Web.AbandonedCarts;
using Storekeep.Web.Access;
using Storekeep.Web.Accounts;
using Storekeep.Web.Analytics;
using Storekeep.Web.Attribution;
using Storekeep.Web.Audit;
using Storekeep.Web.Campaigns;
using Storekeep.Web.Catalog;
using Storekeep.Web.Companies;
using Storekeep.Web.Checkout;
using Storekeep.Web.Customers;
using Storekeep.Web.Demo;
using Storekeep.Web.Events;
using Storekeep.Web.Experiments;
using Storekeep.Web.Fulfillment;
using Storekeep.Web.Idempotency;
using Storekeep.Web.Inventory;
using Storekeep.Web.Invoices;
using Storekeep.Web.Loyalty;
using Storekeep.Web.Messaging;
using Storekeep.Web.Orders;
using Storekeep.Web.Payments;
using Storekeep.Web.Planning;
using Storekeep.Web.PriceLists;
using Storekeep.Web.Pricing;
using Storekeep.Web.Promotions;
using Storekeep.Web.Purchasing;
using Storekeep.Web.Quotes;
using Storekeep.Web.Recommendations;
using Storekeep.Web.Sales;
using Storekeep.Web.Segments;
using Storekeep.Web.Storefront;
using Storekeep.Web.Store;
using Storekeep.Web.Support;

namespace Storekeep.Web.Hosting;

/// <summary>The capabilities Storekeep is made of. Adding one is one line here (docs/adding-a-capability.md).</summary>
public static class StorekeepModules
{
    public static readonly IReadOnlyList<StorekeepModule> All =
    [
        new StoreModule(),
        new PricingModule(),
        new PriceListsModule(),
        new AccessModule(),
        new AccountsModule(),
        new AuditModule(),
        new CatalogModule(),
        new InventoryModule(),
        new CustomersModule(),
        new SegmentsModule(),
        new CampaignsModule(),
        new CheckoutModule(),
        new OrdersModule(),
        new PaymentsModule(),
        new FulfillmentModule(),
        new PurchasingModule(),
        new PromotionsModule(),
        new LoyaltyModule(),
        new AttributionModule(),
        new AbandonedCartsModule(),
        new SupportModule(),
        new ExperimentsModule(),
        new RecommendationsModule(),
        new EventsModule(),
        new MessagingModule(),
        new AnalyticsModule(),
        new PlanningModule(),
        new SalesModule(),
        new CompaniesModule(),
        new QuotesModule(),
        new InvoicesModule(),
        new StorefrontModule(),
        new IdempotencyModule(),
        new DemoModule(),
    ];

    /// <summary>Every permission, with the roles that hold it: what the API and the back office enforce.</summary>
    public static readonly IReadOnlyDictionary<string, Role[]> PermissionGrants =
        All.SelectMany(m => m.Permissions).ToDictionary(g => g.Permission, g => g.Roles, StringComparer.Ordinal);

    /// <summary>The back office's menu, in order.</summary>
    public static readonly IReadOnlyList<AdminNavEntry> Navigation = [.. All.SelectMany(m => m.Navigation).OrderBy(e => e.Position)];

    /// <summary>Every problem code the API answers with, by capability.</summary>
    public static IEnumerable<(StorekeepModule Module, ErrorCode Error)> ErrorCodes =>
        All.SelectMany(m => m.ErrorCodes.Select(e => (m, e)));

    public static IServiceCollection AddStorekeepModules(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var module in All)
        {
            module.AddServices(services, configuration);
        }

        return services;
    }

    public static RouteGroupBuilder MapStorekeepApi(this RouteGroupBuilder api)
    {
        foreach (var module in All)
        {
            module.MapApi(api);
        }

        return api;
    }

    public static IEndpointRouteBuilder MapStorekeepPages(this IEndpointRouteBuilder app)
    {
        foreach (var module in All)
        {
            module.MapPages(app);
        }

        return app;
    }
}

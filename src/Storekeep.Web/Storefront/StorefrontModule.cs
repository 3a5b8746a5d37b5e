using Storekeep.Web.Hosting;
using Storekeep.Web.Storefront.Account;
using Storekeep.Web.Storefront.Cart;

namespace Storekeep.Web.Storefront;

/// <summary>
/// The shop front shoppers see (server-rendered pages): its output cache, its visit events for
/// the funnel, and its form posts (cart, account). Its data comes from Catalog, Checkout and Customers.
/// </summary>
public sealed class StorefrontModule : StorekeepModule
{
    public override string Name => "Storefront";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("cross_site_request", 403, "A storefront form without an antiforgery token (add to cart) was posted from another site."),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutputCache(StorefrontCache.AddPolicies);
        services.AddSingleton<StorefrontCache>();
        services.AddSingleton<StorefrontEvents>();
        services.AddSingleton<IStorefrontEvents>(sp => sp.GetRequiredService<StorefrontEvents>());
        services.AddHostedService<StorefrontEventWriter>();
    }

    public override void MapPages(IEndpointRouteBuilder app)
    {
        AccountEndpoints.MapStorefrontAccountEndpoints(app);
        app.MapStorefrontEndpoints();
        _ = app.ServiceProvider.GetRequiredService<StorefrontCache>(); // subscribes to catalog changes from the start
        CartEndpoints.MapStorefrontCartEndpoints(app);
    }
}

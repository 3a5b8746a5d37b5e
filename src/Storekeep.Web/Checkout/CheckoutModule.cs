using Storekeep.Checkout;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Checkout;

/// <summary>Carts, quotes and checkout (API and storefront), and the sweep of unpaid manual orders.</summary>
public sealed class CheckoutModule : StorekeepModule
{
    public override string Name => "Checkout";

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CheckoutSettings>();
        services.AddScoped<CartService>();
        services.AddScoped<CheckoutService>();
        services.AddSingleton<UnpaidOrderPolicy>();
        services.AddScoped<UnpaidOrderSweep>();
        services.AddHostedService<UnpaidOrderSweepService>();
        services.AddScoped<Storekeep.Storefront.StorefrontCheckout>();
        services.AddScoped<Storekeep.Storefront.CustomerAccounts>();
        services.AddScoped<Storekeep.Storefront.FunnelQueries>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCheckoutEndpoints();
}

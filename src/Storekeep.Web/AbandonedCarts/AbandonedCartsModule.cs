using MudBlazor;
using Storekeep.AbandonedCarts;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.AbandonedCarts;

/// <summary>Abandoned-cart recovery: a sequence of reminder emails with a restore link, and what it recovered (docs/marketing.md).</summary>
public sealed class AbandonedCartsModule : StorekeepModule
{
    public override string Name => "AbandonedCarts";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("abandoned_cart_steps_not_ascending", 422, "Each abandoned-cart step's delayMinutes must be greater than the one before."),
        new("abandoned_cart_discount_invalid", 422, "An abandoned-cart step's discountId names no discount with a code."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(75, "Abandoned carts", "/admin/abandoned-carts", Icons.Material.Filled.RemoveShoppingCart, AbandonedCartPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new AbandonedCartOptions(configuration));
        services.AddSingleton<AbandonedCartSignal>();
        services.AddScoped<AbandonedCartSettingsService>();
        services.AddScoped<AbandonedCartSender>();
        services.AddScoped<AbandonedCartRestore>();
        services.AddScoped<AbandonedCartReport>();
        services.AddHostedService<AbandonedCartService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapAbandonedCartEndpoints();

    public override void MapPages(IEndpointRouteBuilder app) => app.MapAbandonedCartRestore();
}

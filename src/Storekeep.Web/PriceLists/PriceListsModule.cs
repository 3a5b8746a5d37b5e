using MudBlazor;
using Storekeep.Access;
using Storekeep.PriceLists;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.PriceLists;

/// <summary>B2B price lists: fixed prices with volume tiers, or a percentage off (docs/sales.md).</summary>
public sealed class PriceListsModule : StorekeepModule
{
    public override string Name => "PriceLists";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("price_list_exists", 409, "A price list with this name already exists."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(PriceListPermissions.Read, Role.Owner, Role.Manager, Role.Sales),
        new(PriceListPermissions.Write, Role.Owner, Role.Manager),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(36, "Price lists", "/admin/price-lists", Icons.Material.Filled.RequestQuote, PriceListPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Storekeep.PriceLists.PriceLists>();
        services.AddScoped<BuyerPrices>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPriceListsEndpoints();
}

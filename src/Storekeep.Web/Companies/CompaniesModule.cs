using MudBlazor;
using Storekeep.Companies;
using Storekeep.Sales;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Companies;

/// <summary>Business accounts with several buyers, payment terms, credit limit and an owner rep (permissions: Sales').</summary>
public sealed class CompaniesModule : StorekeepModule
{
    public override string Name => "Companies";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("unknown_price_list", 422, "The company's priceListId names no price list."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(17, "Companies", "/admin/companies", Icons.Material.Filled.Business, SalesPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Storekeep.Companies.Companies>();
        services.AddScoped<CompanyDirectory>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCompaniesEndpoints();
}

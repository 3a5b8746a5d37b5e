using Storekeep.Companies;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Companies;

/// <summary>Business accounts with several buyers, payment terms, credit limit and an owner rep (permissions: Sales').</summary>
public sealed class CompaniesModule : StorekeepModule
{
    public override string Name => "Companies";

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<Storekeep.Companies.Companies>();

    public override void MapApi(RouteGroupBuilder api) => api.MapCompaniesEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Experiments;
using Storekeep.Promotions;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Experiments;

/// <summary>Experiments (A/B tests): storefront content, offers and campaign variants, sticky assignment, results with tests per variant (docs/marketing.md).</summary>
public sealed class ExperimentsModule : StorekeepModule
{
    public override string Name => "Experiments";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("experiment_not_draft", 409, "Only a draft experiment can start; this one is running or stopped."),
        new("experiment_not_running", 409, "Only a running experiment can stop."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(ExperimentPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(ExperimentPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(76, "Experiments", "/admin/experiments", Icons.Material.Filled.Science, ExperimentPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ExperimentVisitor>();
        services.AddSingleton<RunningExperimentsCache>();
        services.AddScoped<ExperimentExposures>();
        services.AddScoped<ExposureTallies>();
        services.AddScoped<ExperimentService>();
        services.AddScoped<IAutomaticDiscountAudience, OfferExperimentAudience>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapExperimentEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Messaging;
using Storekeep.Recommendations;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Recommendations;

/// <summary>Personalisation (docs/marketing.md): "customers also bought" from co-purchase counts, and each visitor's recently viewed products.</summary>
public sealed class RecommendationsModule : StorekeepModule
{
    public override string Name => "Recommendations";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(RecommendationPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(RecommendationPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(77, "Recommendations", "/admin/recommendations", Icons.Material.Filled.Recommend, RecommendationPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CoPurchases>();
        services.AddScoped<RecentlyViewed>();
        services.AddHostedService<RecentlyViewedPruneService>();
        services.AddScoped<IOrderEmailSuggestions, CoPurchases>();
        services.AddEventSubscriber<CoPurchaseSubscriber>(CoPurchaseSubscriber.SubscriberName);
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapRecommendationsEndpoints();
}

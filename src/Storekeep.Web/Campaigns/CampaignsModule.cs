using MudBlazor;
using Storekeep.Access;
using Storekeep.Campaigns;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Campaigns;

/// <summary>Campaigns: email and SMS to a segment, throttled from the outbox, with opens, clicks, unsubscribes and attributed orders (docs/marketing.md).</summary>
public sealed class CampaignsModule : StorekeepModule
{
    public override string Name => "Campaigns";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("campaign_already_sent", 409, "The campaign is sending, sent or cancelled: a campaign is sent once."),
        new("campaign_not_editable", 409, "Sending began: only drafts and scheduled campaigns can change."),
        new("campaign_finished", 409, "The campaign was sent or cancelled: there is nothing left to cancel."),
        new("unknown_segment", 422, "No segment has the given id."),
        new("unknown_customer", 422, "No customer has the given id."),
        new("unknown_campaign", 422, "No campaign has the given id."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(CampaignPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(CampaignPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(53, "Campaigns", "/admin/campaigns", Icons.Material.Filled.Send, CampaignPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CampaignSettings>();
        services.AddScoped<Storekeep.Campaigns.Campaigns>();
        services.AddScoped<CampaignTracking>();
        services.AddScoped<Storekeep.Experiments.IExperimentTallySource, CampaignExperimentTallies>();
        services.AddSingleton<CampaignSignal>();
        services.AddSingleton<CampaignDispatcher>();
        services.AddHostedService<CampaignDispatchService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCampaignEndpoints();

    public override void MapPages(IEndpointRouteBuilder app) => app.MapCampaignTrackingEndpoints();
}

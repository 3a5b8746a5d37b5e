using MudBlazor;
using Storekeep.Access;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Web.Admin.Customers;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Customers;

/// <summary>The people who buy: their profiles and purchase history.</summary>
public sealed class CustomersModule : StorekeepModule
{
    public override string Name => "Customers";

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(Storekeep.Access.Permissions.CustomersRead, Role.Owner, Role.Manager, Role.Sales, Role.Support, Role.Marketing),
        new(CustomerPermissions.Write, Role.Owner, Role.Manager, Role.Support, Role.Marketing),
    ];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("customer_exists", 409, "A customer with this email already exists."),
        new("invalid_customer_csv", 400, "The customer import file is not CSV or has no email column; nothing was imported."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(50, "Customers", "/admin/customers", Icons.Material.Filled.People, Storekeep.Access.Permissions.CustomersRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CustomerDirectory>();
        services.AddScoped<CustomerRegistry>();
        services.AddScoped<CustomerAccounts>();
        services.AddScoped<CustomerProfiles>();
        services.AddScoped<CustomerFigures>();
        services.AddScoped<CustomerTimeline>();
        services.AddReplicaReader<CustomerCsvExporter>((sp, db) => [ActivatorUtilities.CreateInstance<CustomerFigures>(sp, db)]);
        services.AddScoped<CustomerCsvImporter>();
        services.AddScoped<RfmScoring>();
        services.AddScoped<CustomerOrderStats>();
        services.AddEventSubscriber<CustomerOrderStatsSubscriber>(CustomerOrderStatsSubscriber.SubscriberName);
        services.AddSingleton(new RfmSettings(
            configuration.GetValue("Customers:RfmWindowDays", RfmSettings.Default.WindowDays),
            // A minute to a week (a timer cannot wait longer than 49 days; scores older than a week mislead).
            Math.Clamp(configuration.GetValue("Customers:RfmScoreEveryMinutes", RfmSettings.Default.ScoreEveryMinutes), 1, 7 * 24 * 60)));
        services.AddHostedService<RfmScoringService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCustomersEndpoints().MapCustomerCsvEndpoints();

    public override void MapPages(IEndpointRouteBuilder app) => app.MapCustomerCsvDownload();
}

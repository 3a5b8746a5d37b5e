using MudBlazor;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Loyalty;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Loyalty;

/// <summary>Loyalty points: the program, the points ledger per customer, tiers by 12-month spend and redemption at checkout (docs/promotions.md).</summary>
public sealed class LoyaltyModule : StorekeepModule
{
    public override string Name => "Loyalty";

    public override IEnumerable<string> EventTypes => [Storekeep.Events.EventTypes.LoyaltyPointsChanged];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("insufficient_points", 422, "The customer's points balance does not cover the points asked for (a redemption, a negative adjustment); nothing changed."),
        new("loyalty_not_enabled", 422, "The store's loyalty program is switched off, so points cannot be redeemed."),
        new("loyalty_minimum_not_met", 422, "Fewer points than the program's minimumRedeemPoints were asked for."),
        new("loyalty_redemption_too_large", 422, "The points are worth more than the cart after its discounts."),
        new("loyalty_customer_unknown", 422, "Points can be redeemed on a cart only by its signed-in customer (or by staff for the customer whose email the cart carries)."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(LoyaltyPermissions.Read, Role.Owner, Role.Manager, Role.Marketing, Role.Support),
        new(LoyaltyPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(72, "Loyalty", "/admin/loyalty", Icons.Material.Filled.Loyalty, LoyaltyPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<LoyaltyPrograms>();
        services.AddScoped<LoyaltyLedger>();
        services.AddScoped<LoyaltyCheckout>();
        services.AddScoped<LoyaltyRedemptions>();
        services.AddEventSubscriber<LoyaltyOrderEvents>(LoyaltyOrderEvents.SubscriberName);
        services.AddSingleton(new LoyaltyExpirySettings(TimeSpan.FromSeconds(configuration.GetValue("Loyalty:ExpirySweepSeconds", 3600))));
        services.AddHostedService<LoyaltyExpiryService>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapLoyaltyEndpoints();
}

using MudBlazor;
using Storekeep.Access;
using Storekeep.Events;
using Storekeep.Promotions;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Promotions;

/// <summary>Discounts (automatic and by code), codes on carts, and usage limits that hold under concurrency (docs/promotions.md).</summary>
public sealed class PromotionsModule : StorekeepModule
{
    public override string Name => "Promotions";

    public override IEnumerable<string> EventTypes => [Storekeep.Events.EventTypes.DiscountUsed];

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("discount_code_unknown", 422, "No discount has this code (or it is not for this customer)."),
        new("discount_not_active", 422, "The discount is not active now: expired, not started, a draft or deactivated (409 when it stopped while paying)."),
        new("discount_usage_limit_reached", 409, "The discount has been used as often as it allows (422 when entering the code; 409 at checkout, with no order and no charge)."),
        new("discount_minimum_not_met", 422, "The cart does not meet the discount's minimum subtotal or quantity, or has nothing it applies to."),
        new("discount_not_combinable", 422, "The code cannot be combined with a better discount the cart already gets."),
        new("discount_code_taken", 409, "Another discount already has this code."),
    ];

    public override IEnumerable<PermissionGrant> Permissions =>
    [
        new(PromotionsPermissions.Read, Role.Owner, Role.Manager, Role.Marketing),
        new(PromotionsPermissions.Write, Role.Owner, Role.Manager, Role.Marketing),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(52, "Discounts", "/admin/discounts", Icons.Material.Filled.LocalOffer, PromotionsPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Discounts>();
        services.AddScoped<PromotionCandidates>();
        services.AddSingleton<AutomaticDiscountsCache>();
        services.AddScoped<DiscountUsage>();
        services.AddScoped<CartDiscountCodes>();
        services.AddScoped<DiscountPreview>();
        services.AddEventSubscriber<DiscountUseRelease>(DiscountUseRelease.SubscriberName);
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapPromotionsEndpoints();
}

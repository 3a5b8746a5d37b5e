using Storekeep.Pricing;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Pricing;

/// <summary>
/// Where a price is computed: shipping methods, tax rates and <see cref="PriceCalculator"/> (price
/// lists and discounts go here). Its settings are served by the Store module's settings API.
/// </summary>
public sealed class PricingModule : StorekeepModule
{
    public override string Name => "Pricing";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("shipping_method_code_taken", 409, "A shipping method with this code already exists."),
        new("tax_rate_exists", 409, "A tax rate for this country and region already exists."),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddScoped<PricingSettings>();
}

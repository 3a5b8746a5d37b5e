using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Access;
using Storekeep.Pricing;
using Storekeep.Store;
using Storekeep.Web.Api;

namespace Storekeep.Web.Store;

/// <summary>Store settings, shipping methods and tax rates.</summary>
public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsEndpoints(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("").WithTags("Settings").RequireAuthorization(Permissions.SettingsManage);

        settings.MapGet("/settings/store", GetStore).WithName("GetStoreSettings").WithSummary("Store name, currency, tax-inclusive prices.");
        settings.MapPatch("/settings/store", UpdateStore).WithName("UpdateStoreSettings").WithSummary("Change store settings.")
            .ProducesValidationProblem();
        settings.MapGet("/settings/payments", GetPayments).WithName("GetPaymentSettings")
            .WithSummary("The manual payment methods checkout offers besides card (bank_transfer, cash_on_delivery).");
        settings.MapPatch("/settings/payments", UpdatePayments).WithName("UpdatePaymentSettings")
            .WithSummary("Choose the manual payment methods checkout offers; an empty list leaves card only.")
            .WithDescription("A checkout with a method not listed here is 422 payment_method_not_enabled. A new store offers none.")
            .ProducesValidationProblem();
        settings.MapGet("/shipping-methods", ListShipping).WithName("ListShippingMethods").WithSummary("Shipping methods, in display order.");
        settings.MapPost("/shipping-methods", CreateShipping).WithName("CreateShippingMethod")
            .WithSummary("A flat-rate method, free over a threshold when set, for some countries or all ('*').")
            .ProducesValidationProblem().ProducesProblem(409);
        settings.MapGet("/tax-rates", ListTaxRates).WithName("ListTaxRates").WithSummary("Tax rates per country and region.");
        settings.MapPost("/tax-rates", CreateTaxRate).WithName("CreateTaxRate")
            .WithSummary("A tax rate in percent for a country, or one region of it.")
            .ProducesValidationProblem().ProducesProblem(409);
        return api;
    }

    private static async Task<Ok<StoreSettingsView>> GetStore(StoreSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.GetStoreAsync(ct));

    private static async Task<Ok<StoreSettingsView>> UpdateStore(UpdateStoreSettingsRequest request, StoreSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.UpdateStoreAsync(request, ct));

    private static async Task<Ok<PaymentSettingsView>> GetPayments(StoreSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.GetPaymentsAsync(ct));

    private static async Task<Ok<PaymentSettingsView>> UpdatePayments(UpdatePaymentSettingsRequest request, StoreSettingsService settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.UpdatePaymentsAsync(request, ct));

    private static async Task<Ok<IReadOnlyList<ShippingMethodView>>> ListShipping(PricingSettings settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.ListShippingMethodsAsync(ct));

    private static async Task<Created<ShippingMethodView>> CreateShipping(ShippingMethodRequest request, PricingSettings settings, CancellationToken ct)
    {
        var method = await settings.CreateShippingMethodAsync(request, ct);
        return TypedResults.Created($"/api/v1/shipping-methods/{method.Id}", method);
    }

    private static async Task<Ok<IReadOnlyList<TaxRateView>>> ListTaxRates(PricingSettings settings, CancellationToken ct) =>
        TypedResults.Ok(await settings.ListTaxRatesAsync(ct));

    private static async Task<Created<TaxRateView>> CreateTaxRate(TaxRateRequest request, PricingSettings settings, CancellationToken ct)
    {
        var rate = await settings.CreateTaxRateAsync(request, ct);
        return TypedResults.Created($"/api/v1/tax-rates/{rate.Id}", rate);
    }
}

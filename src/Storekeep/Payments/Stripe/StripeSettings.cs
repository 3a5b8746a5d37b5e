using Microsoft.Extensions.Configuration;

namespace Storekeep.Payments.Stripe;

/// <summary>
/// <c>Payments:Gateway</c> picks the card processor; <c>Payments:Stripe:*</c> configures Stripe.
/// Read from <see cref="IConfiguration"/> when first needed, because test hosts add their settings
/// after services are registered.
/// </summary>
public sealed record StripeSettings(string? SecretKey, string? ApiBase, string? WebhookSecret)
{
    public const string Section = "Payments:Stripe";

    /// <summary>Stripe.js, loaded by the storefront's checkout page from Stripe (tests serve a stand-in).</summary>
    public const string DefaultJsUrl = "https://js.stripe.com/v3/";

    /// <summary>The publishable key (<c>pk_live_…</c> / <c>pk_test_…</c>) the checkout page gives Stripe.js.</summary>
    public string? PublishableKey { get; init; }

    public string JsUrl { get; init; } = DefaultJsUrl;

    public static StripeSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return new StripeSettings(
            Blank(section["SecretKey"]),
            Blank(section["ApiBase"]),
            Blank(section["WebhookSecret"]))
        {
            PublishableKey = Blank(section["PublishableKey"]),
            JsUrl = Blank(section["JsUrl"]) ?? DefaultJsUrl,
        };
    }

    /// <summary>The configured gateway name, lower-case: <c>test</c> unless set.</summary>
    public static string GatewayName(IConfiguration configuration) =>
        (Blank(configuration["Payments:Gateway"]) ?? TestPaymentGateway.GatewayName).ToLowerInvariant();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storekeep.Payments.Stripe;

namespace Storekeep.Payments;

/// <summary>
/// <c>Payments:Gateway</c> = <c>test</c> (default) or <c>stripe</c> decides which
/// <see cref="IPaymentGateway"/> checkout and refunds talk to. The test gateway stays registered as
/// itself either way (tests and the demo store use it directly).
/// </summary>
public static class PaymentGatewaySelection
{
    public static IServiceCollection AddPaymentGateways(this IServiceCollection services)
    {
        services.AddSingleton<TestPaymentGateway>();

        // Settings are read at first resolution, not at registration: test hosts add theirs later.
        services.AddSingleton(sp => new StripePaymentGateway(StripeSettings.From(sp.GetRequiredService<IConfiguration>())));
        services.AddSingleton<IPaymentGateway>(sp => Select(sp));

        // The same gateway's payment intents (both gateways implement them).
        services.AddSingleton<IPaymentIntents>(sp => StripeSettings.GatewayName(sp.GetRequiredService<IConfiguration>()) == StripePaymentGateway.GatewayName
            ? sp.GetRequiredService<StripePaymentGateway>()
            : sp.GetRequiredService<TestPaymentGateway>());
        services.AddHostedService<PaymentGatewayStartupCheck>();
        services.AddScoped<StripeWebhookProcessor>();
        return services;
    }

    /// <summary>True while the built-in test gateway takes payments: shop and back office say so in a banner.</summary>
    public static bool IsTestMode(IConfiguration configuration) =>
        StripeSettings.GatewayName(configuration) == TestPaymentGateway.GatewayName;

    private static IPaymentGateway Select(IServiceProvider sp)
    {
        var name = StripeSettings.GatewayName(sp.GetRequiredService<IConfiguration>());
        return name switch
        {
            TestPaymentGateway.GatewayName => sp.GetRequiredService<TestPaymentGateway>(),
            StripePaymentGateway.GatewayName => sp.GetRequiredService<StripePaymentGateway>(),
            _ => throw new InvalidOperationException(
                $"Payments:Gateway is '{name}'; it must be '{TestPaymentGateway.GatewayName}' or '{StripePaymentGateway.GatewayName}'."),
        };
    }

    /// <summary>A misconfigured gateway stops the server at startup, not at a customer's first checkout.</summary>
    private sealed class PaymentGatewayStartupCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<IPaymentGateway>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

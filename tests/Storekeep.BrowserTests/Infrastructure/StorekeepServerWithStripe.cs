using Storekeep.Tests.Infrastructure;
using Storekeep.Tests.Payments;

namespace Storekeep.BrowserTests.Infrastructure;

/// <summary>
/// A <see cref="StorekeepServer"/> in live mode against the local Stripe stand-in: its API, its
/// Stripe.js (the checkout page loads it instead of js.stripe.com) and its signed webhooks; email
/// goes to a real SMTP listener.
/// </summary>
public sealed class StorekeepServerWithStripe : StorekeepServer
{
    public const string WebhookSecret = "whsec_browser_tests";

    public FakeStripe Stripe { get; private set; } = default!;

    public SmtpTestServer Smtp { get; private set; } = default!;

    protected override async ValueTask<IDictionary<string, string?>> MoreSettingsAsync()
    {
        Stripe = await FakeStripe.StartAsync();
        Smtp = await SmtpTestServer.StartAsync();
        return Smtp.Settings(new Dictionary<string, string?>
        {
            ["Payments:Gateway"] = "stripe",
            ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
            ["Payments:Stripe:PublishableKey"] = FakeStripe.PublishableKey,
            ["Payments:Stripe:ApiBase"] = Stripe.BaseUrl,
            ["Payments:Stripe:JsUrl"] = Stripe.BaseUrl + "/v3/",
            ["Payments:Stripe:WebhookSecret"] = WebhookSecret,
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Stripe is not null)
        {
            await Stripe.DisposeAsync();
        }

        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}

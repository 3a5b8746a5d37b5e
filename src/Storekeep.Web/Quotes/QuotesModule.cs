using MudBlazor;
using Storekeep.Access;
using Storekeep.Quotes;
using Storekeep.Sales;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Quotes;

/// <summary>Sales quotes: versions, email with an acceptance link, and acceptance into a reserved-stock order (permissions: Sales').</summary>
public sealed class QuotesModule : StorekeepModule
{
    public override string Name => "Quotes";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("quote_recipient_missing", 422, "The quote's company has no buyers and no email was given."),
        new("unknown_deal", 422, "The quote's dealId names no deal."),
        new("quote_expired", 409, "The quote is past its validUntil day: it can no longer be edited, sent or accepted."),
        new("quote_already_accepted", 409, "The quote was accepted already (the problem names its orderId)."),
        new("quote_declined", 409, "The quote was declined."),
        new("quote_not_sent", 409, "The buyer's link accepts only a sent quote; this one is being revised."),
        new("quote_changed", 409, "The quote was edited, sent or accepted meanwhile; reload it."),
        new("payment_intent_not_supported", 422, "A quote is paid with a card token, a manual method or on terms."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(18, "Quotes", "/admin/sales/quotes", Icons.Material.Filled.RequestQuote, SalesPermissions.Read),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<SalesQuotes>();
        services.AddScoped<QuoteAcceptance>();
        services.AddScoped<QuoteCardPayment>();

        // Stripe's webhook reaches the quote of a buyer who authenticated and then closed the tab.
        services.AddScoped<Storekeep.Payments.IPaymentIntentListener, QuoteCardPayment>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapQuotesEndpoints();
}

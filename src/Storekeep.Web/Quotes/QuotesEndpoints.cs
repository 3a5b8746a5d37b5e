using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Checkout;
using Storekeep.Quotes;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Quotes;

/// <summary>Quotes: reads need <c>sales.read</c>, the rest <c>sales.write</c>. Defined in docs/sales.md, "Quotes".</summary>
public static class QuotesEndpoints
{
    public static RouteGroupBuilder MapQuotesEndpoints(this RouteGroupBuilder api)
    {
        var quotes = api.MapGroup("/sales/quotes").WithTags("Quotes");
        quotes.MapPost("", Create)
            .WithName("CreateSalesQuote")
            .WithSummary("Write a quote (a draft) for a company's buyer or an email: lines at the company's price-list prices for the quantity, or a negotiated unitPrice; validUntil the last day it can be accepted.")
            .WithDescription("Unknown company 422 unknown_company, deal 422 unknown_deal, SKU 422 unknown_sku; a company without buyers and no email 422 quote_recipient_missing; a closed deal 409 deal_closed.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        quotes.MapGet("", List)
            .WithName("ListSalesQuotes")
            .WithSummary("Quotes, newest first; filter by companyId, dealId, status (draft, sent, accepted, expired, declined) or email.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        quotes.MapGet("/{id}", Get)
            .WithName("GetSalesQuote")
            .WithSummary("One quote with its current version's lines (or ?version=n's) and every version's total.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        quotes.MapPut("/{id}", Update)
            .WithName("UpdateSalesQuote")
            .WithSummary("Change a draft, or make a new version of a sent quote (a draft to send again): email, lines, validUntil, note; omitted fields stay.")
            .WithDescription("An accepted, declined or expired quote → 409 quote_already_accepted, quote_declined, quote_expired; edited meanwhile 409 quote_changed.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        quotes.MapPost("/{id}/send", Send)
            .WithName("SendSalesQuote")
            .WithSummary("Email the quote and its acceptance link to the buyer (again after each new version).")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        quotes.MapPost("/{id}/accept", Accept)
            .WithName("AcceptSalesQuote")
            .WithSummary("Accept the quote for the buyer: an order at the quoted prices with stock reserved as at checkout, paid by card (payment.token, or payment.paymentIntentId from POST /payment-intent), a manual method the store takes, or on the company's terms; the quote's deal is won.")
            .WithDescription("Not enough stock 409 insufficient_stock (the quote stays open); expired 409 quote_expired; accepted already 409 quote_already_accepted; card declined 402 payment_declined. By paymentIntentId: 402 payment_intent_not_authorized while the buyer authenticates; a quote revised, expired or short of stock since, or a total that no longer matches (409 payment_amount_mismatch), voids the authorization.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(402).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        quotes.MapPost("/{id}/payment-intent", CreatePaymentIntent)
            .WithName("CreateSalesQuotePaymentIntent")
            .WithSummary("Create (or bring up to date) the quote's payment intent for its current version's total with shipping and tax for shippingAddress/shippingMethod, for a browser that confirms the card itself (Stripe's Payment Element, 3-D Secure).")
            .WithDescription("The answer's clientSecret goes to Stripe.js. After the browser confirms, POST /accept with payment {method: \"card\", paymentIntentId}, or let Stripe's webhook accept the quote: one order however often either arrives. Expired 409 quote_expired; accepted already 409 quote_already_accepted.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        quotes.MapPost("/{id}/decline", Decline)
            .WithName("DeclineSalesQuote")
            .WithSummary("Record that the buyer turned the quote down.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return api;
    }

    private static async Task<Created<SalesQuoteView>> Create(CreateSalesQuoteRequest request, SalesQuotes quotes, HttpContext http, CancellationToken ct)
    {
        var quote = await quotes.CreateAsync(request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/sales/quotes/{quote.Id}", quote);
    }

    private static async Task<Ok<Page<SalesQuoteSummary>>> List(
        [FromQuery] Guid? companyId, [FromQuery] Guid? dealId, [FromQuery] string? status, [FromQuery] string? email,
        [FromQuery] int? limit, [FromQuery] string? cursor, SalesQuotes quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.ListAsync(companyId, dealId, status, email, limit, cursor, ct));

    private static async Task<Ok<SalesQuoteView>> Get(string id, [FromQuery] int? version, SalesQuotes quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.GetAsync(id, version, ct));

    private static async Task<Ok<SalesQuoteView>> Update(string id, UpdateSalesQuoteRequest request, SalesQuotes quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.UpdateAsync(id, request, ct));

    private static async Task<Ok<SalesQuoteView>> Send(string id, SalesQuotes quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.SendAsync(id, ct));

    private static async Task<Ok<PaymentIntentView>> CreatePaymentIntent(string id, QuotePaymentIntentRequest request, QuoteCardPayment cards, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await cards.PrepareAsync(SalesQuotes.ParseId(id), request, byBuyer: false, http.User.Actor(), ct));

    private static async Task<Created<SalesQuoteAcceptance>> Accept(string id, AcceptSalesQuoteRequest request, QuoteAcceptance acceptance, QuoteCardPayment cards, HttpContext http, CancellationToken ct)
    {
        var quoteId = SalesQuotes.ParseId(id);
        var accepted = request.Payment is { Method: "card", Token: null, PaymentIntentId: { } intentId, Extra: null }
            ? await cards.AcceptAsync(quoteId, intentId, ct)
            : await acceptance.AcceptAsync(quoteId, request, byBuyer: false, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/orders/{accepted.OrderId}", accepted);
    }

    private static async Task<Ok<SalesQuoteView>> Decline(string id, SalesQuotes quotes, CancellationToken ct) =>
        TypedResults.Ok(await quotes.DeclineAsync(SalesQuotes.ParseId(id), ct));
}

using Microsoft.EntityFrameworkCore;
using Storekeep.Checkout;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Inventory;
using Storekeep.Invoices;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Quotes;

/// <summary>
/// A quote accepted becomes an order at the quoted prices, placed the way checkout places one: a
/// card is authorized first (a decline leaves nothing behind); then one transaction claims the
/// quote's current version (a guarded update: two acceptances at once make one order), reserves
/// the stock with the same guarded updates as checkout (the last units go to one buyer, the other
/// gets 409 insufficient_stock and the quote stays open), adds the order and its payment (on terms:
/// its invoice, within the company's credit limit) and wins
/// the quote's deal. The card is captured only after that commit; if the transaction fails the
/// authorization is voided. Shipping and tax are added for the delivery address as at checkout.
/// </summary>
public sealed class QuoteAcceptance(
    StorekeepDbContext db,
    SalesQuotes quotes,
    StoreSettingsService storeSettings,
    PricingSettings pricing,
    InventoryService inventory,
    IPaymentGateway gateway,
    PaymentService payments,
    PaymentCapture capture,
    PaymentVoid voids,
    CustomerRegistry customers,
    Deals deals,
    Invoicing invoicing,
    TimeProvider clock)
{
    /// <param name="byBuyer">At the acceptance link: only a sent quote (staff may also accept a draft for the buyer).</param>
    public async Task<SalesQuoteAcceptance> AcceptAsync(Guid quoteId, AcceptSalesQuoteRequest request, bool byBuyer, Actor actor, CancellationToken ct)
    {
        var quote = await FindAsync(quoteId, ct);
        var input = ValidCheckout.From(new CheckoutRequest(quote.Email, request.ShippingAddress, request.ShippingMethod, request.Payment));
        if (input.PaymentIntentId is not null)
        {
            throw Errors.Unprocessable("payment_intent_not_supported", "A quote is paid by a payment intent through POST /sales/quotes/{id}/payment-intent and the buyer's page, not here.");
        }

        var priced = await PriceAsync(quote, input, byBuyer, ct);
        GatewayResult? authorization = null;
        var attempt = Ids.NewId();
        if (input.Method == PaymentMethod.Card)
        {
            authorization = await gateway.AuthorizeOrRefuseAsync(
                new AuthorizeRequest(priced.Totals.Total, quote.Currency, input.Token!, $"quote:{attempt}:authorize", quote.Email, $"Quote {Quote.Display(quote.Number)}"), ct);
        }

        Order order;
        Payment payment;
        try
        {
            (order, payment) = await db.InTransactionAsync(token => PlaceAsync(priced, authorization, actor, token), ct);
        }
        catch (Exception e) when (authorization is { Approved: true })
        {
            await voids.VoidUnrecordedQuietlyAsync(authorization.Reference!, $"quote:{attempt}:void", e);
            throw;
        }

        order = authorization is null ? order : await capture.CaptureAfterCheckoutAsync(order, payment, ct);
        return await AcceptedAsync(quote.Id, order, ct);
    }

    internal async Task<Quote> FindAsync(Guid quoteId, CancellationToken ct) =>
        await db.Set<Quote>().AsNoTracking().FirstOrDefaultAsync(q => q.Id == quoteId, ct) ?? throw Errors.NotFound("Quote", quoteId.ToString());

    internal async Task<SalesQuoteAcceptance> AcceptedAsync(Guid quoteId, Order order, CancellationToken ct) =>
        new(order.Id, order.Number, order.Total, StorekeepDbContext.ToSnakeCase(order.PaymentStatus.ToString()), await quotes.GetAsync(quoteId.ToString(), null, ct));

    /// <summary>
    /// The quote's current version priced for the delivery address, as the order will be placed:
    /// the quoted unit prices (no promotions), shipping and tax as checkout prices them. Refuses a
    /// quote that cannot be accepted now (expired, closed, being revised, a SKU no longer sold).
    /// </summary>
    internal async Task<PricedQuote> PriceAsync(Quote quote, ValidCheckout input, bool byBuyer, CancellationToken ct)
    {
        var store = await storeSettings.GetAsync(ct);
        if (ManualPaymentMethods.IsManual(input.Method) && !ManualPaymentMethods.Enabled(store).Contains(ManualPaymentMethods.Name(input.Method)))
        {
            throw Errors.Unprocessable("payment_method_not_enabled", $"This store does not accept {ManualPaymentMethods.Name(input.Method)}; pay by card.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        SalesQuotes.EnsureOpen(quote, now);
        var termsCompany = input.Method == PaymentMethod.Terms ? await invoicing.TermsCompanyOfQuoteAsync(quote.CompanyId, ct) : (Guid?)null;
        if (byBuyer && quote.Status != QuoteStatus.Sent)
        {
            throw Errors.Conflict("quote_not_sent", $"Quote {Quote.Display(quote.Number)} is being revised; wait for the new version to be sent.");
        }

        var lines = await quotes.LinesAsync(quote.Id, quote.Version, ct);
        var skus = lines.Select(l => l.Sku).ToList();
        var variants = await db.Variants.AsNoTracking().Include(v => v.Product).ThenInclude(p => p!.Category)
            .Where(v => skus.Contains(v.Sku)).ToDictionaryAsync(v => v.Sku, ct);
        if (lines.FirstOrDefault(l => !variants.ContainsKey(l.Sku)) is { } gone)
        {
            throw Errors.Unprocessable("unknown_sku", $"'{gone.Sku}' is no longer sold; ask for a new quote.");
        }

        // The quoted unit prices, no promotions: shipping and tax for the address as checkout prices them.
        var priceLines = lines.Select(l => CheckoutService.PriceLineOf(variants[l.Sku], l.Quantity) with { UnitPrice = l.UnitPrice, CompareAtPrice = null }).ToList();
        var (totals, shipping) = PriceCalculator.Quote(await pricing.GetAsync(ct), priceLines, input.Address.Country, input.Address.Region, input.ShippingMethod,
            store.PricesIncludeTax, new DiscountContext([], [], PromotionCustomer.Guest, now));
        return new PricedQuote(quote, input, variants, totals, shipping, termsCompany, byBuyer);
    }

    /// <summary>
    /// The one placing transaction (card token, payment intent, manual method or terms); the caller
    /// runs it inside its transaction and voids <paramref name="authorization"/> if it throws.
    /// </summary>
    internal async Task<(Order Order, Payment Payment)> PlaceAsync(PricedQuote priced, GatewayResult? authorization, Actor actor, CancellationToken token)
    {
        var (quote, input, variants, totals, shipping, termsCompany, byBuyer) = priced;
        var placedAt = clock.GetUtcNow().UtcDateTime;
        var number = await db.NextOrderNumberAsync(token);
        var customerId = await customers.EnsureAsync(quote.Email, input.Address.Name, input.Address.Country, placedAt, token, orderFollows: true);
        var orderLines = totals.Lines.Select(l => OrderLine.For(variants[l.Sku].Id, l.Sku, CheckoutService.OrderTitle(variants[l.Sku]), l.Quantity, l.UnitPrice, l.LineTotal, l.TaxAmount, variants[l.Sku].Cost)).ToList();
        var placed = Order.Place(number, quote.Email, customerId, quote.Currency, input.Address, shipping?.Code, orderLines,
            totals.ShippingTotal, totals.TaxTotal, totals.PricesIncludeTax, null, placedAt, channel: OrderChannels.Quote);

        // The version that was priced, still open: one acceptance wins, an edit meanwhile refuses.
        var today = DateOnly.FromDateTime(placedAt);
        var claimed = await db.Set<Quote>()
            .Where(q => q.Id == quote.Id && q.Version == quote.Version && q.ValidUntil >= today
                && (q.Status == QuoteStatus.Sent || (!byBuyer && q.Status == QuoteStatus.Draft)))
            .ExecuteUpdateAsync(u => u
                .SetProperty(q => q.Status, QuoteStatus.Accepted)
                .SetProperty(q => q.OrderId, placed.Id)
                .SetProperty(q => q.ClosedAt, placedAt)
                .SetProperty(q => q.UpdatedAt, placedAt), token);
        if (claimed == 0)
        {
            var current = await db.Set<Quote>().AsNoTracking().SingleAsync(q => q.Id == quote.Id, token);
            SalesQuotes.EnsureOpen(current, placedAt);
            throw Errors.Conflict("quote_changed", $"Quote {Quote.Display(quote.Number)} changed while it was being accepted; review the new version.");
        }

        var allocations = await inventory.ReserveAsync(
            orderLines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList(), $"order:{number}", actor, token);
        OrderPlacement.Add(db, placed, allocations);
        var opened = payments.Open(placed, input.Method, authorization, placedAt);
        if (authorization is not null)
        {
            placed.MarkAuthorized(placed.Total, Actor.System, placedAt);
        }
        else if (termsCompany is { } companyId)
        {
            // The company's credit is taken by a guarded update: over its limit, 409 credit_limit_exceeded rolls all of this back.
            await invoicing.IssueForOrderAsync(placed, companyId, placedAt, token);
        }
        else
        {
            placed.Note("awaiting_payment", $"Awaiting {ManualPaymentMethods.Label(ManualPaymentMethods.Name(input.Method)).ToLowerInvariant()} of {placed.Total:0.00} {placed.Currency}.", Actor.System, placedAt);
        }

        placed.Note("quote_accepted", $"Placed by accepting quote {Quote.Display(quote.Number)} (version {quote.Version}).", actor, placedAt);
        if (quote.DealId is { } dealId)
        {
            await deals.WinForOrderAsync(dealId, placed.Id, quote.Total, actor, token);
        }

        return (placed, opened);
    }
}

/// <summary>A quote's current version priced for a delivery address and a way to pay: what <see cref="QuoteAcceptance.PlaceAsync"/> places.</summary>
internal sealed record PricedQuote(
    Quote Quote,
    ValidCheckout Input,
    IReadOnlyDictionary<string, Storekeep.Catalog.ProductVariant> Variants,
    Totals Totals,
    ShippingMethod? Shipping,
    Guid? TermsCompany,
    bool ByBuyer);

using Microsoft.EntityFrameworkCore;
using Storekeep.Attribution;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Invoices;
using Storekeep.Loyalty;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.PriceLists;
using Storekeep.Pricing;
using Storekeep.Promotions;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Checkout;

/// <summary>A cart with the prices checkout charges for it (see <see cref="CheckoutService.PriceCartAsync"/>).</summary>
internal sealed record PricedCart(Cart Cart, IReadOnlyDictionary<string, ProductVariant> Variants, Totals Totals, ShippingMethod? Shipping, StoreSettings Store);

public sealed record QuoteView(string Currency, decimal Subtotal, decimal ShippingTotal, decimal TaxTotal, decimal Total, decimal TaxRate, bool PricesIncludeTax, string? ShippingMethod)
{
    /// <summary>Line discounts plus a shipping discount: Total = Subtotal − DiscountTotal + ShippingTotal + TaxTotal (tax added on top).</summary>
    public decimal DiscountTotal { get; init; }
}

/// <summary>
/// Turns a cart into a paid order. The card is authorized first (a decline leaves nothing behind);
/// then one transaction claims the cart, reserves stock with guarded updates, and writes the
/// order, its payment and its event; only after that commit is the payment captured, inside the
/// request or, with <c>Payments:CheckoutCapture = batched</c>, by the node's capture service with
/// other orders (<see cref="CheckoutCaptureQueue"/>). If the transaction fails (stock ran out,
/// the cart changed) the authorization is voided: no charge.
/// </summary>
public sealed class CheckoutService(
    StorekeepDbContext db,
    StoreSettingsService storeSettings,
    PricingSettings pricing,
    InventoryService inventory,
    IPaymentGateway gateway,
    PaymentService payments,
    PaymentCapture capture,
    CheckoutCaptureQueue captures,
    PaymentVoid voids,
    CustomerRegistry customers,
    UnpaidOrderPolicy unpaidOrders,
    PromotionCandidates promotions,
    DiscountUsage discountUsage,
    LoyaltyCheckout loyalty,
    Touches touches,
    BuyerPrices buyerPrices,
    CartShopper shopper,
    Invoicing invoicing,
    TimeProvider clock)
{
    public async Task<QuoteView> QuoteAsync(Guid cartId, QuoteRequest request, CancellationToken ct)
    {
        var a = request.ShippingAddress;
        CardNumbers.Refuse(request.ShippingMethod, a?.Name, a?.Line1, a?.Line2, a?.City, a?.Region, a?.PostalCode, a?.Country);
        var v = new Validation();
        var address = ValidCheckout.ValidateAddress(v, "shippingAddress", request.ShippingAddress);
        var method = v.Text("shippingMethod", request.ShippingMethod, 32);
        v.ThrowIfInvalid();
        var cart = await LoadActiveCartAsync(cartId, ct);
        var (_, totals, shipping, _) = await PriceAsync(cart, address!, method, cart.Email, shopper.AccountId, ct);
        return new QuoteView(cart.Currency, totals.Subtotal, totals.ShippingTotal, totals.TaxTotal, totals.Total, totals.TaxRatePercent, totals.PricesIncludeTax, shipping?.Code)
        {
            DiscountTotal = totals.DiscountTotal,
        };
    }

    public async Task<Order> CheckoutAsync(Guid cartId, CheckoutRequest request, Actor actor, CheckoutOrigin origin, CancellationToken ct)
    {
        var input = ValidCheckout.From(request);
        if (input.PaymentIntentId is not null)
        {
            throw new ArgumentException("A checkout by payment intent is PaymentIntentCheckout's.", nameof(request));
        }

        var priced = await PriceCartAsync(cartId, input, origin.AccountId, ct);
        var (cart, _, totals, _, store) = priced;
        if (ManualPaymentMethods.IsManual(input.Method) && !ManualPaymentMethods.Enabled(store).Contains(ManualPaymentMethods.Name(input.Method)))
        {
            throw Errors.Unprocessable("payment_method_not_enabled", $"This store does not accept {ManualPaymentMethods.Name(input.Method)}; pay by card.");
        }

        GatewayResult? authorization = null;
        var attempt = Ids.NewId();
        if (input.Method == PaymentMethod.Card)
        {
            authorization = await gateway.AuthorizeOrRefuseAsync(
                new AuthorizeRequest(totals.Total, cart.Currency, input.Token!, $"checkout:{attempt}:authorize", input.Email, $"Cart {cart.Id}"), ct);
        }

        Order order;
        Payment payment;
        try
        {
            (order, payment) = await db.InTransactionAsync(token =>
                PlaceOrderAsync(priced, input, authorization, actor, origin, token, captureFollows: true), ct);
        }
        catch (Exception e) when (authorization is { Approved: true })
        {
            await voids.VoidUnrecordedQuietlyAsync(authorization.Reference!, $"checkout:{attempt}:void", e);
            throw;
        }

        if (authorization is null)
        {
            return order;
        }

        if (captures.IsBatched && payment.Status == PaymentRecordStatus.Capturing)
        {
            // Committed already claimed: this node's capture service takes it with others.
            captures.Enqueue(payment.Id);
            return order;
        }

        // The response is built from the order as the last transaction left it: no second read.
        return await capture.CaptureAfterCheckoutAsync(order, payment, ct);
    }

    /// <summary>
    /// Inside the caller's transaction: claims the priced version of the cart, reserves its stock and
    /// adds the order and its payment (authorized for a card, pending for a manual method). With
    /// <paramref name="captureFollows"/> (the caller captures right after the commit) a card payment
    /// is committed already claimed for capture, which spares the capture its claim transaction.
    /// </summary>
    internal async Task<(Order, Payment)> PlaceOrderAsync(
        PricedCart priced,
        ValidCheckout input,
        GatewayResult? authorization,
        Actor actor,
        CheckoutOrigin origin,
        CancellationToken ct,
        bool captureFollows = false)
    {
        var (cart, variants, totals, shipping, _) = priced;
        if (ManualPaymentMethods.IsManual(input.Method) && !origin.Trusted)
        {
            await EnsureUnpaidOrderSlotAsync(origin.ClientAddress, input.Email, ct);
        }

        // Terms: only the signed-in buyer of a company on terms (422 terms_not_available); not held
        // to the unpaid-order limit or sweep, since its invoice is due later.
        var termsCompany = input.Method == PaymentMethod.Terms ? await invoicing.TermsCompanyOfAccountAsync(origin.AccountId, ct) : (Guid?)null;

        var now = clock.GetUtcNow().UtcDateTime;
        var orderId = Ids.NewId();
        var number = await ClaimCartAsync(cart, orderId, now, ct);
        var customerId = await customers.EnsureAsync(input.Email, input.Address.Name, input.Address.Country, now, ct, orderFollows: true);
        await customers.GrantConsentAsync(customerId, input.Consent.Email, input.Consent.Sms, CustomerRegistry.CheckoutConsentSource, now, ct, input.Phone);
        var lines = totals.Lines.Select(l => OrderLine.For(
            variants[l.Sku].Id, l.Sku, OrderTitle(variants[l.Sku]), l.Quantity, l.UnitPrice, l.LineTotal, l.TaxAmount, variants[l.Sku].Cost, l.Discount,
            [.. l.Allocations.Select(a => new OrderLineDiscount(a.DiscountId, MinorUnits.FromMinor(a.Amount)))])).ToList();
        var order = Order.Place(number, input.Email, customerId, cart.Currency, input.Address, shipping?.Code, lines,
            totals.ShippingTotal, totals.TaxTotal, totals.PricesIncludeTax, cart.Id, now, origin.ClientAddress, origin.AccountId, origin.Channel, totals.ShippingDiscount,
            id: orderId);

        // The discounts' uses are taken here, by guarded updates: a use that is gone rolls all of this back.
        await discountUsage.ReserveAsync(order, totals, now, ct);

        // Redeemed loyalty points leave the ledger here, by a guarded update of the balance: points
        // spent meanwhile throw 422 insufficient_points and roll all of this back.
        if (totals.LoyaltyDiscount > 0)
        {
            await loyalty.RedeemAsync(cart.Id, order.Id, now, ct);
        }

        // The visit that brought the order: its first and last touch, recorded with it.
        await touches.RecordOrderAsync(order.Id, origin.VisitorId, now, ct);

        var allocations = await inventory.ReserveAsync(
            lines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList(), $"order:{number}", actor, ct);
        OrderPlacement.Add(db, order, allocations);

        var payment = payments.Open(order, input.Method, authorization, now, claimForCapture: captureFollows);
        if (authorization is not null)
        {
            order.MarkAuthorized(order.Total, Actor.System, now);
        }
        else if (termsCompany is { } companyId)
        {
            // The credit limit is taken here by a guarded update: over it, 409 credit_limit_exceeded rolls all of this back.
            await invoicing.IssueForOrderAsync(order, companyId, now, ct);
        }
        else
        {
            order.Note("awaiting_payment", $"Awaiting {input.Method switch { PaymentMethod.BankTransfer => "bank transfer", _ => "cash on delivery" }} of {order.Total:0.00} {order.Currency}.", Actor.System, now);
        }

        return (order, payment);
    }

    /// <summary>
    /// Exactly one checkout converts the version of the cart that was priced: a guarded update,
    /// 409 <c>cart_changed</c> when it changes no row. The order's number is taken by the same
    /// statement on PostgreSQL (<c>RETURNING nextval</c>: one round trip, and a checkout that loses
    /// the cart takes no number); SQLite's writer lock makes the next number a plain read after it.
    /// </summary>
    private async Task<long> ClaimCartAsync(Cart cart, Guid orderId, DateTime now, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            var numbers = await db.Database.SqlQueryRaw<long>(
                $"UPDATE carts SET status = {{0}}, order_id = {{1}}, updated_at = {{2}} WHERE id = {{3}} AND status = {{4}} AND version = {{5}} " +
                $"RETURNING nextval('{StorekeepDbContext.OrderNumberSequence}') AS \"Value\"",
                StorekeepDbContext.ToSnakeCase(nameof(CartStatus.CheckedOut)), orderId, now, cart.Id, StorekeepDbContext.ToSnakeCase(nameof(CartStatus.Active)), cart.Version)
                .ToListAsync(ct);
            return numbers.Count == 1 ? numbers[0] : throw CartChanged();
        }

        var claimed = await db.Carts
            .Where(c => c.Id == cart.Id && c.Status == CartStatus.Active && c.Version == cart.Version)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, CartStatus.CheckedOut).SetProperty(c => c.OrderId, orderId).SetProperty(c => c.UpdatedAt, now), ct);
        return claimed == 1 ? await db.NextOrderNumberAsync(ct) : throw CartChanged();
    }

    private static StorekeepException CartChanged() =>
        Errors.Conflict("cart_changed", "The cart changed or was already checked out while paying; review it and try again.");

    /// <summary>
    /// An unpaid manual order holds stock, so one client (address, or email) may have only
    /// <see cref="UnpaidOrderPolicy.MaxOpenPerClient"/> of them open. Counting and then inserting is
    /// safe only if checkouts of one client queue: on PostgreSQL each takes a transaction-scoped
    /// advisory lock on its address and its email first (in one order, so two cannot deadlock), and
    /// a queued checkout counts after the previous one committed (read committed); SQLite's
    /// IMMEDIATE transaction already serialises every writer. Call first thing in the transaction.
    /// </summary>
    private async Task EnsureUnpaidOrderSlotAsync(string clientAddress, string email, CancellationToken ct)
    {
        if (db.IsPostgres)
        {
            foreach (var key in new[] { $"unpaid-orders:address:{clientAddress}", $"unpaid-orders:email:{email}" }.Order(StringComparer.Ordinal))
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
            }
        }

        // Payment "pending" on an open order means a manual method not yet received: card orders
        // are authorized in the transaction that places them.
        var unpaid = db.Orders.Where(o => o.Status == OrderStatus.Open && o.PaymentStatus == PaymentStatus.Pending && o.FulfillmentStatus == FulfillmentStatus.Unfulfilled
            && !db.Payments.Any(p => p.OrderId == o.Id && p.Method == PaymentMethod.Terms));
        var limit = unpaidOrders.MaxOpenPerClient;
        if (await unpaid.CountAsync(o => o.ClientAddress == clientAddress, ct) >= limit ||
            await unpaid.CountAsync(o => o.Email == email, ct) >= limit)
        {
            throw new StorekeepException(ErrorKind.TooManyRequests, "too_many_unpaid_orders",
                $"There are already {limit} unpaid orders from this address or email: pay one of them, or pay this order by card.");
        }
    }

    /// <summary>
    /// The active cart, priced for these checkout details and the storefront account signed in while
    /// ordering (<paramref name="accountId"/>: a buyer pays its company's list prices) exactly as
    /// checkout will charge it.
    /// </summary>
    internal async Task<PricedCart> PriceCartAsync(Guid cartId, ValidCheckout input, Guid? accountId, CancellationToken ct)
    {
        var cart = await LoadActiveCartAsync(cartId, ct);
        var (variants, totals, shipping, store) = await PriceAsync(cart, input.Address, input.ShippingMethod, input.Email, accountId, ct);

        // A code on the cart that no longer applies (used up meanwhile, expired, the cart changed)
        // stops the checkout: the shopper is never charged more than the cart promised.
        if (totals.Promotion?.Rejected.FirstOrDefault() is { } rejected)
        {
            throw CartDiscountCodes.Refusal(rejected.Reason, rejected.Code, atCheckout: true);
        }

        // Points worth more than the cart now costs (items removed after redeeming) would all leave
        // the ledger for a smaller discount: the shopper redeems fewer instead.
        if (totals.LoyaltyRedeemed > totals.LoyaltyDiscount)
        {
            throw Errors.Unprocessable("loyalty_redemption_too_large",
                $"The redeemed points are worth {totals.LoyaltyRedeemed:0.00}, more than the cart's {totals.LoyaltyDiscount:0.00} after its discounts; redeem fewer points.");
        }

        return new PricedCart(cart, variants, totals, shipping, store);
    }

    private async Task<Cart> LoadActiveCartAsync(Guid cartId, CancellationToken ct)
    {
        var cart = await CartReads.CartAsync(db, cartId, ct) ?? throw Errors.NotFound("Cart", cartId.ToString());
        if (cart.Status != CartStatus.Active)
        {
            throw new StorekeepException(ErrorKind.Conflict, "cart_already_checked_out", "This cart has already been checked out.")
            {
                Extensions = new Dictionary<string, object?> { ["orderId"] = cart.OrderId },
            };
        }

        if (cart.Items.Count == 0)
        {
            throw Errors.Unprocessable("cart_empty", "The cart is empty.");
        }

        return cart;
    }

    private async Task<(IReadOnlyDictionary<string, ProductVariant> Variants, Totals Totals, ShippingMethod? Shipping, StoreSettings Store)> PriceAsync(
        Cart cart, Address address, string? shippingMethodCode, string? email, Guid? accountId, CancellationToken ct)
    {
        var store = await storeSettings.GetAsync(ct);
        var rules = await pricing.GetAsync(ct);
        var (codes, redemption) = await CartService.AdjustmentsOfAsync(cart, promotions, loyalty, ct);
        var discounts = await promotions.ForAsync(codes, email, ct) with { LoyaltyAmount = redemption?.Amount ?? 0 };
        var skus = cart.Items.Select(i => i.Sku).ToList();
        var variants = await CartReads.VariantsAsync(db, skus, ct);
        foreach (var item in cart.Items)
        {
            if (!variants.TryGetValue(item.Sku, out var variant) || variant.Product!.Status != ProductStatus.Active)
            {
                throw Errors.Unprocessable("unknown_sku", $"'{item.Sku}' is no longer for sale; remove it from the cart.");
            }
        }

        // A buyer's company price list sets the unit prices; discounts then apply to those as to regular ones.
        var prices = await buyerPrices.ForAccountAsync(accountId, skus, ct);
        var lines = cart.Items.OrderBy(i => i.AddedAt).ThenBy(i => i.Sku).Select(i => PriceLineOf(variants[i.Sku], i.Quantity, prices)).ToList();
        var (totals, shipping) = PriceCalculator.Quote(rules, lines, address.Country, address.Region, shippingMethodCode, store.PricesIncludeTax, discounts);
        return (variants, totals, shipping, store);
    }

    /// <summary>
    /// A cart line as pricing sees it: at the unit price <paramref name="prices"/> give for its
    /// quantity (regular without), category discounts matching the product's category by id or slug.
    /// </summary>
    public static PriceLine PriceLineOf(ProductVariant variant, int quantity, BuyerPriceBook? prices = null) => new(
        variant.Sku, prices?.UnitPrice(variant.Sku, quantity, variant.Price) ?? variant.Price, quantity,
        variant.Product?.Category is { } category ? [category.Id.ToString(), category.Slug] : [],
        variant.CompareAtPrice);

    /// <summary>A line's title as orders (and quotes) show it: the product, and the variant when it has a title.</summary>
    internal static string OrderTitle(ProductVariant variant) =>
        variant.Title is { Length: > 0 } title ? $"{variant.Product!.Title} — {title}" : variant.Product!.Title;
}

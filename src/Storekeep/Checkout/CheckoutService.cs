using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Storekeep.Catalog;
using Storekeep.Customers;
using Storekeep.Data;
using Storekeep.Events;
using Storekeep.Inventory;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;

namespace Storekeep.Checkout;

public sealed record QuoteView(string Currency, decimal Subtotal, decimal ShippingTotal, decimal TaxTotal, decimal Total, decimal TaxRate, bool PricesIncludeTax, string? ShippingMethod);

/// <summary>
/// Turns a cart into a paid order. The card is authorized first (a decline leaves nothing behind);
/// then one transaction claims the cart, reserves stock with guarded updates, and writes the
/// order, its payment and its event; only after that commit is the payment captured. If the
/// transaction fails (stock ran out, the cart changed) the authorization is voided: no charge.
/// </summary>
public sealed class CheckoutService(
    StorekeepDbContext db,
    CheckoutSettings settings,
    InventoryService inventory,
    IPaymentGateway gateway,
    PaymentCapture capture,
    UnpaidOrderPolicy unpaidOrders,
    TimeProvider clock,
    ILogger<CheckoutService> logger)
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
        var (_, totals, shipping, _) = await PriceAsync(cart, address!, method, ct);
        return new QuoteView(cart.Currency, totals.Subtotal, totals.ShippingTotal, totals.TaxTotal, totals.Total, totals.TaxRatePercent, totals.PricesIncludeTax, shipping?.Code);
    }

    public async Task<Order> CheckoutAsync(Guid cartId, CheckoutRequest request, Actor actor, CheckoutOrigin origin, CancellationToken ct)
    {
        var input = ValidCheckout.From(request);
        var cart = await LoadActiveCartAsync(cartId, ct);
        var (variants, totals, shipping, store) = await PriceAsync(cart, input.Address, input.ShippingMethod, ct);
        if (ManualPaymentMethods.IsManual(input.Method) && !ManualPaymentMethods.Enabled(store).Contains(ManualPaymentMethods.Name(input.Method)))
        {
            throw Errors.Unprocessable("payment_method_not_enabled", $"This store does not accept {ManualPaymentMethods.Name(input.Method)}; pay by card.");
        }

        GatewayResult? authorization = null;
        var attempt = Ids.NewId();
        if (input.Method == PaymentMethod.Card)
        {
            authorization = await gateway.AuthorizeAsync(
                new AuthorizeRequest(totals.Total, cart.Currency, input.Token!, $"checkout:{attempt}:authorize", input.Email, $"Cart {cart.Id}"), ct);
            if (!authorization.Approved)
            {
                throw authorization.DeclineCode == "invalid_token"
                    ? Errors.BadRequest("invalid_payment_token", authorization.Message ?? "The payment token is not valid.")
                    : new StorekeepException(ErrorKind.PaymentRequired, "payment_declined", authorization.Message ?? "The card was declined.")
                    {
                        Extensions = new Dictionary<string, object?> { ["declineCode"] = authorization.DeclineCode },
                    };
            }
        }

        Order order;
        Payment payment;
        try
        {
            (order, payment) = await db.InTransactionAsync(token =>
                PlaceOrderAsync(cart, input, variants, totals, shipping, store, authorization, actor, origin, token), ct);
        }
        catch (Exception e) when (authorization is { Approved: true })
        {
            await VoidQuietlyAsync(authorization.Reference!, attempt, e);
            throw;
        }

        // The response is built from the order as the last transaction left it: no second read.
        return authorization is null ? order : await CaptureAsync(order, payment, ct);
    }

    private async Task<(Order, Payment)> PlaceOrderAsync(
        Cart cart,
        ValidCheckout input,
        IReadOnlyDictionary<string, ProductVariant> variants,
        Totals totals,
        ShippingMethod? shipping,
        StoreSettings store,
        GatewayResult? authorization,
        Actor actor,
        CheckoutOrigin origin,
        CancellationToken ct)
    {
        if (ManualPaymentMethods.IsManual(input.Method) && !origin.Trusted)
        {
            await EnsureUnpaidOrderSlotAsync(origin.ClientAddress, input.Email, ct);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var number = await db.NextOrderNumberAsync(ct);
        var customerId = await EnsureCustomerAsync(input, now, ct);
        var lines = totals.Lines.Select(l => new OrderLine
        {
            VariantId = variants[l.Sku].Id,
            Sku = l.Sku,
            Title = OrderTitle(variants[l.Sku]),
            Quantity = l.Quantity,
            UnitPrice = l.UnitPrice,
            LineTotal = l.LineTotal,
            TaxAmount = l.TaxAmount,
        }).ToList();
        var order = Order.Place(number, input.Email, customerId, cart.Currency, input.Address, shipping?.Code, lines,
            totals.ShippingTotal, totals.TaxTotal, totals.PricesIncludeTax, cart.Id, now, origin.ClientAddress, origin.AccountId);

        // Exactly one checkout converts the version of the cart that was priced.
        var claimed = await db.Carts
            .Where(c => c.Id == cart.Id && c.Status == CartStatus.Active && c.Version == cart.Version)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, CartStatus.CheckedOut).SetProperty(c => c.OrderId, order.Id).SetProperty(c => c.UpdatedAt, now), ct);
        if (claimed == 0)
        {
            throw Errors.Conflict("cart_changed", "The cart changed or was already checked out while paying; review it and try again.");
        }

        var allocations = await inventory.ReserveAsync(
            lines.Select(l => new StockRequest(l.Sku, l.Quantity)).ToList(), $"order:{number}", actor, ct);
        db.Orders.Add(order);
        foreach (var allocation in allocations)
        {
            var line = lines.First(l => l.Sku == allocation.Sku);
            db.OrderAllocations.Add(new OrderAllocation
            {
                OrderId = order.Id,
                OrderLineId = line.Id,
                WarehouseId = allocation.WarehouseId,
                Sku = allocation.Sku,
                Quantity = allocation.Quantity,
            });
        }

        var payment = new Payment
        {
            OrderId = order.Id,
            Method = input.Method,
            Gateway = authorization is null ? "manual" : gateway.Name,
            GatewayReference = authorization?.Reference,
            Status = authorization is null ? PaymentRecordStatus.Pending : PaymentRecordStatus.Authorized,
            Amount = order.Total,
            Currency = order.Currency,
            CardBrand = authorization?.CardBrand,
            Last4 = authorization?.Last4,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Payments.Add(payment);
        if (authorization is not null)
        {
            order.MarkAuthorized(order.Total, Actor.System, now);
        }
        else
        {
            order.Note("awaiting_payment", $"Awaiting {input.Method switch { PaymentMethod.BankTransfer => "bank transfer", _ => "cash on delivery" }} of {order.Total:0.00} {order.Currency}.", Actor.System, now);
        }

        db.Raise(OrderEventData.Of<OrderPlaced>(order), now);
        return (order, payment);
    }

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
        var unpaid = db.Orders.Where(o => o.Status == OrderStatus.Open && o.PaymentStatus == PaymentStatus.Pending && o.FulfillmentStatus == FulfillmentStatus.Unfulfilled);
        var limit = unpaidOrders.MaxOpenPerClient;
        if (await unpaid.CountAsync(o => o.ClientAddress == clientAddress, ct) >= limit ||
            await unpaid.CountAsync(o => o.Email == email, ct) >= limit)
        {
            throw new StorekeepException(ErrorKind.TooManyRequests, "too_many_unpaid_orders",
                $"There are already {limit} unpaid orders from this address or email: pay one of them, or pay this order by card.");
        }
    }

    /// <summary>
    /// Takes the authorized money. Runs after the order's commit; if the gateway fails, the order
    /// stays authorized (a person or a retry can capture it later) and the failure is on its timeline.
    /// If the order was cancelled between its commit and here, nothing is captured (see PaymentCapture).
    /// </summary>
    private async Task<Order> CaptureAsync(Order placed, Payment payment, CancellationToken ct)
    {
        if (payment.Status != PaymentRecordStatus.Authorized || payment.GatewayReference is null)
        {
            return placed;
        }

        try
        {
            return (await capture.CaptureAsync(placed.Id, payment.Id, $"payment:{payment.Id}:capture", Actor.System, ct)).Order;
        }
        catch (StorekeepException e) when (e.Kind == ErrorKind.Conflict)
        {
            // Someone else moved the order on in the meantime (cancelled it, say): answer with what it is now.
            db.ChangeTracker.Clear();
            return await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == placed.Id, ct);
        }
    }

    private async Task<Cart> LoadActiveCartAsync(Guid cartId, CancellationToken ct)
    {
        var cart = await db.Carts.AsNoTracking().Include(c => c.Items).FirstOrDefaultAsync(c => c.Id == cartId, ct)
            ?? throw Errors.NotFound("Cart", cartId.ToString());
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
        Cart cart, Address address, string? shippingMethodCode, CancellationToken ct)
    {
        var snapshot = await settings.GetAsync(ct);
        var skus = cart.Items.Select(i => i.Sku).ToList();
        var variants = await db.Variants.AsNoTracking().Include(v => v.Product)
            .Where(v => skus.Contains(v.Sku)).ToDictionaryAsync(v => v.Sku, ct);
        foreach (var item in cart.Items)
        {
            if (!variants.TryGetValue(item.Sku, out var variant) || variant.Product!.Status != ProductStatus.Active)
            {
                throw Errors.Unprocessable("unknown_sku", $"'{item.Sku}' is no longer for sale; remove it from the cart.");
            }
        }

        var shipping = ChooseShipping(snapshot.ShippingMethods, address.Country, shippingMethodCode);
        var taxRate = Pricing.TaxRateFor(snapshot.TaxRates, address.Country, address.Region);
        var totals = Pricing.Calculate(
            cart.Items.OrderBy(i => i.AddedAt).ThenBy(i => i.Sku).Select(i => (i.Sku, variants[i.Sku].Price, i.Quantity)).ToList(),
            shipping, taxRate, snapshot.Store.PricesIncludeTax);
        return (variants, totals, shipping, snapshot.Store);
    }

    private static ShippingMethod? ChooseShipping(IReadOnlyList<ShippingMethod> methods, string country, string? code)
    {
        if (code is not null)
        {
            var chosen = methods.FirstOrDefault(m => string.Equals(m.Code, code, StringComparison.OrdinalIgnoreCase))
                ?? throw new RequestValidationException(new Dictionary<string, string[]> { ["shippingMethod"] = [$"There is no shipping method '{code}'."] });
            return chosen.Serves(country)
                ? chosen
                : throw Errors.Unprocessable("shipping_unavailable", $"'{chosen.Name}' does not ship to {country}.");
        }

        // A store without shipping methods ships free; otherwise the first method serving the country.
        return methods.Count == 0
            ? null
            : methods.FirstOrDefault(m => m.Serves(country))
                ?? throw Errors.Unprocessable("shipping_unavailable", $"The store does not ship to {country}.");
    }

    private async Task<Guid> EnsureCustomerAsync(ValidCheckout input, DateTime now, CancellationToken ct)
    {
        // Insert-if-absent in one statement: concurrent first orders by one email cannot collide.
        var id = Ids.NewId();
        var parts = input.Address.Name.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var first = parts.ElementAtOrDefault(0);
        var last = parts.ElementAtOrDefault(1);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO customers (id, email, first_name, last_name, country, created_at) VALUES ({id}, {input.Email}, {first}, {last}, {input.Address.Country}, {now}) ON CONFLICT (email) DO NOTHING",
            ct);
        return await db.Customers.Where(c => c.Email == input.Email).Select(c => c.Id).SingleAsync(ct);
    }

    private static string OrderTitle(ProductVariant variant) =>
        variant.Title is { Length: > 0 } title ? $"{variant.Product!.Title} — {title}" : variant.Product!.Title;

    private async Task VoidQuietlyAsync(string reference, Guid attempt, Exception cause)
    {
        try
        {
            var result = await gateway.VoidAsync(reference, $"checkout:{attempt}:void", CancellationToken.None);
            if (!result.Approved)
            {
                logger.LogWarning("Voiding authorization {Reference} after a failed checkout was refused: {Message}", reference, result.Message);
            }
        }
        catch (Exception e)
        {
            // An unvoided authorization expires on its own and was never captured: no charge.
            logger.LogWarning(e, "Could not void authorization {Reference} after checkout failed with {Cause}", reference, cause.GetType().Name);
        }
    }
}

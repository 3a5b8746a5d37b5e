using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Checkout;
using Storekeep.Orders;
using Storekeep.Web.Hosting;
using Storekeep.Web.Api;

namespace Storekeep.Web.Checkout;

/// <summary>Carts and checkout: public (a shopper's browser calls them), rate limited.</summary>
public static class CheckoutEndpoints
{
    public static RouteGroupBuilder MapCheckoutEndpoints(this RouteGroupBuilder api)
    {
        var carts = api.MapGroup("/carts").WithTags("Carts and checkout").AllowAnonymous().RequireRateLimiting(StorekeepApp.PublicRateLimit);

        carts.MapPost("/", CreateCart).WithName("CreateCart").WithSummary("Create an empty cart.")
            .ProducesValidationProblem();
        carts.MapGet("/{cartId:guid}", GetCart).WithName("GetCart").WithSummary("A cart with its lines and subtotal.")
            .ProducesProblem(404);
        carts.MapPatch("/{cartId:guid}", UpdateCart).WithName("UpdateCart")
            .WithSummary("Give the cart the shopper's email ({email}); abandoned-cart reminders go to it.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        carts.MapPost("/{cartId:guid}/items", AddItem).WithName("AddCartItem")
            .WithSummary("Add units of a SKU to the cart (more than is available → 409 insufficient_stock).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapPatch("/{cartId:guid}/items/{sku}", SetItemQuantity).WithName("SetCartItemQuantity")
            .WithSummary("Set the quantity of a cart line (0 removes it).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapDelete("/{cartId:guid}/items/{sku}", RemoveItem).WithName("RemoveCartItem").WithSummary("Remove a line from the cart.")
            .ProducesProblem(404).ProducesProblem(409);
        carts.MapPost("/{cartId:guid}/quote", Quote).WithName("QuoteCart")
            .WithSummary("Shipping, tax and total of the cart for an address, without placing an order.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapPost("/{cartId:guid}/payment-intent", CreatePaymentIntent).WithName("CreatePaymentIntent")
            .WithSummary("Create (or bring up to date) the cart's payment intent for its total, for a browser that confirms the card itself.")
            .WithDescription("Send the checkout details (email, shippingAddress, shippingMethod) the order will have; the answer's clientSecret goes to Stripe.js (or to the test gateway). One intent per cart: calling again updates the amount while nothing is authorized. After the browser confirms, POST /checkout with payment {method: \"card\", paymentIntentId}, or let Stripe's webhook place the order.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        carts.MapPost("/{cartId:guid}/checkout", Checkout).WithName("Checkout")
            .WithSummary("Place the order: reserve stock, take payment, record the order as one unit.")
            .WithDescription("Stock gone → 409 insufficient_stock; declined card → 402 payment_declined; in both cases no order is kept, nothing is charged, no stock stays held and the cart is intact. Raw card numbers → 400 raw_card_data_not_accepted. With payment.paymentIntentId the intent must be authorized for the cart's total (402 payment_intent_not_authorized while the shopper authenticates; 409 payment_amount_mismatch voids it); the order is placed once however often this, the shopper's return and Stripe's webhook arrive. A manual method the store does not offer → 422 payment_method_not_enabled; too many open unpaid manual orders from this address or email → 429 too_many_unpaid_orders.")
            .ProducesValidationProblem().ProducesProblem(402).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        return api;
    }

    private static async Task<Created<CartView>> CreateCart([FromBody] CreateCartRequest? request, CartService carts, CancellationToken ct)
    {
        var cart = await carts.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/carts/{cart.Id}", cart);
    }

    private static async Task<Ok<CartView>> GetCart(Guid cartId, CartService carts, CancellationToken ct) =>
        TypedResults.Ok(await carts.ViewAsync(cartId, ct));

    private static async Task<Ok<CartView>> UpdateCart(Guid cartId, UpdateCartRequest request, CartService carts, CancellationToken ct) =>
        TypedResults.Ok(await carts.UpdateAsync(cartId, request, ct));

    private static async Task<Ok<CartView>> AddItem(Guid cartId, CartItemRequest request, CartService carts, CancellationToken ct) =>
        TypedResults.Ok(await carts.AddItemAsync(cartId, request, ct));

    private static async Task<Ok<CartView>> SetItemQuantity(Guid cartId, string sku, CartItemQuantityRequest request, CartService carts, CancellationToken ct) =>
        TypedResults.Ok(await carts.SetQuantityAsync(cartId, sku, request, ct));

    private static async Task<Ok<CartView>> RemoveItem(Guid cartId, string sku, CartService carts, CancellationToken ct) =>
        TypedResults.Ok(await carts.RemoveItemAsync(cartId, sku, ct));

    private static async Task<Ok<QuoteView>> Quote(Guid cartId, QuoteRequest request, CheckoutService checkout, CancellationToken ct) =>
        TypedResults.Ok(await checkout.QuoteAsync(cartId, request, ct));

    private static async Task<Ok<PaymentIntentView>> CreatePaymentIntent(Guid cartId, PaymentIntentRequest request, PaymentIntentCheckout intents, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(await intents.PrepareAsync(cartId, request, http.CheckoutOrigin(), ct));

    private static async Task<Created<OrderView>> Checkout(
        Guid cartId, CheckoutRequest request, CheckoutService checkout, PaymentIntentCheckout intents, HttpContext http, CancellationToken ct)
    {
        var order = request.Payment?.PaymentIntentId is not null
            ? await intents.CheckoutAsync(cartId, request, ct)
            : await checkout.CheckoutAsync(cartId, request, http.User.Actor(), http.CheckoutOrigin(), ct);
        return TypedResults.Created($"/api/v1/orders/{order.Id}", OrderView.From(order));
    }

    /// <summary>
    /// The client's address as this server sees it (a proxy's X-Forwarded-For only counts when
    /// ASPNETCORE_FORWARDEDHEADERS_ENABLED is set); API-key callers are staff integrations. The
    /// signed-in storefront account orders (and is priced) as itself, on the API as on the pages.
    /// </summary>
    public static CheckoutOrigin CheckoutOrigin(this HttpContext http) =>
        Storekeep.Checkout.CheckoutOrigin.From(http.Connection.RemoteIpAddress, http.User.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName)
            with { VisitorId = Storekeep.Web.Attribution.VisitorCookie.Read(http), AccountId = http.SignedInAccountId() };

    /// <summary>The account signed in by the sign-in cookie (shopper or staff); null for guests and API keys.</summary>
    public static Guid? SignedInAccountId(this HttpContext http) =>
        http.User.Identity?.AuthenticationType == Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme
        && Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>Tells the request's <see cref="CartShopper"/> who is signed in, before any endpoint or page prices a cart.</summary>
    public static IApplicationBuilder UseCartShopper(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            http.RequestServices.GetRequiredService<CartShopper>().AccountId = http.SignedInAccountId();
            return next(http);
        });
}

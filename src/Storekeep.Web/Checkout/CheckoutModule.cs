using Storekeep.Checkout;
using Storekeep.Web.Hosting;

namespace Storekeep.Web.Checkout;

/// <summary>Carts, quotes and checkout (API and storefront), and the sweep of unpaid manual orders.</summary>
public sealed class CheckoutModule : StorekeepModule
{
    public override string Name => "Checkout";

    public override IEnumerable<ErrorCode> ErrorCodes =>
    [
        new("cart_not_active", 409, "The cart has been checked out; create a new cart."),
        new("cart_already_checked_out", 409, "The cart was already checked out (the problem carries orderId)."),
        new("cart_changed", 409, "The cart changed while paying; review it and try again."),
        new("cart_empty", 422, "The cart has no items."),
        new("cart_full", 422, "The cart holds the most different products allowed."),
        new("shipping_unavailable", 422, "The chosen shipping method does not ship to the address."),
        new("payment_method_not_enabled", 422, "The store does not offer this manual payment method."),
        new("invalid_payment_token", 400, "The payment gateway does not know the payment token."),
        new("payment_declined", 402, "The card was declined (the problem carries declineCode)."),
        new("too_many_unpaid_orders", 429, "This address or email already has the most open unpaid manual orders allowed."),
        new("checkout_attempt_reused", 409, "The storefront checkout form belongs to another cart."),
        new("checkout_in_progress", 409, "The storefront order is being placed; reload in a moment."),
        new("payment_intent_not_authorized", 402, "The payment intent is not authorized yet (the shopper is authenticating) or was declined (the problem carries paymentIntentId)."),
        new("payment_amount_mismatch", 409, "The payment intent's amount is not what the cart costs now; it was voided."),
        new("payment_intent_mismatch", 422, "The payment intent belongs to another cart."),
        new("payment_canceled", 409, "The payment intent was canceled; nothing was charged."),
    ];

    public override IEnumerable<AdminNavEntry> Navigation =>
    [
        new(12, "Card checkouts", "/admin/card-checkouts", MudBlazor.Icons.Material.Filled.CreditCard, Storekeep.Access.Permissions.OrdersRead),
    ];

    public override void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<CartService>();
        services.AddScoped<CartShopper>();
        services.AddScoped<CheckoutService>();
        services.AddSingleton<UnpaidOrderPolicy>();
        services.AddScoped<UnpaidOrderSweep>();
        services.AddHostedService<UnpaidOrderSweepService>();
        services.AddScoped<StorefrontCheckout>();
        services.AddScoped<PaymentIntentCheckout>();
        services.AddScoped<CheckoutAttempts>();
        services.AddScoped<Storekeep.Payments.IPaymentIntentListener, PaymentIntentCheckout>();
    }

    public override void MapApi(RouteGroupBuilder api) => api.MapCheckoutEndpoints();
}

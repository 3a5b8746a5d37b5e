namespace Storekeep.Web.Storefront.Checkout;

/// <summary>What the shopper reads when checkout refuses, by error code: the checkout form and the return from the bank say the same.</summary>
public static class CheckoutMessages
{
    public static string For(string code, string message) => code switch
    {
        "payment_declined" => $"Your card was declined: {message} Nothing was charged; try another card.",
        "invalid_payment_token" => "Choose one of the test cards.",
        "insufficient_stock" => $"Sorry, part of your order just sold out: {message} Update your cart and try again.",
        "shipping_unavailable" => $"{message} Choose another shipping method or address.",
        "cart_changed" or "cart_already_checked_out" or "cart_not_active" => "Your cart changed while you were checking out; review it and try again.",
        "raw_card_data_not_accepted" => "Card numbers are never accepted in this form.",
        "payment_method_not_enabled" => "Choose one of the payment methods offered.",
        _ => message,
    };

    /// <summary>After the bank: no order was placed although the card was authorized, so the authorization was cancelled.</summary>
    public static string ForFailedAfterAuthorization(string? code, string? message) => code switch
    {
        "insufficient_stock" => $"Sorry, part of your order sold out while you were confirming the payment: {message} The payment was cancelled and nothing was charged. Update your cart and try again.",
        // These messages say themselves that the payment was voided.
        "payment_amount_mismatch" or "payment_canceled" or "payment_intent_mismatch" => message ?? "The payment was cancelled; nothing was charged.",
        _ => $"{For(code ?? "", message ?? "The order could not be placed.")} The payment was cancelled; nothing was charged.",
    };
}

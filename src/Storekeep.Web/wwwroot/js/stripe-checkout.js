// The storefront's card payment step: Stripe's Payment Element confirms the payment intent the
// server created for the cart. Stripe then sends the shopper (after any 3-D Secure challenge or
// redirect method) to the return URL, where the server checks the intent and places the order.
(function () {
    "use strict";
    var mount = document.getElementById("payment-element");
    var button = document.getElementById("pay-button");
    var message = document.getElementById("payment-message");
    if (!mount || !button || typeof Stripe !== "function") {
        if (message) {
            message.textContent = "The payment form could not load. Check your connection and reload the page.";
            message.hidden = false;
        }
        return;
    }

    var stripe = Stripe(mount.dataset.publishableKey);
    var elements = stripe.elements({ clientSecret: mount.dataset.clientSecret });
    elements.create("payment").mount(mount);

    button.addEventListener("click", function (event) {
        event.preventDefault();
        button.disabled = true;
        message.hidden = true;
        stripe.confirmPayment({ elements: elements, confirmParams: { return_url: mount.dataset.returnUrl } })
            .then(function (result) {
                // Only errors come back here: on success Stripe navigates to the return URL.
                if (result && result.error) {
                    message.textContent = (result.error.message || "The payment did not go through.") + " Nothing was charged.";
                    message.hidden = false;
                    button.disabled = false;
                }
            });
    });
})();

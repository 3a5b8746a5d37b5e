using System.Text.Json;
using System.Text.Json.Serialization;
using Storekeep.Customers;
using Storekeep.Orders;
using Storekeep.Payments;
using Storekeep.Shared;
using Storekeep.Store;

namespace Storekeep.Checkout;

public sealed record AddressRequest(string? Name, string? Line1, string? Line2, string? City, string? Region, string? PostalCode, string? Country);

/// <summary>
/// How the customer pays: <c>card</c> with a gateway token or a payment intent the shopper's
/// browser confirmed (<see cref="PaymentIntentId"/>), or a manual method. Anything else a client
/// sends here (a card number, a CVC) is caught by <see cref="Extra"/> and refused.
/// </summary>
public sealed record PaymentRequest(string? Method, string? Token)
{
    /// <summary>Paying on the signed-in buyer's company's terms (an invoice is issued with the order).</summary>
    public const string TermsMethod = "terms";

    public string? PaymentIntentId { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record CheckoutRequest(string? Email, AddressRequest? ShippingAddress, string? ShippingMethod, PaymentRequest? Payment)
{
    /// <summary>What the shopper ticked at checkout; absent or false grants nothing (and never withdraws consent given before).</summary>
    public MarketingConsentRequest? MarketingConsent { get; init; }

    /// <summary>The shopper's mobile phone (optional; required for SMS consent), stored on the customer in E.164 form.</summary>
    public string? Phone { get; init; }
}

/// <summary>Marketing consent given at checkout: <c>{email, sms}</c>, both default false.</summary>
public sealed record MarketingConsentRequest(bool? Email, bool? Sms);

public sealed record QuoteRequest(AddressRequest? ShippingAddress, string? ShippingMethod);

/// <summary>The checkout details a payment intent is created for: everything but the payment.</summary>
public sealed record PaymentIntentRequest(string? Email, AddressRequest? ShippingAddress, string? ShippingMethod)
{
    /// <summary>What the shopper ticked at checkout; kept with the intent and recorded when its order is placed.</summary>
    public MarketingConsentRequest? MarketingConsent { get; init; }

    /// <summary>The shopper's mobile phone, kept with the intent like the consent it may go with.</summary>
    public string? Phone { get; init; }
}

/// <summary>A checkout request that passed validation.</summary>
internal sealed record ValidCheckout(string Email, Address Address, string? ShippingMethod, PaymentMethod Method, string? Token, string? PaymentIntentId = null)
{
    /// <summary>Marketing consent the shopper gave at this checkout (only ever granted here, never withdrawn).</summary>
    public (bool Email, bool Sms) Consent { get; init; }

    /// <summary>The phone the shopper gave, in E.164 form; null when none was given.</summary>
    public string? Phone { get; init; }

    internal const int PhoneMaxLength = 40;

    /// <summary>The details of a card checkout by payment intent (the payment is the intent's).</summary>
    public static ValidCheckout ForIntent(PaymentIntentRequest request) =>
        From(new CheckoutRequest(request.Email, request.ShippingAddress, request.ShippingMethod, null) { MarketingConsent = request.MarketingConsent, Phone = request.Phone }, paymentRequired: false);

    public static ValidCheckout From(CheckoutRequest request, bool paymentRequired = true)
    {
        RefuseCardData(request);
        var v = new Validation();
        var email = v.Email("email", request.Email)!;
        var address = ValidateAddress(v, "shippingAddress", request.ShippingAddress);
        var shippingMethod = v.Text("shippingMethod", request.ShippingMethod, 32);
        var phone = ValidatePhone(v, request.Phone, request.MarketingConsent?.Sms ?? false, address?.Country);
        var method = PaymentMethod.Card;
        string? token = null;
        string? intentId = null;
        if (request.Payment is null)
        {
            if (paymentRequired)
            {
                v.Add("payment", "'payment' is required.");
            }
        }
        else
        {
            switch (request.Payment.Method)
            {
                case "card" when request.Payment.PaymentIntentId is not null && request.Payment.Token is not null:
                    v.Add("payment", "Send either 'payment.token' or 'payment.paymentIntentId', not both.");
                    break;
                case "card" when request.Payment.PaymentIntentId is not null:
                    intentId = v.Required("payment.paymentIntentId", request.Payment.PaymentIntentId, 255);
                    break;
                case "card":
                    token = v.Required("payment.token", request.Payment.Token, 255);
                    break;
                case ManualPaymentMethods.BankTransfer or ManualPaymentMethods.CashOnDelivery:
                    method = ManualPaymentMethods.Parse(request.Payment.Method)!.Value;
                    break;
                case PaymentRequest.TermsMethod:
                    method = PaymentMethod.Terms;
                    break;
                case null:
                    v.Add("payment.method", "'payment.method' is required: card, bank_transfer, cash_on_delivery or terms.");
                    break;
                default:
                    v.Add("payment.method", $"'payment.method' must be card, {string.Join(", ", ManualPaymentMethods.All)} or {PaymentRequest.TermsMethod}.");
                    break;
            }
        }

        v.ThrowIfInvalid();
        return new ValidCheckout(email, address!, shippingMethod, method, token, intentId)
        {
            Consent = (request.MarketingConsent?.Email ?? false, request.MarketingConsent?.Sms ?? false),
            Phone = phone,
        };
    }

    /// <summary>
    /// The optional phone in E.164 form. SMS consent is for a number, so consenting without a
    /// valid one is refused rather than recorded against whatever phone the customer had before.
    /// A number written as dialled in the delivery country is taken too.
    /// </summary>
    private static string? ValidatePhone(Validation v, string? phone, bool smsConsent, string? country)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            if (smsConsent)
            {
                v.Add("phone", "A mobile phone number is needed to receive texts: send 'phone' (e.g. +1 415 555 0101) or leave 'marketingConsent.sms' false.");
            }

            return null;
        }

        var number = phone.Length <= PhoneMaxLength ? Phones.E164(phone, country) : null;
        if (number is null)
        {
            v.Add("phone", "'phone' must be a mobile number in international form (+ and the country code, e.g. +1 415 555 0101) or as dialled within the delivery country.");
        }

        return number;
    }

    public static Address? ValidateAddress(Validation v, string field, AddressRequest? request)
    {
        if (request is null)
        {
            v.Add(field, $"'{field}' is required.");
            return null;
        }

        var country = v.Required($"{field}.country", request.Country, 2).ToUpperInvariant();
        if (country.Length > 0 && !Countries.IsValid(country))
        {
            v.Add($"{field}.country", $"'{field}.country' must be an ISO 3166-1 alpha-2 code, e.g. US.");
        }

        return new Address
        {
            Name = v.Required($"{field}.name", request.Name, 200),
            Line1 = v.Required($"{field}.line1", request.Line1, 200),
            Line2 = v.Text($"{field}.line2", request.Line2, 200),
            City = v.Required($"{field}.city", request.City, 100),
            Region = v.Text($"{field}.region", request.Region, 64)?.ToUpperInvariant(),
            PostalCode = v.Required($"{field}.postalCode", request.PostalCode, 20).ToUpperInvariant(),
            Country = country,
        };
    }

    /// <summary>Card numbers never enter Storekeep: not as a token, not in any other field.</summary>
    private static void RefuseCardData(CheckoutRequest request)
    {
        var texts = new List<string?>
        {
            request.Email, request.ShippingMethod, request.Payment?.Method, request.Payment?.Token, request.Payment?.PaymentIntentId,
            request.ShippingAddress?.Name, request.ShippingAddress?.Line1, request.ShippingAddress?.Line2,
            request.ShippingAddress?.City, request.ShippingAddress?.Region, request.ShippingAddress?.PostalCode,
            request.ShippingAddress?.Country,
        };
        if (request.Payment?.Extra is { Count: > 0 } extra)
        {
            texts.AddRange(extra.Values.Select(e => e.ToString()));
        }

        var cardFields = new[] { "number", "cardNumber", "card_number", "pan", "cvc", "cvv", "card" };
        if (texts.Any(CardNumbers.ContainsCardNumber) ||
            (request.Payment?.Extra?.Keys.Any(k => cardFields.Contains(k, StringComparer.OrdinalIgnoreCase)) ?? false))
        {
            throw Errors.BadRequest(CardNumbers.RefusedCode,
                "Card numbers are never accepted: tokenize the card with the payment gateway and send its token as payment.token.");
        }
    }
}

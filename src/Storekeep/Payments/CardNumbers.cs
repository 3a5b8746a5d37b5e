using System.Text.RegularExpressions;
using Storekeep.Shared;

namespace Storekeep.Payments;

/// <summary>
/// Finds payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid) in text, so
/// they are refused before they can be stored or logged anywhere.
/// </summary>
public static partial class CardNumbers
{
    public const string RefusedCode = "raw_card_data_not_accepted";

    /// <summary>
    /// 400 <see cref="RefusedCode"/> when any of these texts holds a card number. For the free text of
    /// the card flows (checkout, carts, refunds, cancellations, returns), which would otherwise keep it
    /// in a table, an event and a webhook body.
    /// </summary>
    public static void Refuse(params ReadOnlySpan<string?> texts)
    {
        foreach (var text in texts)
        {
            if (ContainsCardNumber(text))
            {
                throw Errors.BadRequest(RefusedCode,
                    "Card numbers are never accepted or stored: remove it; to pay, tokenize the card with the payment gateway and send its token as payment.token.");
            }
        }
    }

    public static bool ContainsCardNumber(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        // A GUID whose groups happen to be all digits is not a card number.
        foreach (Match match in Candidates().Matches(Guids().Replace(text, " ")))
        {
            // A whole run of 13–19 digits, as a card number is written; windows inside longer
            // runs would flag most long references by chance (each has a one-in-ten Luhn chance).
            var digits = new string(match.Value.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is >= 13 and <= 19 && IsPaymentCardPrefix(digits) && IsLuhnValid(digits))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the number starts like a payment card (ISO/IEC 7812 issuer ranges): 3 (Amex 34/37,
    /// JCB 35, Diners 30/36/38/39), 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay,
    /// Maestro) or Mastercard's 2221–2720. Dates, timestamps and references (20261130…,
    /// 1…, 9…) are Luhn-valid one time in ten but are not cards.
    /// </summary>
    public static bool IsPaymentCardPrefix(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 4)
        {
            return false;
        }

        return digits[0] switch
        {
            '3' => digits[1] is '0' or '4' or '5' or '6' or '7' or '8' or '9',
            '4' or '5' or '6' => true,
            '2' => int.Parse(digits[..4], System.Globalization.CultureInfo.InvariantCulture) is >= 2221 and <= 2720,
            _ => false,
        };
    }

    public static bool IsLuhnValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0 && digits.Length > 0 && digits.ToString().Any(c => c != '0');
    }

    // A card number as written stands apart from letters: digit runs glued inside hex hashes,
    // base64 or identifiers ("a3f41234567890123b") are not card numbers.
    [GeneratedRegex(@"(?<![0-9A-Za-z])\d(?:[ -]?\d){12,}(?![0-9A-Za-z])")]
    private static partial Regex Candidates();

    [GeneratedRegex("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")]
    private static partial Regex Guids();
}

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
            if (digits.Length is >= 13 and <= 19 && IsLuhnValid(digits))
            {
                return true;
            }
        }

        return false;
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

    [GeneratedRegex(@"\d(?:[ -]?\d){12,}")]
    private static partial Regex Candidates();

    [GeneratedRegex("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")]
    private static partial Regex Guids();
}

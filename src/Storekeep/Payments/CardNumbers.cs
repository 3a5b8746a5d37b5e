using System.Text.RegularExpressions;

namespace Storekeep.Payments;

/// <summary>
/// Finds payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid) in text, so
/// they are refused before they can be stored or logged anywhere.
/// </summary>
public static partial class CardNumbers
{
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

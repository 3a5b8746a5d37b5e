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

        foreach (Match match in Candidates().Matches(text))
        {
            var digits = new string(match.Value.Where(char.IsAsciiDigit).ToArray());
            for (var length = 13; length <= 19; length++)
            {
                for (var start = 0; start + length <= digits.Length; start++)
                {
                    if (IsLuhnValid(digits.AsSpan(start, length)))
                    {
                        return true;
                    }
                }
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
}

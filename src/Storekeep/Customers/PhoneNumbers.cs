using System.Text;
using System.Text.RegularExpressions;

namespace Storekeep.Customers;

/// <summary>Customers' phones are kept as typed; this is how they compare (SMS campaigns, STOP replies).</summary>
public static partial class PhoneNumbers
{
    /// <summary>A phone number in E.164 form (+ and 8–15 digits), from the common ways people write one; null when it is not one.</summary>
    public static string? E164(string phone)
    {
        var digits = new StringBuilder();
        foreach (var ch in phone.Trim())
        {
            if (char.IsAsciiDigit(ch) || (ch == '+' && digits.Length == 0))
            {
                digits.Append(ch);
            }
            else if (ch is not (' ' or '-' or '(' or ')' or '.'))
            {
                return null;
            }
        }

        var number = digits.ToString();
        return E164Pattern().IsMatch(number) ? number : null;
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164Pattern();
}

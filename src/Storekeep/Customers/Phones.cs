using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Storekeep.Customers;

/// <summary>Customers' phones are kept as typed; this is how they compare (SMS campaigns, STOP replies).</summary>
public static partial class Phones
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

    /// <summary>
    /// As <see cref="E164(string)"/>, and also a number written as dialled within <paramref name="country"/>
    /// (ISO 3166 alpha-2, e.g. "(415) 555-0101" in US, "020 7946 0958" in GB), checked against that
    /// country's numbering plan by libphonenumber.
    /// </summary>
    public static string? E164(string phone, string? country)
    {
        if (E164(phone) is { } international)
        {
            return international;
        }

        if (string.IsNullOrWhiteSpace(country) || phone.TrimStart().StartsWith('+'))
        {
            return null;
        }

        try
        {
            var numbers = PhoneNumberUtil.GetInstance();
            var parsed = numbers.Parse(phone, country.Trim().ToUpperInvariant());
            return parsed.HasExtension || !numbers.IsValidNumber(parsed) ? null : E164(numbers.Format(parsed, PhoneNumberFormat.E164));
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164Pattern();
}

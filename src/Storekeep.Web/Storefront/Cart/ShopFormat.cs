using System.Globalization;

namespace Storekeep.Web.Storefront.Cart;

/// <summary>How the cart, checkout and account pages show money and countries.</summary>
public static class ShopFormat
{
    public static string Money(decimal amount, string currency) =>
        amount.ToString("0.00", CultureInfo.InvariantCulture) + " " + currency;

    // The app runs with invariant globalization (no ICU data), so names come from this short list.
    private static readonly Dictionary<string, string> CountryNames = new(StringComparer.Ordinal)
    {
        ["AT"] = "Austria", ["AU"] = "Australia", ["BE"] = "Belgium", ["BR"] = "Brazil", ["CA"] = "Canada",
        ["CH"] = "Switzerland", ["CN"] = "China", ["CZ"] = "Czechia", ["DE"] = "Germany", ["DK"] = "Denmark",
        ["ES"] = "Spain", ["FI"] = "Finland", ["FR"] = "France", ["GB"] = "United Kingdom", ["IE"] = "Ireland",
        ["IN"] = "India", ["IT"] = "Italy", ["JP"] = "Japan", ["KR"] = "South Korea", ["MX"] = "Mexico",
        ["NL"] = "Netherlands", ["NO"] = "Norway", ["NZ"] = "New Zealand", ["PL"] = "Poland", ["PT"] = "Portugal",
        ["SE"] = "Sweden", ["SG"] = "Singapore", ["US"] = "United States", ["ZA"] = "South Africa",
    };

    public static string CountryName(string code) =>
        CountryNames.TryGetValue(code, out var name) ? $"{name} ({code})" : code;

    /// <summary>PartiallyShipped → "partially shipped".</summary>
    public static string Label(Enum value)
    {
        var name = value.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}

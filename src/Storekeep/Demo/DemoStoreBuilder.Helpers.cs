using System.Text;

namespace Storekeep.Demo;

// Random draws, dates, names, codes and slugs the demo builder makes its data from.
internal sealed partial class DemoStoreBuilder
{
    // ---------------------------------------------------------------- helpers

    private (string Carrier, string Tracking) Carrier(string country, bool express)
    {
        switch (country)
        {
            case "US" when express:
                return _rng.NextDouble() < 0.5 ? ("FedEx", Digits(12)) : ("UPS", "1Z" + Hex(6).ToUpperInvariant() + Digits(10));
            case "US":
                return _rng.NextDouble() < 0.6 ? ("USPS", "9400" + Digits(18)) : ("UPS", "1Z" + Hex(6).ToUpperInvariant() + Digits(10));
            case "CA":
                return ("Canada Post", Digits(16));
            default:
                return _rng.NextDouble() < 0.6 ? ("DHL Express", Digits(10)) : ("FedEx", Digits(12));
        }
    }

    private static DateTime NextWorkingTime(DateTime at)
    {
        while (at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            at = at.Date.AddDays(1).AddHours(9).AddMinutes(at.Minute);
        }

        return at.Hour < 8 ? at.Date.AddHours(8).AddMinutes(at.Minute) : at;
    }

    private HashSet<DateTime> BlackFridays()
    {
        var result = new HashSet<DateTime>();
        for (var year = _start.Year - (ImportedHistoryDays / 365) - 1; year <= _end.Year; year++)
        {
            var november = new DateTime(year, 11, 1, 0, 0, 0, DateTimeKind.Utc);
            var firstThursday = november.AddDays(((int)DayOfWeek.Thursday - (int)november.DayOfWeek + 7) % 7);
            result.Add(firstThursday.AddDays(22));
        }

        return result;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private List<string> Distinct(string[] items, int count) =>
        items.OrderBy(_ => _rng.Next()).Take(Math.Min(count, items.Length)).ToList();

    private int PickWeighted(double[] weights)
    {
        var roll = _rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private string PickCountry()
    {
        var countries = DemoCatalogData.Countries;
        return countries[PickWeighted(countries.Select(c => (double)c.Weight).ToArray())].Country;
    }

    private int Poisson(double lambda) => PoissonOf(_rng, lambda);

    /// <summary>A Poisson draw by Knuth's method, from <paramref name="rng"/> (parts with a random source of their own pass it).</summary>
    private static int PoissonOf(Random rng, double lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= rng.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }

    private double Normal() =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - _rng.NextDouble())) * Math.Cos(2.0 * Math.PI * _rng.NextDouble());

    private string Hex(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append("0123456789abcdef"[_rng.Next(16)]);
        }

        return builder.ToString();
    }

    private string Digits(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)('0' + _rng.Next(10)));
        }

        return builder.ToString();
    }

    private string Phone(string country) => country switch
    {
        "US" or "CA" => $"+1 {_rng.Next(201, 990)} 555-01{_rng.Next(0, 100):D2}",
        "GB" => $"+44 20 7946 0{_rng.Next(0, 1000):D3}",
        _ => $"+{(country == "DE" ? "49" : "33")} 30 {_rng.Next(1000000, 9999999)}",
    };

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static string Ean13(string twelveDigits)
    {
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (twelveDigits[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return twelveDigits + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    private static string ColourCode(string colour) => colour[..3].ToUpperInvariant();

    private static string CodeOf(string title) => title.Replace(" ", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();

    internal static string Slugify(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in Ascii(text))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        return builder.ToString().Trim('-');
    }

    /// <summary>Lower-case ASCII for e-mail local parts and slugs (Müller → muller, O'Brien → obrien).</summary>
    private static string Ascii(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var mapped = c switch
            {
                'ä' or 'á' or 'à' or 'â' => 'a',
                'ö' or 'ó' or 'ô' => 'o',
                'ü' or 'ú' => 'u',
                'é' or 'è' or 'ê' => 'e',
                'í' => 'i',
                'ñ' => 'n',
                '\'' => '\0',
                '&' => ' ',
                _ => c,
            };
            if (mapped != '\0')
            {
                builder.Append(mapped);
            }
        }

        return builder.ToString();
    }
}

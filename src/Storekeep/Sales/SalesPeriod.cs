using System.Globalization;
using System.Text.RegularExpressions;
using Storekeep.Shared;

namespace Storekeep.Sales;

/// <summary>A month (<c>2026-11</c>) or a quarter (<c>2026-Q4</c>) of UTC time: [Start, End).</summary>
public sealed partial record SalesPeriod(string Key, int Year, int? Month, int? Quarter)
{
    public const string Format = "a month (yyyy-MM, e.g. 2026-11) or a quarter (yyyy-Qn, e.g. 2026-Q4)";

    public bool IsQuarter => Quarter is not null;

    public DateTime Start => new(Year, Month ?? ((Quarter!.Value - 1) * 3) + 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public DateTime End => Start.AddMonths(IsQuarter ? 3 : 1);

    /// <summary>A quarter's three months (a month: itself).</summary>
    public IReadOnlyList<SalesPeriod> Months =>
        IsQuarter ? [.. Enumerable.Range(0, 3).Select(i => OfMonth(Start.AddMonths(i)))] : [this];

    public static SalesPeriod OfMonth(DateTime at) => new($"{at.Year:D4}-{at.Month:D2}", at.Year, at.Month, null);

    public static SalesPeriod OfQuarter(DateTime at) => new($"{at.Year:D4}-Q{((at.Month - 1) / 3) + 1}", at.Year, null, ((at.Month - 1) / 3) + 1);

    /// <summary>The period of the same kind (month or quarter) that holds <paramref name="at"/>.</summary>
    public SalesPeriod Containing(DateTime at) => IsQuarter ? OfQuarter(at) : OfMonth(at);

    public SalesPeriod Previous => Containing(Start.AddDays(-1));

    public static bool TryParse(string? text, out SalesPeriod period)
    {
        period = null!;
        var match = text is null ? null : Pattern().Match(text.Trim());
        if (match is not { Success: true })
        {
            return false;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (year is < 1900 or > 9000)
        {
            return false;
        }

        if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            period = new SalesPeriod($"{year:D4}-{month:D2}", year, month, null);
        }
        else
        {
            var quarter = int.Parse(match.Groups["quarter"].Value, CultureInfo.InvariantCulture);
            period = new SalesPeriod($"{year:D4}-Q{quarter}", year, null, quarter);
        }

        return true;
    }

    /// <summary>Parses a required period, adding a validation error for a missing or malformed one.</summary>
    public static SalesPeriod? Parse(Validation v, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            v.Add(field, $"'{field}' is required: {Format}.");
            return null;
        }

        if (TryParse(text, out var period))
        {
            return period;
        }

        v.Add(field, $"'{field}' must be {Format}; months are 01–12 and quarters Q1–Q4.");
        return null;
    }

    public override string ToString() => Key;

    [GeneratedRegex(@"^(?<year>\d{4})-(?:(?<month>0[1-9]|1[0-2])|[Qq](?<quarter>[1-4]))$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

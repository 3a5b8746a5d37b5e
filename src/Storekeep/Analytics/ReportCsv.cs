using System.Globalization;
using System.Reflection;
using System.Text.Json;
using CsvHelper;

namespace Storekeep.Analytics;

/// <summary>
/// Reports as CSV (what <c>Accept: text/csv</c> answers): one header line with the JSON property
/// names, one line per row, numbers in invariant culture, null as an empty field.
/// </summary>
public static class ReportCsv
{
    /// <summary>Rows of a record type: a column per public property, in declaration order.</summary>
    public static string Of<T>(IEnumerable<T> rows)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .ToList();
        return Write(
            properties.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList(),
            rows.Select(r => properties.Select(p => p.GetValue(r)).ToList()));
    }

    /// <summary>The cohorts: cohort, customers, then one column per month since the first (m0, m1, …).</summary>
    public static string Of(CohortReportView view) =>
        Write(
            ["cohort", "customers", .. Enumerable.Range(0, view.Periods).Select(k => $"m{k}")],
            view.Rows.Select(r => (IReadOnlyList<object?>)[r.Cohort, r.Customers, .. r.Values.Select(v => (object?)v)]));

    public static string Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(writer, CsvWriterOptions.Default with { FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true))
        {
            csv.WriteRecord([.. headers]);
            foreach (var row in rows)
            {
                csv.WriteRecord([.. row.Select(Format)]);
            }

            csv.Flush();
        }

        return writer.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

using CsvHelper;

namespace Storekeep.Tests.Infrastructure;

/// <summary>A CSV answer read back the way a spreadsheet user sees it: the header and each row by column name.</summary>
public static class CsvText
{
    public static async Task<(IReadOnlyList<string> Header, List<Dictionary<string, string>> Rows)> ReadAsync(string text)
    {
        await using var csv = CsvReader.Create(new StringReader(text), CsvReaderOptions.Default with { HasHeader = true });
        await csv.ReadHeaderAsync();
        var header = csv.Headers.ToList();
        var rows = new List<Dictionary<string, string>>();
        while (await csv.ReadAsync())
        {
            rows.Add(header.Select((h, i) => (h, csv.GetString(i) ?? "")).ToDictionary(p => p.h, p => p.Item2, StringComparer.Ordinal));
        }

        return (header, rows);
    }
}

using System.Globalization;
using CsvHelper;

namespace Storekeep.Shared;

/// <summary>
/// CSV that people open in a spreadsheet. A text cell that starts with a formula character
/// (= + - @, tab or carriage return) gets a leading apostrophe, so Excel, Calc and Sheets show it
/// as text instead of running it (CSV injection; OWASP's advice). Numbers, dates and booleans the
/// writer formats are never changed. Our importers take the apostrophe off again, so an exported
/// file imports unchanged (a phone +1 555 0100 comes back as it went out).
/// </summary>
public static class SpreadsheetCsv
{
    public const char Escape = '\'';
    private const string FormulaStarts = "=+-@\t\r";

    public static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with
    {
        FormatProvider = CultureInfo.InvariantCulture,
        Injection = CsvInjection.Escape,
        InjectionEscape = Escape,
    };

    /// <summary>The cell as it was before export escaped it: one leading apostrophe before a formula character goes.</summary>
    public static string? Unescape(string? cell) =>
        cell is { Length: > 1 } && cell[0] == Escape && FormulaStarts.Contains(cell[1], StringComparison.Ordinal) ? cell[1..] : cell;
}

using System.Globalization;
using MudBlazor;
using Storekeep.Quotes;

namespace Storekeep.Web.Admin.Quotes;

/// <summary>
/// The back office's quote lines: one per line, "SKU, quantity, unit price" (commas, semicolons or
/// tabs, as pasted from a spreadsheet); without a price the company's price list prices it. A cell
/// that is not a number is passed on as missing, so the service's validation names the line.
/// </summary>
public static class QuoteSheet
{
    public static IReadOnlyList<SalesQuoteLineRequest?> Parse(string? text) =>
        [.. (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split([',', ';', '\t'], StringSplitOptions.TrimEntries))
            .Select(cells => new SalesQuoteLineRequest(
                cells[0],
                cells.Length > 1 && int.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var quantity) ? quantity : null,
                cells.Length > 2 && cells[2].Length > 0 && decimal.TryParse(cells[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var price) ? price : null))];

    /// <summary>The lines as the sheet shows them: negotiated prices written out, list prices left to the list.</summary>
    public static string Format(IEnumerable<SalesQuoteLineView> lines) =>
        string.Join('\n', lines.Select(l => l.Negotiated
            ? string.Create(CultureInfo.InvariantCulture, $"{l.Sku}, {l.Quantity}, {l.UnitPrice:0.00}")
            : string.Create(CultureInfo.InvariantCulture, $"{l.Sku}, {l.Quantity}")));

    public static Color StatusColor(string status) => status switch
    {
        "accepted" => Color.Success,
        "sent" => Color.Info,
        "declined" or "expired" => Color.Error,
        _ => Color.Default,
    };
}

using System.Globalization;
using Storekeep.PriceLists;

namespace Storekeep.Web.Admin.PriceLists;

/// <summary>
/// The back office's tier sheet: one tier per line, "SKU, price, minimum quantity" (commas, semicolons
/// or tabs, as pasted from a spreadsheet; the quantity may be left out for 1). A cell that is not a
/// number is passed on as missing, so the service's validation names the line.
/// </summary>
public static class PriceListSheet
{
    public static IReadOnlyList<PriceListEntryRequest?> Parse(string? text) =>
        [.. (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split([',', ';', '\t'], StringSplitOptions.TrimEntries))
            .Select(cells => new PriceListEntryRequest(
                cells[0],
                cells.Length > 1 && decimal.TryParse(cells[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var price) ? price : null,
                cells.Length > 2 && cells[2].Length > 0 ? (int.TryParse(cells[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minimum) ? minimum : 0) : null))];

    public static string Format(IEnumerable<PriceListEntryView> entries) =>
        string.Join('\n', entries.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Sku}, {e.Price:0.00}, {e.MinimumQuantity}")));
}

using Storekeep.Shared;

namespace Storekeep.Catalog.ShopifyCsv;

/// <param name="Row">The record's number as a spreadsheet shows it: the header is row 1, the first product row 2.</param>
/// <param name="Line">The text line the record starts on (differs from <paramref name="Row"/> after multi-line bodies).</param>
/// <param name="Column">The column at fault, or null when the problem is the whole row or file.</param>
public sealed record ImportRowError(int Row, int Line, string? Handle, string? Column, string Message);

/// <summary>What an import would do (a preview) or did. Nothing is written when <see cref="Errors"/> is not empty.</summary>
/// <param name="Imported">True when the products were written; false for a preview or when there were errors.</param>
/// <param name="Warehouse">The warehouse whose available stock the quantities set, if any quantity was given.</param>
public sealed record ImportReport(
    bool DryRun,
    bool Imported,
    int Rows,
    int ProductsToCreate,
    int ProductsToUpdate,
    int VariantsToCreate,
    int VariantsToUpdate,
    int Images,
    int CategoriesToCreate,
    int StockAdjustments,
    string? Warehouse,
    IReadOnlyList<ImportRowError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}

/// <param name="Warehouse">The code of the warehouse whose stock <c>Variant Inventory Qty</c> sets; the default warehouse (lowest priority, then code) when null.</param>
/// <param name="Actor">Who imports, for the stock ledger and the events.</param>
public sealed record ImportOptions(string? Warehouse = null, Actor? Actor = null);

/// <param name="Stage">What is happening, for people ("Importing products").</param>
/// <param name="Done">Products (or rows, while reading) done so far, out of <paramref name="Total"/>.</param>
public sealed record ImportProgress(string Stage, int Done, int Total);

/// <param name="Status">Only products with this status; all when null.</param>
/// <param name="Warehouse">Whose available stock becomes <c>Variant Inventory Qty</c>; the default warehouse when null.</param>
public sealed record ExportOptions(ProductStatus? Status = null, string? Warehouse = null);

/// <summary>The import found errors; nothing was written. The problem response carries the report with every row error.</summary>
public sealed class ImportHasErrorsException : StorekeepException
{
    public ImportHasErrorsException(ImportReport report)
        : base(ErrorKind.Unprocessable, "import_has_errors", $"{report.Errors.Count} error(s) in the file; nothing was imported.")
    {
        Report = report;
        Extensions = new Dictionary<string, object?> { ["report"] = report };
    }

    public ImportReport Report { get; }
}
